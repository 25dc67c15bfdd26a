# collabdocs: one static-ish binary with its templates and CJK font compiled in.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY templates ./templates
COPY examples ./examples
COPY assets ./assets
COPY benches ./benches
COPY vendor ./vendor
RUN cargo build --release --locked --bin collabdocs

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home collabdocs
COPY --from=build /src/target/release/collabdocs /usr/local/bin/collabdocs
USER 10001
ENV COLLABDOCS_BIND=0.0.0.0:8080 \
    COLLABDOCS_LOG_FORMAT=json \
    COLLABDOCS_DRAIN_SECS=5
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["collabdocs", "health"]
ENTRYPOINT ["collabdocs"]
CMD ["serve"]
