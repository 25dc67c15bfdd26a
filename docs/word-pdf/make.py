"""Side-by-side pictures of Word templates as PDF: each page ours (left) and LibreOffice's
(right) of the same DOCX. Not run in CI; needs LibreOffice, poppler-utils and Pillow.

    COLLABDOCS_WORD_OUT=target/word-pdf cargo test --test integration word_pdf
    python3 docs/word-pdf/make.py target/word-pdf
"""

import pathlib
import subprocess
import sys
import tempfile

from PIL import Image, ImageDraw

HERE = pathlib.Path(__file__).resolve().parent
# The documents shown, and how many of their pages.
SHOWN = {"letterhead-minutes": 3, "travel-request": 1, "long-document": 2, "merged-form": 2, "gbt9704-notice": 1}


def png_pages(pdf, out, stem, n):
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-l", str(n), str(pdf), str(out / stem)], check=True)
    return sorted(out.glob(f"{stem}-*.png"))[:n]


def main():
    src = pathlib.Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        docs = [src / f"{name}.docx" for name in SHOWN]
        subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp / "lo")]
                       + [str(d) for d in docs], check=True, capture_output=True)
        for name, n in SHOWN.items():
            ours = png_pages(src / f"{name}.pdf", tmp, f"{name}-ours", n)
            theirs = png_pages(tmp / "lo" / f"{name}.pdf", tmp, f"{name}-lo", n)
            for i, (a, b) in enumerate(zip(ours, theirs)):
                a, b = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
                sheet = Image.new("RGB", (a.width + b.width + 12, max(a.height, b.height) + 18), "#888")
                sheet.paste(a, (0, 18))
                sheet.paste(b, (a.width + 12, 18))
                d = ImageDraw.Draw(sheet)
                d.text((4, 3), "collabdocs", fill="white")
                d.text((a.width + 16, 3), "LibreOffice", fill="white")
                sheet.quantize(colors=48).save(HERE / f"{name}-{i + 1}.png", optimize=True)
                print(HERE / f"{name}-{i + 1}.png")


if __name__ == "__main__":
    main()
