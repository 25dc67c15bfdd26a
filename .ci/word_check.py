"""Opens every filled Word template the tests wrote (COLLABDOCS_WORD_OUT) in LibreOffice:
each must convert to PDF, and every paragraph of its body must be in the PDF's text.

Usage: python3 .ci/word_check.py DIR
"""

import html
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile


def paragraphs(docx):
    """The text of each body paragraph (not inside another paragraph's text box)."""
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    # Text boxes and fields' results are laid out elsewhere; check the body's own text.
    xml = re.sub(r"<mc:AlternateContent>.*?</mc:AlternateContent>", "", xml, flags=re.S)
    xml = re.sub(r"<w:txbxContent>.*?</w:txbxContent>", "", xml, flags=re.S)
    out = []
    for p in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p))
        text = html.unescape(text)
        if text.strip():
            out.append(text)
    return out


def squeeze(text):
    """Text without white space, and without private-use characters (no font draws them)."""
    return re.sub(r"[\s\ue000-\uf8ff]+", "", text)


def main():
    src = pathlib.Path(sys.argv[1])
    files = sorted(src.glob("*.docx"))
    if not files:
        raise SystemExit(f"no filled documents in {src}")
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "pdf"
        # One soffice run converts them all; a file it cannot open has no PDF.
        subprocess.run(
            ["soffice", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out)]
            + [str(f) for f in files],
            check=True, capture_output=True, timeout=600,
            env={"HOME": tmp, "PATH": "/usr/lib/libreoffice/program:/usr/bin:/bin"},
        )
        for f in files:
            pdf = out / (f.stem + ".pdf")
            if not pdf.exists():
                failures.append(f"{f.name}: LibreOffice did not convert it")
                continue
            # Content order (-raw): a table cell's lines stay together.
            text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
            flat = squeeze(text)
            missing = [p for p in paragraphs(f) if squeeze(p) not in flat]
            if missing:
                failures.append(f"{f.name}: {len(missing)} paragraph(s) not in LibreOffice's PDF: {missing[:3]}")
    for line in failures:
        print(line)
    if failures:
        raise SystemExit(1)
    print(f"{len(files)} filled Word templates opened by LibreOffice, every body paragraph in its PDF")


if __name__ == "__main__":
    main()
