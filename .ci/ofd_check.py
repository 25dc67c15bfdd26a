"""OFD (GB/T 33190) read back by independent readers, against the PDF of the same payload.

Every kind's example (and the official style's, where the kind has it), and the meeting
minutes filled into the shipped Word template (letterhead minutes), are rendered by the
release binary as PDF and as OFD, then:

- the package read with zipfile and ElementTree: OFD.xml's document information names the
  kind, and its payload-sha256 is the SHA-256 of the attachment, which is the payload sent;
  every page, template, font and image the documents name is in the package; IDs are unique
  and at most MaxUnitID; every font parses with fontTools and maps every character of every
  text object that uses it to a glyph; every DeltaX gives one gap per pair of characters;
  the outline's titles are the PDF's outline titles (pikepdf);
- easyofd parses the OFD: as many pages as the PDF, each page's text has the same characters
  as the PDF page's (pdftotext), white space aside; every string of the payload the PDF shows
  as sent (names, titles, places; not the dates and codes it writes out) is in the OFD's text
  objects read in drawing order;
- easyofd draws the OFD (as a PDF, through reportlab), poppler rasterises both at 60 dpi, and
  on each page at least MIN_MATCH of either image's edges lie within 0.85 mm of the other's.

easyofd reads a template page into the page of the same number only (its parser's choice,
not GB/T 33190's: a template applies to every page that names it); the check gives every
page that names the template its objects before comparing. easyofd draws every text object
in the face it registers as 宋体, whatever font the object names, and draws paths without
their fill; the check registers the built-in 黑体 (WenQuanYi Micro Hei, which has every
character the examples use) as 宋体. The faces, missing fills and bold strokes are what the
threshold allows for.

Usage: python3 .ci/ofd_check.py target/release/collabdocs
"""

import hashlib
import io
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET

from tagged_check import outline_titles

ROOT = pathlib.Path(__file__).resolve().parent.parent
NS = {"ofd": "http://www.ofdspec.org/2016"}
# How well a page drawn by easyofd must match the PDF's page (see `match`): the examples
# measure 0.943–1.0 (the lowest where easyofd's one face and no faux bold differ most); the
# same page moved 1.3 mm (3 pixels) measures 0.79, another page 0.51.
MIN_MATCH = 0.92


def q(tag):
    return "{%s}%s" % (NS["ofd"], tag)


def strings(value):
    """The payload's strings (white space taken out, data URIs left out), depth first."""
    if isinstance(value, str):
        s = "".join(value.split())
        return [] if not s or s.startswith("data:") else [s]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    return []


def expand_deltas(delta):
    out, items, i = [], delta.split(), 0
    while i < len(items):
        if items[i] == "g":
            out += [float(items[i + 2])] * int(items[i + 1])
            i += 3
        else:
            out.append(float(items[i]))
            i += 1
    return out


def check_package(ofd, payload, slug):
    """The package's structure, information (the kind in its custom data), fonts and text;
    returns the outline's titles and the number of characters checked."""
    from fontTools.ttLib import TTFont

    z = zipfile.ZipFile(io.BytesIO(ofd))
    names = set(z.namelist())
    root = ET.fromstring(z.read("OFD.xml"))
    info = root.find("ofd:DocBody/ofd:DocInfo", NS)
    custom = {c.get("Name"): c.text for c in info.findall("ofd:CustomDatas/ofd:CustomData", NS)}
    assert custom["kind"] == slug, (slug, custom)
    doc_root = root.find("ofd:DocBody/ofd:DocRoot", NS).text
    doc = ET.fromstring(z.read(doc_root))
    base = doc_root.rsplit("/", 1)[0]
    attachments = ET.fromstring(z.read(f"{base}/{doc.find('ofd:Attachments', NS).text}"))
    att = attachments.find("ofd:Attachment", NS)
    data = z.read(f"{base}/Attachs/{att.find('ofd:FileLoc', NS).text}")
    assert json.loads(data) == payload, f"{slug}: the attachment is not the payload"
    assert custom["payload-sha256"] == hashlib.sha256(data).hexdigest(), f"{slug}: payload-sha256"
    max_id = int(doc.find("ofd:CommonData/ofd:MaxUnitID", NS).text)
    res = ET.fromstring(z.read(f"{base}/{doc.find('ofd:CommonData/ofd:PublicRes', NS).text}"))
    fonts = {}
    for f in res.findall("ofd:Fonts/ofd:Font", NS):
        path = f"{base}/{res.get('BaseLoc')}/{f.find('ofd:FontFile', NS).text}"
        assert path in names, f"{slug}: {path} missing"
        font = TTFont(io.BytesIO(z.read(path)))
        fonts[f.get("ID")] = font.getBestCmap()
    media = set()
    dres = doc.find("ofd:CommonData/ofd:DocumentRes", NS)
    if dres is not None:
        r = ET.fromstring(z.read(f"{base}/{dres.text}"))
        for m in r.findall("ofd:MultiMedias/ofd:MultiMedia", NS):
            assert f"{base}/{r.get('BaseLoc')}/{m.find('ofd:MediaFile', NS).text}" in names, slug
            media.add(m.get("ID"))
    contents = [f"{base}/{t.get('BaseLoc')}" for t in doc.findall("ofd:CommonData/ofd:TemplatePage", NS)]
    contents += [f"{base}/{p.get('BaseLoc')}" for p in doc.findall("ofd:Pages/ofd:Page", NS)]
    ids = [int(e.get("ID")) for e in doc.iter() if e.get("ID")]
    ids += [int(e.get("ID")) for e in res.iter() if e.get("ID")]
    chars = 0
    for c in contents:
        page = ET.fromstring(z.read(c))
        ids += [int(e.get("ID")) for e in page.iter() if e.get("ID")]
        for t in page.iter(q("TextObject")):
            cmap = fonts[t.get("Font")]
            for code in t.findall("ofd:TextCode", NS):
                text = code.text or ""
                for ch in text:
                    if not ch.isspace():
                        assert ord(ch) in cmap, f"{slug} {c}: {ch!r} not in font {t.get('Font')}"
                        chars += 1
                gaps = expand_deltas(code.get("DeltaX", ""))
                assert len(gaps) == max(len(text) - 1, 0), f"{slug} {c}: {len(gaps)} gaps for {text!r}"
        for i in page.iter(q("ImageObject")):
            assert i.get("ResourceID") in media, f"{slug}: image {i.get('ResourceID')} not a resource"
    assert len(ids) == len(set(ids)) and max(ids) <= max_id, f"{slug}: IDs repeat or pass MaxUnitID"

    titles = []

    def walk(elems):
        for e in elems:
            titles.append(e.get("Title"))
            walk(e.findall("ofd:OutlineElem", NS))

    walk(doc.findall("ofd:Outlines/ofd:OutlineElem", NS))
    return titles, chars


def easyofd_pages(ofd):
    """easyofd's reading of the OFD (its pages, each with every template it names applied)
    and its drawing of it as a PDF."""
    from easyofd.ofd import OFD
    from easyofd.parser_ofd.file_content_parser import ContentFileParser
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("宋体", str(ROOT / "assets/fonts/wqy-microhei.ttc"), subfontIndex=0))
    reader = OFD()
    reader.read(ofd, fmt="binary")
    data = reader.data[0]
    pages = data["page_info"]
    z = zipfile.ZipFile(io.BytesIO(ofd))
    # Apply the template to the pages easyofd left without it.
    doc = ET.fromstring(z.read("Doc_0/Document.xml"))
    for t in doc.findall("ofd:CommonData/ofd:TemplatePage", NS):
        import xmltodict

        tpl = ContentFileParser(xmltodict.parse(z.read(f"Doc_0/{t.get('BaseLoc')}")))()
        for no, page in pages.items():
            if no == 0:
                continue  # easyofd merged Tpl_0 into page 0 itself
            for key in ("text_list", "line_list", "img_list"):
                page[key].extend(tpl[key])
    return data, reader.to_pdf()


def raster(pdf_bytes, dpi, d, name):
    path = d / f"{name}.pdf"
    path.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(path), str(d / name)], check=True)
    return sorted(d.glob(f"{name}-*.pgm"), key=lambda p: int(re.search(r"-(\d+)\.pgm$", p.name).group(1)))


def match(a, b):
    """How well two page images agree: the smaller of the shares of each one's edges (text
    strokes, rules, the borders of boxes) within 2 pixels (0.85 mm at 60 dpi) of an edge of
    the other's. Edges, not grey levels: easyofd leaves fills out and draws rules black."""
    from PIL import Image, ImageChops, ImageFilter, ImageStat

    x, y = Image.open(a), Image.open(b)
    if x.size != y.size:
        y = y.resize(x.size)

    def edges(img):
        return img.filter(ImageFilter.FIND_EDGES).point(lambda v: 255 if v > 40 else 0)

    def covered(p, r):
        inside = ImageChops.multiply(p, r.filter(ImageFilter.MaxFilter(5)))
        total = ImageStat.Stat(p).sum[0]
        return ImageStat.Stat(inside).sum[0] / total if total else 1.0

    ex, ey = edges(x), edges(y)
    return min(covered(ex, ey), covered(ey, ex))


def check(binary, slug, d, style=None, word_template=None):
    """One kind's example (in `style`, or filled into the Word template file `word_template`)
    as PDF and OFD, the OFD read back and drawn against the PDF."""
    import pikepdf

    example = ROOT / "examples" / f"{slug}.json"
    payload = json.loads(example.read_text())
    out = {}
    for fmt in ("pdf", "ofd"):
        args = [binary, "render", slug, "-i", str(example), "-f", fmt, "-o", str(d / f"{slug}.{fmt}")]
        if style:
            args += ["--style", style]
        if word_template:
            args += ["--word-template", str(word_template)]
        subprocess.run(args, check=True, capture_output=True)
        out[fmt] = (d / f"{slug}.{fmt}").read_bytes()
    titles, chars = check_package(out["ofd"], payload, slug)
    pdf = pikepdf.open(io.BytesIO(out["pdf"]))
    pdf_titles = outline_titles(pdf)
    assert titles == pdf_titles, f"{slug}: OFD outline {titles} is not the PDF's {pdf_titles}"
    data, drawn = easyofd_pages(out["ofd"])
    pages = data["page_info"]
    assert len(pages) == len(pdf.pages), f"{slug}: {len(pages)} OFD pages, {len(pdf.pages)} PDF pages"
    for n in range(len(pdf.pages)):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(n + 1), "-l", str(n + 1),
                               d / f"{slug}.pdf", "-"], check=True, capture_output=True).stdout.decode()
        want = sorted(c for c in text if not c.isspace())
        got = sorted(c for t in pages[n]["text_list"] for c in t["text"] if not c.isspace())
        assert got == want, f"{slug} page {n + 1}: the OFD's characters are not the PDF's"
    # Every string of the payload the PDF shows as it is is in the OFD's text objects, read in
    # the order the pages draw them (easyofd sorts a page's objects by position, which
    # interleaves the lines of the cells of a row).
    z = zipfile.ZipFile(io.BytesIO(out["ofd"]))
    doc = ET.fromstring(z.read("Doc_0/Document.xml"))
    parts = doc.findall("ofd:Pages/ofd:Page", NS) + doc.findall("ofd:CommonData/ofd:TemplatePage", NS)
    ofd_text = "".join(
        "".join((code.text or "").split())
        for p in parts
        for code in ET.fromstring(z.read(f"Doc_0/{p.get('BaseLoc')}")).iter(q("TextCode")))
    pdf_text = "".join(subprocess.run(["pdftotext", "-enc", "UTF-8", d / f"{slug}.pdf", "-"], check=True,
                                      capture_output=True).stdout.decode().split())
    shown = [s for s in strings(payload) if s in pdf_text]
    lost = [s for s in shown if s not in ofd_text]
    assert not lost and shown, f"{slug}: payload strings not in the OFD: {lost[:5]}"
    # easyofd draws at 200 dpi (its unit): its page is 200/72 of the PDF's.
    ours = raster(out["pdf"], 60, d, f"{slug}-pdf")
    theirs = raster(drawn, 60 * 72 / 200, d, f"{slug}-easyofd")
    assert len(ours) == len(theirs), slug
    worst = min(match(a, b) for a, b in zip(ours, theirs))
    assert worst >= MIN_MATCH, f"{slug}: a page matches the PDF's by {worst:.3f} (under {MIN_MATCH})"
    label = slug + (f"/{style}" if style else "") + (f" in {word_template.parent.name}" if word_template else "")
    return f"{label} ({len(pages)} p., {chars} chars, {len(shown)} payload strings, match ≥ {worst:.3f})"


def main():
    binary = sys.argv[1]
    kinds = [p.stem for p in sorted((ROOT / "examples").glob("*.json"))]
    # The kinds with the official style, as `render --help` names them.
    help_text = subprocess.run([binary, "render", "--help"], check=True, capture_output=True).stdout.decode()
    official = re.search(r"official \(GB/T 9704-2012; ([^)]*)\)", help_text).group(1)
    official = {k.strip() for k in re.split(r",| and ", official) if k.strip()}
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in kinds:
            d = pathlib.Path(tmp) / k
            d.mkdir()
            done.append(check(binary, k, d))
            if k in official:
                o = pathlib.Path(tmp) / f"{k}-official"
                o.mkdir()
                done.append(check(binary, k, o, style="official"))
        # A Word template's pages: the shipped letterhead minutes.
        w = pathlib.Path(tmp) / "word"
        w.mkdir()
        sample = ROOT / "examples/templates/word/letterhead-minutes/template.docx"
        done.append(check(binary, "meeting-minutes", w, word_template=sample))
    print("OFD read back by zipfile, fontTools and easyofd against the PDF:", "; ".join(done))


if __name__ == "__main__":
    main()
