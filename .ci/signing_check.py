"""Checks a digitally signed agreement from the running service with pyHanko and qpdf.

1. The service signs the example agreement (sign=true); pyHanko, trusting only the
   development certificate, finds the signature intact, valid, trusted and covering the
   entire file; `qpdf --check` finds no error.
2. One byte flipped inside the signed range: pyHanko finds the signature broken.
3. An incremental update appended: pyHanko reports the signature no longer covers the file.
4. POST /v1/verify agrees with pyHanko on all three.
5. `collabdocs render --sign` with the RSA key in the PKCS#12 test fixture: pyHanko finds
   that signature intact, valid and trusted too.

Usage: python3 .ci/signing_check.py BASE_URL API_KEY CERT_PEM
"""

import io
import json
import logging
import os
import pathlib
import subprocess
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from service import post

ROOT = pathlib.Path(__file__).resolve().parent.parent


def pyhanko_status(pdf, cert):
    vc = ValidationContext(trust_roots=[cert], allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(pdf))
    sigs = reader.embedded_signatures
    assert len(sigs) == 1, f"{len(sigs)} signatures"
    return validate_pdf_signature(sigs[0], vc)


def service_verdict(base, key, pdf):
    status, _, body = post(base, key, "/v1/verify", pdf, "application/pdf")
    assert status == 200, status
    return json.loads(body)


def main():
    # pyHanko logs its analysis of the appended revision as an error; the verdict is asserted.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    base, key, cert_path = sys.argv[1], sys.argv[2], sys.argv[3]
    cert = load_cert_from_pemder(cert_path)
    example = (ROOT / "examples" / "agreement.json").read_bytes()
    status, _, signed = post(base, key, "/v1/documents/agreement?format=pdf&sign=true", example, "application/json")
    assert status == 200 and signed.startswith(b"%PDF-"), status
    out = ROOT / "target" / "ci-signed-agreement.pdf"
    out.write_bytes(signed)

    s = pyhanko_status(signed, cert)
    assert s.intact and s.valid and s.trusted, s.pretty_print_details()
    assert s.coverage == SignatureCoverageLevel.ENTIRE_FILE, s.coverage
    v = service_verdict(base, key, signed)
    assert v["valid"] and v["covers_whole_file"] and not v["modified_after_signing"], v
    print("signed: pyHanko and /v1/verify both find it intact, valid and covering the entire file")
    subprocess.run(["qpdf", "--check", str(out)], check=True, stdout=subprocess.DEVNULL)
    print("signed: qpdf --check finds no error")

    # One byte flipped inside the first page's content stream (inside the signed range).
    flipped = bytearray(signed)
    at = signed.index(b"stream\n") + 7 + 20
    flipped[at] ^= 0x01
    s = pyhanko_status(bytes(flipped), cert)
    assert not s.intact and not s.bottom_line, s.pretty_print_details()
    v = service_verdict(base, key, bytes(flipped))
    assert not v["valid"], v
    print("flipped byte: pyHanko and /v1/verify both find the signature broken")

    # An incremental update after signing.
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    w.root["/PageMode"] = generic.NameObject("/UseOutlines")
    w.update_root()
    buf = io.BytesIO()
    w.write(buf)
    updated = buf.getvalue()
    s = pyhanko_status(updated, cert)
    assert s.intact, "the signed revision itself is intact"
    assert s.coverage != SignatureCoverageLevel.ENTIRE_FILE, s.coverage
    v = service_verdict(base, key, updated)
    assert v["modified_after_signing"] and not v["covers_whole_file"] and not v["valid"], v
    print(f"appended update: pyHanko reports {s.coverage.name}, /v1/verify reports it modified after signing")

    fixtures = ROOT / "tests" / "fixtures" / "signing"
    env = dict(
        os.environ,
        COLLABDOCS_SIGNING_P12=str(fixtures / "rsa.p12"),
        COLLABDOCS_SIGNING_P12_PASSWORD="collabdocs-test",
    )
    rsa_signed = subprocess.run(
        [str(ROOT / "target" / "debug" / "collabdocs"), "render", "agreement",
         "-i", str(ROOT / "examples" / "agreement.json"), "-f", "pdf", "--sign"],
        check=True, capture_output=True, env=env,
    ).stdout
    s = pyhanko_status(rsa_signed, load_cert_from_pemder(str(fixtures / "rsa-cert.pem")))
    assert s.intact and s.valid and s.trusted, s.pretty_print_details()
    assert s.coverage == SignatureCoverageLevel.ENTIRE_FILE, s.coverage
    print("RSA key from PKCS#12 (CLI): pyHanko finds it intact, valid, trusted, covering the entire file")


if __name__ == "__main__":
    main()
