"""Opens every filled Word and Excel template the tests wrote (COLLABDOCS_WORD_OUT) in
LibreOffice: each must convert to PDF, and every paragraph of a document's body (every text a
workbook's cells were filled with) must be in the PDF's text.

Usage: python3 .ci/word_check.py DIR
"""

import csv
import html
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile


def paragraphs(docx, with_fields=True):
    """The text of each body paragraph (not inside another paragraph's text box); without
    those holding a field when `with_fields` is false (their cached result may be stale)."""
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    # Text boxes and fields' results are laid out elsewhere; check the body's own text.
    xml = re.sub(r"<mc:AlternateContent>.*?</mc:AlternateContent>", "", xml, flags=re.S)
    xml = re.sub(r"<w:txbxContent>.*?</w:txbxContent>", "", xml, flags=re.S)
    out = []
    for p in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
        if not with_fields and ("w:fldChar" in p or "w:instrText" in p):
            continue
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p))
        text = html.unescape(text)
        if text.strip():
            out.append(text)
    return out


def filled_cells(xlsx):
    """The texts the filled cells of a workbook hold (inline strings)."""
    z = zipfile.ZipFile(xlsx)
    out = []
    for name in z.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            xml = z.read(name).decode()
            for t in re.findall(r"<is><t(?: [^>]*)?>([^<]*)</t></is>", xml):
                if t.strip():
                    out.append(html.unescape(t))
    return out


# LibreOffice headless with a home of its own (`home`), and its filter for every sheet of a
# workbook as UTF-8 CSV, after recalculating.
def soffice_env(home):
    return {"PATH": "/usr/lib/libreoffice/program:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(home)}


CSV_EVERY_SHEET = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def squeeze(text):
    """Text without white space, and without private-use characters (no font draws them)."""
    return re.sub(r"[\s\ue000-\uf8ff]+", "", text)


def found(want, text):
    """Whether `want` is in `text`: whole, or its characters in order with at most two breaks
    of at most 80 others (a paragraph that goes on over a page, the page's footer and header
    and a table's repeated header row between its two parts)."""
    if want in text:
        return True
    if not want:
        return True
    start = text.find(want[0])
    while start != -1:
        at, breaks, ok = start, 0, True
        for c in want[1:]:
            k = text.find(c, at + 1, at + 82)
            if k == -1:
                ok = False
                break
            breaks += k > at + 1
            at = k
            if breaks > 2:
                ok = False
                break
        if ok:
            return True
        start = text.find(want[0], start + 1)
    return False


def main():
    src = pathlib.Path(sys.argv[1])
    files = sorted(src.glob("*.docx")) + sorted(src.glob("*.xlsx"))
    if not files:
        raise SystemExit(f"no filled documents in {src}")
    failures = []
    docs = [f for f in files if f.suffix == ".docx"]
    books = [f for f in files if f.suffix == ".xlsx"]
    with tempfile.TemporaryDirectory() as tmp:
        env = soffice_env(tmp)
        out = pathlib.Path(tmp) / "out"
        # One soffice run per kind converts them all; a file it cannot open has no output.
        if docs:
            subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out)]
                           + [str(f) for f in docs], check=True, capture_output=True, timeout=600, env=env)
        if books:
            # Every sheet as CSV (UTF-8), after LibreOffice recalculated the formulas.
            subprocess.run(["soffice", "--headless", "--norestore", "--convert-to",
                            CSV_EVERY_SHEET,
                            "--outdir", str(out)] + [str(f) for f in books],
                           check=True, capture_output=True, timeout=600, env=env)
        for f in docs:
            pdf = out / (f.stem + ".pdf")
            if not pdf.exists():
                failures.append(f"{f.name}: LibreOffice did not convert it")
                continue
            # Content order (-raw): a table cell's lines stay together.
            text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
            flat = squeeze(text)
            missing = [p for p in paragraphs(f) if not found(squeeze(p), flat)]
            if missing:
                failures.append(f"{f.name}: {len(missing)} paragraph(s) not in LibreOffice's PDF: {missing[:3]}")
        for f in books:
            sheets = sorted(out.glob(f.stem + "-*.csv"))
            if not sheets:
                failures.append(f"{f.name}: LibreOffice did not convert it")
                continue
            values = {v for s in sheets for row in csv.reader(s.open(encoding="utf-8")) for v in row}
            missing = [t for t in filled_cells(f) if t not in values]
            if missing:
                failures.append(f"{f.name}: {len(missing)} filled cell(s) not in LibreOffice's sheets: {missing[:3]}")
    for line in failures:
        print(line)
    if failures:
        raise SystemExit(1)
    print(f"{len(files)} filled Word and Excel templates opened by LibreOffice, their text in what it made")


if __name__ == "__main__":
    main()
