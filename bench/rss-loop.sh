#!/usr/bin/env bash
# Renders the meeting-minutes example as PDF over HTTP N times (default 2000) against a
# release build on loopback and prints the service's RSS before, after a warm-up, and at the end.
# Usage: bench/rss-loop.sh [N]   (bounded: N requests, one at a time, then the server stops)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
port=18080
cargo build --release --quiet
COLLABDOCS_BIND=127.0.0.1:$port ./target/release/collabdocs serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf localhost:$port/readyz >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2 " kB"}' /proc/$pid/status; }
post() { curl -sf -o /dev/null -X POST "localhost:$port/v1/documents/meeting-minutes?format=pdf" -H 'content-type: application/json' --data-binary @examples/meeting-minutes.json; }
echo "idle:              $(rss)"
for _ in $(seq 1 200); do post; done
echo "after 200 PDFs:    $(rss)"
for _ in $(seq 1 "$n"); do post; done
echo "after $((n + 200)) PDFs:   $(rss)"
