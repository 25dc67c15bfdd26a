#!/usr/bin/env bash
# The studio in a real browser: Debian's chromium driven by Playwright for Python, against the
# service started with API keys, a signing key and a watched copy of the templates.
# STUDIO_SCREENSHOT=docs/studio.png also refreshes the README's screenshot.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium > /dev/null || need+=(chromium)
command -v pdftotext > /dev/null || need+=(poppler-utils)
if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check "playwright==1.65.2"

cargo build --locked --bin collabdocs
PORT=${COLLABDOCS_STUDIO_PORT:-18941}
KEY=studio-$RANDOM$RANDOM
WORK=$(mktemp -d)
cp -r templates "$WORK/templates"
./target/debug/collabdocs dev-cert --out "$WORK/signing" --organisation "华东零售集团" 2> /dev/null
source .ci/lib.sh
trap 'kill ${SERVER:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT
COLLABDOCS_BIND=127.0.0.1:$PORT COLLABDOCS_API_KEYS=$KEY COLLABDOCS_LOG=warn \
COLLABDOCS_TEMPLATES_DIR="$WORK/templates" \
COLLABDOCS_SIGNING_KEY="$WORK/signing/key.pem" COLLABDOCS_SIGNING_CERT="$WORK/signing/cert.pem" \
    start_service target/ci-studio.log --watch-templates

python3 .ci/studio_check.py "http://127.0.0.1:$PORT" "$KEY" "$WORK/templates" "${STUDIO_SCREENSHOT:-}"

no_panic target/ci-studio.log
