#!/usr/bin/env bash
# Signatures against a real test PKI: certomancer serves a root, an intermediate, OCSP, CRLs
# and a time-stamp authority on 127.0.0.1 (.ci/pki/certomancer.yml, keys made fresh here);
# the service signs at every PAdES level with it, and .ci/ltv_check.py validates the results
# with pyHanko and qpdf — the long-term ones after the PKI is stopped.
# Needs the debug binary and .ci/requirements.txt (.ci/api.sh runs this after both).
set -euo pipefail
cd "$(dirname "$0")/.."

PKI=target/ci-pki
PKI_PORT=${COLLABDOCS_CI_PKI_PORT:-18941}
PORT=${COLLABDOCS_CI_LTV_PORT:-18942}
PREFIX=http://127.0.0.1:$PKI_PORT
rm -rf "$PKI" && mkdir -p "$PKI"
python3 .ci/pki/keys.py "$PKI/keys"
cp .ci/pki/certomancer.yml "$PKI/"
CERTOMANCER=(certomancer --config "$PKI/certomancer.yml" --key-root "$PKI" --service-url-prefix "$PREFIX")
"${CERTOMANCER[@]}" mass-summon --flat --no-pfx ci "$PKI/out" > /dev/null
cat "$PKI/out/interm.cert.pem" "$PKI/out/root.cert.pem" > "$PKI/chain.pem"
python3 .ci/pki/seal.py "$PKI/seal.png"

"${CERTOMANCER[@]}" animate --port "$PKI_PORT" --no-web-ui > "$PKI/animate.log" 2>&1 &
CA=$!
KEY=ci-$RANDOM$RANDOM
COLLABDOCS_BIND=127.0.0.1:$PORT COLLABDOCS_API_KEYS=$KEY COLLABDOCS_LOG=warn \
COLLABDOCS_SIGNING_KEY=$PKI/keys/signer.key.pem COLLABDOCS_SIGNING_CERT=$PKI/out/signer.cert.pem \
COLLABDOCS_SIGNING_CHAIN=$PKI/chain.pem COLLABDOCS_TSA_URL=$PREFIX/ci/tsa/tsa \
COLLABDOCS_TSA_TIMEOUT_MS=3000 COLLABDOCS_REVOCATION_TIMEOUT_MS=3000 \
COLLABDOCS_TRUST_ANCHORS=$PKI/out/root.cert.pem COLLABDOCS_SEAL_IMAGE=$PKI/seal.png \
COLLABDOCS_SIGNING_TOKEN_SECRET=ci-$RANDOM$RANDOM-0123456789abcdef0123456789abcdef \
    ./target/debug/collabdocs serve > "$PKI/serve.log" 2>&1 &
SERVER=$!
# The same service signing at B-B: the parties' signatures are then B-B too.
PORT_BB=$((PORT + 1))
COLLABDOCS_BIND=127.0.0.1:$PORT_BB COLLABDOCS_API_KEYS=$KEY COLLABDOCS_LOG=warn \
COLLABDOCS_SIGNING_KEY=$PKI/keys/signer.key.pem COLLABDOCS_SIGNING_CERT=$PKI/out/signer.cert.pem \
COLLABDOCS_SIGNATURE_LEVEL=b-b COLLABDOCS_SIGNING_CHAIN=$PKI/chain.pem COLLABDOCS_TRUST_ANCHORS=$PKI/out/root.cert.pem \
COLLABDOCS_SEAL_IMAGE=$PKI/seal.png \
COLLABDOCS_SIGNING_TOKEN_SECRET=ci-$RANDOM$RANDOM-0123456789abcdef0123456789abcdef \
    ./target/debug/collabdocs serve > "$PKI/serve-bb.log" 2>&1 &
SERVER_BB=$!
trap 'kill $SERVER $SERVER_BB $CA 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "$PREFIX/ci/crls/root/latest.crl" > /dev/null 2>&1 \
        && curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null 2>&1 \
        && curl -fsS "http://127.0.0.1:$PORT_BB/readyz" > /dev/null 2>&1 && break
    sleep 0.2
done

python3 .ci/ltv_check.py "http://127.0.0.1:$PORT" "$KEY" "$PKI" "$PREFIX" "$CA" "http://127.0.0.1:$PORT_BB"

if grep -q "panicked" "$PKI/serve.log" "$PKI/serve-bb.log"; then
    echo "the service logged a panic:" >&2
    grep -B2 -A5 panicked "$PKI/serve.log" >&2
    exit 1
fi
