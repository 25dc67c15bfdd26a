"""PDF/A-3b copies (`?archive=pdfa`) read back by independent readers.

For every kind's example from the running service, pikepdf reads: the XMP identification
(pdfaid:part 3, conformance B), the output intent (GTS_PDFA1 with an ICC profile), the
associated file — `/AF` in the catalog and in the embedded files' name tree, AFRelationship
/Source, MIME application/json, its bytes the payload sent —, fonts all embedded, no
encryption, and the document's language; qpdf --check finds no error. `check_pdfa` is also
used by .ci/parties_check.py on the agreement every party signed at B-LTA (still PDF/A).

Usage: python3 .ci/archive_check.py BASE_URL API_KEY
"""

import io
import json
import pathlib
import subprocess
import sys
import tempfile

import pikepdf

from service import post

ROOT = pathlib.Path(__file__).resolve().parent.parent


def check_pdfa(pdf, payload, label):
    """Asserts what a PDF/A-3b copy carries; returns the number of pages."""
    doc = pikepdf.open(io.BytesIO(pdf))
    assert not doc.is_encrypted, label
    meta = doc.open_metadata()
    part = meta.get("{http://www.aiim.org/pdfa/ns/id/}part")
    conformance = meta.get("{http://www.aiim.org/pdfa/ns/id/}conformance")
    assert (str(part), str(conformance)) == ("3", "B"), (label, part, conformance)
    intents = doc.Root.OutputIntents
    assert len(intents) >= 1 and intents[0].S == "/GTS_PDFA1", label
    assert "/DestOutputProfile" in intents[0], f"{label}: the output intent has no ICC profile"
    assert str(doc.Root.Lang) == "zh-CN", label
    af = doc.Root.AF
    assert len(af) == 1, label
    spec = af[0]
    assert spec.AFRelationship == "/Source", label
    stream = spec.EF.F
    assert stream.Subtype == "/application/json", (label, stream.Subtype)
    assert json.loads(stream.read_bytes()) == payload, f"{label}: the attachment is not the payload"
    names = doc.Root.Names.EmbeddedFiles.Names
    assert str(names[0]) == str(spec.F) and names[1].objgen == spec.objgen, label
    for page in doc.pages:
        for name, font in (page.Resources.get("/Font") or {}).items():
            descendants = font.get("/DescendantFonts")
            d = descendants[0] if descendants is not None else font
            fd = d.get("/FontDescriptor")
            assert fd is not None and any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                f"{label}: font {name} is not embedded"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        subprocess.run(["qpdf", "--check", f.name], check=True, stdout=subprocess.DEVNULL)
    return len(doc.pages)


def main():
    base, key = sys.argv[1], sys.argv[2]
    kinds = json.loads(urlopen_json(base, key))
    done = []
    for k in kinds:
        slug = k["kind"]
        if "pdf" not in k["formats"]:
            continue
        payload = json.loads((ROOT / "examples" / f"{slug}.json").read_bytes())
        status, ctype, body = post(base, key, f"/v1/documents/{slug}?format=pdf&archive=pdfa",
                                   json.dumps(payload).encode(), "application/json")
        assert status == 200 and ctype == "application/pdf", (slug, status, body[:300])
        pages = check_pdfa(body, payload, slug)
        done.append(f"{slug} ({pages} p.)")
    print("PDF/A-3b read back by pikepdf and qpdf, the payload attached as its source:", ", ".join(done))


def urlopen_json(base, key):
    import urllib.request
    req = urllib.request.Request(base + "/v1/kinds", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


if __name__ == "__main__":
    main()
