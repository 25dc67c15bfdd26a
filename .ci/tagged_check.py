"""Tagged PDF read back by independent readers: every kind's example rendered by the release
binary (and the meeting minutes filled into the shipped Word template, letterhead minutes),
then with pikepdf — a structure tree (MarkInfo /Marked, /Lang zh-CN, the title shown
in the window, PDF/UA-1 identification in the XMP), every table with header cells (TH, with
/Scope), every figure with /Alt, no text outside marked content (each BT inside a BDC that is
either a structure element's marked content or an /Artifact), an outline entry per heading;
and with pdftotext (poppler): the headings' titles, in the structure tree's order, come out
in that order — the reading order a screen reader follows is the page's.

Usage: python3 .ci/tagged_check.py target/release/collabdocs
"""

import json
import pathlib
import subprocess
import sys
import tempfile

import pikepdf

ROOT = pathlib.Path(__file__).resolve().parent.parent


def elements(node, out):
    """The structure elements under `node`, depth first (reading order)."""
    kids = node.get("/K")
    if kids is None:
        return out
    if not isinstance(kids, pikepdf.Array):
        kids = [kids]
    for k in kids:
        if isinstance(k, pikepdf.Dictionary) and "/S" in k:
            out.append(k)
            elements(k, out)
    return out


def outline_titles(pdf):
    """The titles of a PDF's outline entries, depth first."""
    titles = []
    with pdf.open_outline() as o:
        def walk(items):
            for i in items:
                titles.append(i.title)
                walk(i.children)
        walk(o.root)
    return titles


def marked_text_only(pdf):
    """Every BT … ET of every page inside a BDC (marked content): (pages, text objects)."""
    texts = 0
    for n, page in enumerate(pdf.pages):
        depth, tagged = 0, []
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op in ("BDC", "BMC"):
                depth += 1
                tagged.append(True)
            elif op == "EMC":
                depth -= 1
                tagged.pop()
            elif op == "BT":
                texts += 1
                assert depth > 0, f"page {n + 1}: text outside marked content"
    return len(pdf.pages), texts


def check(binary, slug, out, word_template=None):
    """One kind's example as a tagged PDF (filled into the Word template file
    `word_template`, when given), read back."""
    example = ROOT / "examples" / f"{slug}.json"
    path = out / f"{slug}.pdf"
    args = [binary, "render", slug, "-i", str(example), "-f", "pdf", "-o", str(path)]
    if word_template:
        args += ["--word-template", str(word_template)]
    subprocess.run(args, check=True, capture_output=True)
    pdf = pikepdf.open(path)
    root = pdf.Root
    assert root.MarkInfo.Marked, slug
    assert str(root.Lang) == "zh-CN", slug
    assert root.ViewerPreferences.DisplayDocTitle, f"{slug}: the window does not show the title"
    meta = pdf.open_metadata()
    assert str(meta.get("{http://www.aiim.org/pdfua/ns/id/}part")) == "1", f"{slug}: no PDF/UA-1 identification"
    found = elements(root.StructTreeRoot, [])
    kinds = [str(e.S) for e in found]
    # Every table of a built-in layout has header cells; a Word document's table has them
    # where the document marks header rows (a table of label and value cells may have none).
    with_heads = 0
    for table in (e for e in found if str(e.S) == "/Table"):
        cells = [c for c in elements(table, []) if str(c.S) in ("/TH", "/TD")]
        heads = [c for c in cells if str(c.S) == "/TH"]
        assert heads or word_template, f"{slug}: a table without header cells"
        with_heads += bool(heads)
        for h in heads:
            scope = h.get("/A")
            assert scope is not None and "/Scope" in str(scope), f"{slug}: a TH without /Scope"
    assert with_heads, f"{slug}: no table with header cells"
    for fig in (e for e in found if str(e.S) == "/Figure"):
        assert str(fig.get("/Alt", "")), f"{slug}: a figure without /Alt"
    pages, texts = marked_text_only(pdf)
    headings = [str(e.T) for e in found if str(e.S) in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6") and "/T" in e]
    assert headings and "/H1" in kinds, f"{slug}: no headings"
    outline = outline_titles(pdf)
    assert outline == headings, f"{slug}: outline {outline} is not the headings {headings}"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True).stdout.decode()
    flat = "".join(text.split())
    at = 0
    for h in headings:
        key = "".join(h.split())
        i = flat.find(key, at)
        assert i >= 0, f"{slug}: heading {h!r} not in pdftotext's text after position {at}"
        at = i + len(key)
    return f"{slug} ({pages} p., {len(found)} elements, {kinds.count('/Table')} tables, {texts} text objects)"


def main():
    binary = sys.argv[1]
    kinds = [p.stem for p in sorted((ROOT / "examples").glob("*.json"))]
    with tempfile.TemporaryDirectory() as d:
        done = [check(binary, k, pathlib.Path(d)) for k in kinds]
        # A Word template's PDF: the shipped letterhead minutes.
        sample = ROOT / "examples/templates/word/letterhead-minutes/template.docx"
        done.append("Word template: " + check(binary, "meeting-minutes", pathlib.Path(d), sample))
    print("tagged PDF (PDF/UA-1) read back by pikepdf and pdftotext:", "; ".join(done))


if __name__ == "__main__":
    main()
