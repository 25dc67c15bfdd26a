#!/usr/bin/env bash
# collabdocs against the field: Carbone, docxtemplater, docxtpl and LibreOffice, rendering the
# same meeting minutes, in alternating rounds; writes the table into BENCHMARKS.md.
# Installs the peers from their registries (npm, PyPI, Debian). Not run in CI; about 5 minutes with the peers installed.
# Usage: bench/peers/run.sh [ROUNDS]          (default 5)
#        bench/peers/run.sh --word [ROUNDS]   Word templates: collabdocs, docxtemplater, docxtpl
#        bench/peers/run.sh --word-pdf [ROUNDS]   a Word template as PDF: collabdocs, LibreOffice
#        bench/peers/run.sh --excel [ROUNDS]      an Excel template: collabdocs, openpyxl
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)

need_apt=()
command -v soffice > /dev/null || need_apt+=(libreoffice-writer-nogui)
command -v pdftotext > /dev/null || need_apt+=(poppler-utils)
/usr/bin/python3 -c "import uno" 2> /dev/null || need_apt+=(python3-uno)
fc-list | grep -qi "noto.*cjk" || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" > /dev/null
fi
npm install --no-audit --no-fund --silent
python3 -m pip install --quiet --disable-pip-version-check docxtpl==0.20.2

(cd "$ROOT" && cargo build --release --locked --quiet)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 prepare.py "$WORK"
if [ "${1:-}" = "--word" ]; then
    python3 word.py "$WORK" "${2:-5}"
elif [ "${1:-}" = "--word-pdf" ]; then
    python3 word_pdf.py "$WORK" "${2:-5}"
elif [ "${1:-}" = "--excel" ]; then
    python3 -m pip install --quiet --disable-pip-version-check openpyxl==3.1.5
    python3 excel.py "$WORK" "${2:-5}"
else
    python3 run.py "$WORK" "${1:-5}"
fi
