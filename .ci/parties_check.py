"""Every party signs an agreement with a key of its own, against the real test PKI.

Imported by .ci/ltv_check.py. While the PKI runs, `sign` has the service certify the example
agreement at B-LTA with the 骑缝章 across its pages (once as a PDF/A-3b copy), then the four department heads sign their
lines one after another through /v1/sign/prepare and /v1/sign/complete, in two orders:
  - 陈静 (P-256) and 张伟, 周毅 (P-256) with pyHanko's signer playing the USB key: a detached
    CMS over the digest the service answered, their seal picture pressed over their line;
  - 李明 (RSA-2048) with a raw PKCS#1 v1.5 signature over the signed attributes the service
    answered for his certificate; the service builds the CMS.
The service raises each party's signature to its own level (B-LTA): a signature time-stamp,
the party's chain and revocation data in the document security store, a document time-stamp.
After the PKI is stopped, `check` has pyHanko validate every signature of both files from the
embedded data alone (intact, trusted, not revoked, the certification's modifications
permitted), /v1/verify say `fully-signed` with every party at B-LTA, and the pages rendered
(pdfium) show the seal at its real size and the 骑缝章's slices at every page's right edge.
"""

import asyncio
import base64
import io
import json
import pathlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from archive_check import check_pdfa
from service import post, post_form

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADS = {1: "party1", 2: "party2", 3: "party3", 4: "party4"}
SEAL_MM = 40


def b64(data):
    return base64.b64encode(data).decode()


def prepare(base, key, pdf, field, parts):
    status, _, body = post_form(base, key, f"/v1/sign/prepare?field={field}&seal_mm={SEAL_MM}", {"pdf": pdf, **parts})
    assert status == 200, (field, status, body[:400])
    return json.loads(body)


def complete(base, key, asked):
    status, ctype, body = post(base, key, "/v1/sign/complete", json.dumps(asked).encode(), "application/json")
    assert status == 200 and body.startswith(b"%PDF-"), (status, body[:400])
    return body


def party_signs(base, key, pki, pdf, n, seal):
    """Party n signs its line of `pdf`: a CMS from pyHanko, or (party 2) a raw RSA signature."""
    out = pki / "out"
    name = HEADS[n]
    cert_pem = (out / f"{name}.cert.pem").read_bytes()
    if n == 2:
        p = prepare(base, key, pdf, f"party-{n}", {"certificate": cert_pem})
        attrs = base64.b64decode(p["signed_attributes"])
        rsa = serialization.load_pem_private_key((pki / "keys" / f"{name}.key.pem").read_bytes(), None)
        signature = rsa.sign(attrs, padding.PKCS1v15(), hashes.SHA256())
        ders = []
        for f in [f"{name}.cert.pem", "interm.cert.pem", "root.cert.pem"]:
            ders.append(b64(x509.load_pem_x509_certificate((out / f).read_bytes()).public_bytes(serialization.Encoding.DER)))
        return complete(base, key, {"token": p["token"], "prepared_pdf": p["prepared_pdf"],
                                    "signature": b64(signature), "certificates": ders}), p
    p = prepare(base, key, pdf, f"party-{n}", {"seal": seal})
    signer = signers.SimpleSigner.load(
        str(pki / "keys" / f"{name}.key.pem"), str(out / f"{name}.cert.pem"),
        ca_chain_files=(str(out / "interm.cert.pem"), str(out / "root.cert.pem")),
    )
    cms = asyncio.run(signer.async_sign(base64.b64decode(p["digest_base64"]), "sha256", use_pades=True))
    return complete(base, key, {"token": p["token"], "prepared_pdf": p["prepared_pdf"], "cms": b64(cms.dump())}), p


def sign(base, key, pki, files, base_bb):
    """While the PKI runs: the certified agreement, signed by all four parties in two orders
    at B-LTA, and in a third at B-B (`base_bb`, the service signing at B-B)."""
    example = (ROOT / "examples" / "agreement.json").read_bytes()
    seal = (pki / "seal.png").read_bytes()
    for label, order, url, archive in [("parties-a", [2, 4, 1, 3], base, ""), ("parties-b", [1, 2, 3, 4], base, "&archive=pdfa"),
                                       ("parties-bb", [3, 1, 4, 2], base_bb, "")]:
        status, _, pdf = post(url, key, f"/v1/documents/agreement?format=pdf&sign=true&cross_page_seal=true{archive}",
                              example, "application/json")
        assert status == 200 and pdf.startswith(b"%PDF-"), (status, pdf[:300])
        for n in order:
            before = pdf
            pdf, prepared = party_signs(url, key, pki, pdf, n, seal)
            assert pdf.startswith(before), "each party's signature is an incremental update"
            if n == 1 and label == "parties-b":
                files["party-1-alone"] = pdf
        files[label] = pdf
    print("four department heads signed the certified agreement in two orders at B-LTA and one at B-B (pyHanko's signer as the USB key; one raw RSA signature)")


def red_box(image, box=None):
    """The bounding box of the seal-red pixels of a PIL image (within `box`)."""
    px = image.convert("RGB").load()
    x0, y0, x1, y1 = box or (0, 0, image.width, image.height)
    found = [(x, y) for y in range(y0, y1) for x in range(x0, x1)
             if px[x, y][0] > 150 and px[x, y][1] < 90 and px[x, y][2] < 90]
    if not found:
        return None
    xs, ys = [p[0] for p in found], [p[1] for p in found]
    return min(xs), min(ys), max(xs), max(ys)


def pages(pdf, scale):
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    doc.init_forms()
    return [doc[i].render(scale=scale, may_draw_forms=True).to_pil() for i in range(len(doc))]


def check_visual(files):
    scale = 2  # 144 dpi: 1 pt is 2 px
    mm = 72 / 25.4 * scale
    # The seal of party 1 alone, on the signature page: its ring's outer diameter is 98 % of
    # the picture (.ci/pki/seal.py), the picture SEAL_MM wide.
    pdf = files["party-1-alone"]
    form = PdfFileReader(io.BytesIO(pdf)).root["/AcroForm"]["/Fields"]
    widget = next(f.get_object() for f in form if f.get_object()["/T"] == "party-1")
    x0, y0, x1, y1 = [float(v) for v in widget["/Rect"]]
    signature_page = pages(pdf, scale)[-1]
    top = signature_page.height / scale
    box = red_box(signature_page, (int(x0 * scale), int((top - y1) * scale), int(x1 * scale), int((top - y0) * scale)))
    assert box is not None, "the party's seal is drawn"
    tall = (box[3] - box[1] + 1) / mm / 0.98
    assert abs(tall - SEAL_MM) < 1.0, f"the seal is {tall:.1f} mm, not {SEAL_MM}"
    print(f"visual: the party's seal is {tall:.1f} mm across on the rendered page (asked {SEAL_MM} mm)")
    # The 骑缝章: each page shows its slice in the last strip of its right edge, nothing left of it.
    rendered = pages(files["parties-a"], scale)
    total = len(rendered)
    strip = SEAL_MM * mm / total
    heights = []
    for i, page in enumerate(rendered):
        edge = red_box(page, (page.width - int(strip) - 1, 0, page.width, page.height))
        assert edge is not None, f"page {i + 1} shows its slice of the 骑缝章"
        left = red_box(page, (page.width - int(strip) - int(6 * mm), edge[1], page.width - int(strip) - 3, edge[3] + 1))
        assert left is None, f"page {i + 1}: the 骑缝章 is clipped to its strip ({left})"
        mid = (edge[1] + edge[3]) / 2 / scale
        assert abs(mid - page.height / scale / 2) < 60, f"page {i + 1}: the slice sits halfway down ({mid})"
        heights.append((edge[3] - edge[1] + 1) / mm)
    assert abs(max(heights) / 0.98 - SEAL_MM) < 1.5, heights
    print(f"visual: the 骑缝章 shows a slice at the right edge of each of the {total} pages, {strip / mm:.1f} mm wide; the tallest is {max(heights):.1f} mm")


def check(files, verdicts, root, embedded_context):
    """With the PKI stopped: pyHanko and /v1/verify on the three files, and the pages' pictures."""
    # B-B: nothing but the signatures; trusted with revocation unchecked (soft-fail, offline).
    pdf = files["parties-bb"]
    for s in PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures:
        status = validate_pdf_signature(s, ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"))
        assert status.bottom_line and status.docmdp_ok, status.pretty_print_details()
        assert status.modification_level is None or status.modification_level <= ModificationLevel.FORM_FILLING
    v = verdicts["parties-bb"]
    assert v["state"] == "fully-signed" and v["trusted"], v
    assert [s["level"] for s in v["signatures"]] == ["B-B"] * 5, v
    print("parties-bb: pyHanko validates all five B-B signatures (certification kept); /v1/verify: fully-signed, every one B-B")
    for label in ["parties-a", "parties-b"]:
        pdf = files[label]
        r = PdfFileReader(io.BytesIO(pdf))
        sigs = r.embedded_regular_signatures
        assert len(sigs) == 5, [s.field_name for s in sigs]
        for s in sigs:
            status = validate_pdf_signature(s, embedded_context(pdf, root), ts_validation_context=embedded_context(pdf, root))
            assert status.bottom_line and status.trusted and not status.revoked, status.pretty_print_details()
            assert status.docmdp_ok, status.pretty_print_details()
            level = status.modification_level
            assert level is None or level <= ModificationLevel.FORM_FILLING, (s.field_name, level)
        v = verdicts[label]
        assert v["valid"] and v["trusted"] and v["fully_signed"] and v["state"] == "fully-signed", v
        assert v["missing_parties"] == [] and v["unsigned_fields"] == [], v
        parties = [s for s in v["signatures"] if (s.get("field") or "").startswith("party-")]
        assert len(parties) == 4, v
        for s in parties:
            assert s["valid"] and s["trusted"] and s["level"] == "B-LTA" and s["revocation"] == "good", s
            assert s["changed_after_signing"] == "permitted" and not s["signed_by_this_service"], s
        if label == "parties-b":
            check_pdfa(pdf, json.loads((ROOT / "examples" / "agreement.json").read_bytes()), label)
            print(f"{label}: a PDF/A-3b copy, and still one after five signatures, the DSS and document time-stamps (pikepdf)")
        print(f"{label}: pyHanko validates all five signatures from the embedded data (certification kept, "
              f"each party trusted, not revoked); /v1/verify: fully-signed, every party B-LTA")
    check_visual(files)
