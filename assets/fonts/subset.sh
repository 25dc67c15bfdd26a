#!/usr/bin/env bash
# Makes NotoSerifCJKsc-Regular-GB2312.ttf from Debian's fonts-noto-cjk (run once, by hand;
# the result is committed, so building collabdocs needs neither the package nor fontTools):
# the GB 2312 subset without layout tables (collabdocs maps characters through cmap and sets
# no OpenType features), its CFF outlines converted to TrueType (quadratic, within 3 units of
# 1000): krilla subsets glyf data several times faster than CFF, which halved a PDF's time.
#   apt-get install fonts-noto-cjk && pip install fonttools
set -euo pipefail
cd "$(dirname "$0")"
SRC=/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
python3 - > /tmp/collabdocs-gb2312-unicodes.txt <<'PY'
import pathlib
chars = set()
for b1 in range(0xA1, 0xFF):
    for b2 in range(0xA1, 0xFF):
        try:
            chars.add(ord(bytes([b1, b2]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
for lo, hi in [(0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x3000, 0x3040), (0xFF00, 0xFFF0),
               (0x2460, 0x2500), (0x2160, 0x2180), (0x2190, 0x2300), (0x25A0, 0x2600)]:
    chars.update(range(lo, hi))
root = pathlib.Path("../..")
for p in [*root.glob("examples/*.json"), *root.glob("templates/**/*"), *root.glob("../shared/seeds/**/*")]:
    if p.is_file():
        try:
            chars.update(ord(c) for c in p.read_text())
        except (UnicodeDecodeError, OSError):
            pass
print("\n".join("U+%04X" % c for c in sorted(chars)))
PY
pyftsubset "$SRC" --font-number=2 --unicodes-file=/tmp/collabdocs-gb2312-unicodes.txt \
    --output-file=/tmp/collabdocs-serif.otf --layout-features='' --name-IDs='*' \
    --name-languages='*' --notdef-outline --no-hinting \
    --drop-tables+=VORG,vhea,vmtx,GSUB,GPOS,GDEF,BASE
python3 otf2ttf.py /tmp/collabdocs-serif.otf NotoSerifCJKsc-Regular-GB2312.ttf 3
