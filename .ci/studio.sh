#!/usr/bin/env bash
# The studio in real browsers: Debian's chromium driven by Playwright for Python (every check),
# then Debian's firefox-esr over Marionette (that it works there too), against the service
# started with API keys, a signing key and a watched copy of the templates.
# STUDIO_SCREENSHOT=docs/studio.png also refreshes the README's screenshot.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium > /dev/null || need+=(chromium)
command -v pdftotext > /dev/null || need+=(poppler-utils)
command -v firefox-esr > /dev/null || need+=(firefox-esr)
if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check "playwright==1.65.2" \
    "marionette_driver==3.7.1"

cargo build --locked --bin collabdocs
PORT=${COLLABDOCS_STUDIO_PORT:-18941}
KEY=studio-$RANDOM$RANDOM
WORK=$(mktemp -d)
cp -r templates "$WORK/templates"
cp -r examples/templates/word "$WORK/templates/word"
cp -r examples/templates/excel "$WORK/templates/excel"
./target/debug/collabdocs dev-cert --out "$WORK/signing" --organisation "华东零售集团" 2> /dev/null
source .ci/lib.sh
trap 'kill ${SERVER:-} ${FIREFOX:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT
COLLABDOCS_BIND=127.0.0.1:$PORT COLLABDOCS_API_KEYS=$KEY COLLABDOCS_LOG=warn \
COLLABDOCS_TEMPLATES_DIR="$WORK/templates" \
COLLABDOCS_SIGNING_KEY="$WORK/signing/key.pem" COLLABDOCS_SIGNING_CERT="$WORK/signing/cert.pem" \
    start_service target/ci-studio.log --watch-templates

python3 .ci/studio_check.py "http://127.0.0.1:$PORT" "$KEY" "$WORK/templates" "${STUDIO_SCREENSHOT:-}"

MARIONETTE=$((PORT + 1))
mkdir -p "$WORK/firefox"
echo "user_pref(\"marionette.port\", $MARIONETTE);" > "$WORK/firefox/user.js"
MOZ_HEADLESS=1 firefox-esr --headless --marionette --no-remote --profile "$WORK/firefox" \
    > target/ci-firefox.log 2>&1 &
FIREFOX=$!
for _ in $(seq 1 200); do
    (echo > "/dev/tcp/127.0.0.1/$MARIONETTE") 2> /dev/null && break
    sleep 0.1
done
python3 .ci/studio_firefox.py "http://127.0.0.1:$PORT" "$KEY" "$MARIONETTE"

no_panic target/ci-studio.log
