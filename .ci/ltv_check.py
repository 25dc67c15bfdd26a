"""PAdES B-T, B-LT and B-LTA signatures against a real test PKI, checked with pyHanko.

While the PKI (certomancer) runs, the service signs:
  - the example agreement over HTTP at the level its settings allow (B-LTA);
  - at B-T and B-LT with `collabdocs render --sign`;
  - with the revoked certificate: B-LT is refused (nothing is signed with a revoked key); at
    B-T it signs, and pyHanko then adds a document security store with the CRL;
  - with a look-alike self-signed certificate of the same subject (B-B).
Then the PKI is stopped — the network off — and:
  - pyHanko finds B-T's signature time-stamp valid, trusted and made just now;
  - pyHanko validates B-LT and B-LTA from the embedded data alone (revocation required, no
    fetching), and B-LTA passes its AdES long-term validation;
  - /v1/verify agrees: levels B-T, B-LT, B-LTA, time source `time-stamp`, revocation `good`,
    trusted; the revoked signer `revoked` and not trusted, pyHanko's DSS update `permitted`;
    the look-alike intact, not trusted, not signed by this service;
  - a byte flipped inside the signed range → invalid; content appended after signing →
    `content`; qpdf --check passes every output;
  - signing now, with the time-stamp authority unreachable → a 502 problem and no file;
  - every party's signature (.ci/parties_check.py): four department heads sign the certified
    agreement in two orders, each raised to B-LTA; pyHanko and /v1/verify validate them all
    with the network off; the seal's size and the 骑缝章 are measured on rendered pages.

Usage: python3 .ci/ltv_check.py BASE_URL API_KEY PKI_DIR PKI_URL PKI_PID BB_URL
(BB_URL: the same service signing at B-B.)
"""

import asyncio
import datetime
import io
import json
import logging
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

import parties_check
from service import post

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "debug" / "collabdocs"
EXAMPLE = ROOT / "examples" / "agreement.json"


def cli_sign(env_extra, out):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLABDOCS_")}
    env.update(env_extra)
    return subprocess.run(
        [str(BIN), "render", "agreement", "-i", str(EXAMPLE), "-f", "pdf", "--sign", "-o", str(out)],
        capture_output=True, env=env,
    )


def reader(pdf):
    return PdfFileReader(io.BytesIO(pdf))


def embedded_context(pdf, root):
    """Only what the file carries: revocation data required, nothing fetched."""
    return DocumentSecurityStore.read_dss(reader(pdf)).as_validation_context(
        {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )


def lta_validation(pdf, root):
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=[root]),
            revinfo_policy=CertRevTrustPolicy(revocation_checking_policy=REQUIRE_REVINFO),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(RevinfoOnlineFetchingRule.LOCAL_ONLY),
    ))
    sig = reader(pdf).embedded_regular_signatures[0]
    return asyncio.run(ades_lta_validation(sig, spec))


def look_alike(signer_cert_path, out_dir):
    """A self-signed certificate with exactly the signer's subject, and its key."""
    real = x509.load_pem_x509_certificate(signer_cert_path.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(real.subject)
        .issuer_name(real.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    (out_dir / "lookalike.key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (out_dir / "lookalike.cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def main():
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    base, key, pki, prefix, ca_pid = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    base_bb = sys.argv[6]
    out = pki / "out"
    root = load_cert_from_pemder(str(out / "root.cert.pem"))
    signer_env = {
        "COLLABDOCS_SIGNING_KEY": str(pki / "keys" / "signer.key.pem"),
        "COLLABDOCS_SIGNING_CERT": str(out / "signer.cert.pem"),
        "COLLABDOCS_SIGNING_CHAIN": str(pki / "chain.pem"),
        "COLLABDOCS_TSA_URL": f"{prefix}/ci/tsa/tsa",
    }
    files = {}

    # --- signing, while the PKI runs
    status, _, lta = post(base, key, "/v1/documents/agreement?format=pdf&sign=true", EXAMPLE.read_bytes(), "application/json")
    assert status == 200 and lta.startswith(b"%PDF-"), (status, lta[:300])
    files["b-lta"] = lta
    for level in ["b-t", "b-lt"]:
        path = pki / f"{level}.pdf"
        r = cli_sign({**signer_env, "COLLABDOCS_SIGNATURE_LEVEL": level}, path)
        assert r.returncode == 0, r.stderr.decode()
        files[level] = path.read_bytes()
    signed_at = time.time()

    revoked_env = {**signer_env,
                   "COLLABDOCS_SIGNING_KEY": str(pki / "keys" / "revoked.key.pem"),
                   "COLLABDOCS_SIGNING_CERT": str(out / "revoked.cert.pem")}
    path = pki / "revoked-lt.pdf"
    r = cli_sign({**revoked_env, "COLLABDOCS_SIGNATURE_LEVEL": "b-lt"}, path)
    assert r.returncode != 0 and b"revoked" in r.stderr and not path.exists(), r.stderr.decode()
    print("revoked signing certificate: B-LT refused (", r.stderr.decode().strip()[:140], ")")
    path = pki / "revoked-t.pdf"
    r = cli_sign({**revoked_env, "COLLABDOCS_SIGNATURE_LEVEL": "b-t"}, path)
    assert r.returncode == 0, r.stderr.decode()
    crls = [asn1_crl.CertificateList.load(urllib.request.urlopen(f"{prefix}/ci/crls/{ca}/latest.crl", timeout=10).read())
            for ca in ["interm", "root"]]
    buf = io.BytesIO(path.read_bytes())
    DocumentSecurityStore.add_dss(
        buf, None,
        certs=[load_cert_from_pemder(str(out / n)) for n in ["revoked.cert.pem", "interm.cert.pem", "root.cert.pem"]],
        crls=crls,
    )
    files["revoked"] = buf.getvalue()

    look_alike(out / "signer.cert.pem", pki)
    path = pki / "lookalike.pdf"
    r = cli_sign({"COLLABDOCS_SIGNING_KEY": str(pki / "lookalike.key.pem"),
                  "COLLABDOCS_SIGNING_CERT": str(pki / "lookalike.cert.pem")}, path)
    assert r.returncode == 0, r.stderr.decode()
    files["look-alike"] = path.read_bytes()

    parties_check.sign(base, key, pki, files, base_bb)

    # --- the network off
    os.kill(ca_pid, signal.SIGTERM)
    for _ in range(50):
        try:
            urllib.request.urlopen(f"{prefix}/ci/crls/root/latest.crl", timeout=1)
            time.sleep(0.1)
        except Exception:
            break
    else:
        raise SystemExit("the test PKI did not stop")
    print("the test PKI is stopped: what follows uses only what the files carry")

    verdicts = {}
    for name, pdf in files.items():
        status, _, body = post(base, key, "/v1/verify", pdf, "application/pdf")
        assert status == 200, (name, status, body)
        verdicts[name] = json.loads(body)
        (pki / f"checked-{name}.pdf").write_bytes(pdf)
        subprocess.run(["qpdf", "--check", str(pki / f"checked-{name}.pdf")], check=True, stdout=subprocess.DEVNULL)
    print("qpdf --check finds no error in", ", ".join(files))

    parties_check.check(files, verdicts, root, embedded_context)

    # B-T: a signature time-stamp made just now, by a trusted authority.
    s = validate_pdf_signature(reader(files["b-t"]).embedded_regular_signatures[0],
                               ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"))
    ts = s.timestamp_validity
    assert s.intact and s.valid and ts is not None and ts.intact and ts.valid and ts.trusted, s.pretty_print_details()
    assert abs(ts.timestamp.timestamp() - signed_at) < 300, (ts.timestamp, signed_at)
    v = verdicts["b-t"]["signatures"][0]
    assert v["level"] == "B-T" and v["signing_time_source"] == "time-stamp" and v["time_stamp"]["valid"], v
    stamped = datetime.datetime.fromisoformat(v["signing_time"].replace("Z", "+00:00")).timestamp()
    assert abs(stamped - ts.timestamp.timestamp()) < 2, (v["signing_time"], ts.timestamp)
    print(f"B-T: pyHanko finds the signature time-stamp valid and trusted ({ts.timestamp}); /v1/verify agrees")

    # B-LT and B-LTA: valid from the embedded data alone.
    for name, level in [("b-lt", "B-LT"), ("b-lta", "B-LTA")]:
        pdf = files[name]
        s = validate_pdf_signature(reader(pdf).embedded_regular_signatures[0],
                                   embedded_context(pdf, root), ts_validation_context=embedded_context(pdf, root))
        assert s.bottom_line and s.trusted and not s.revoked, s.pretty_print_details()
        v = verdicts[name]
        sig = v["signatures"][0]
        assert v["valid"] and sig["level"] == level and sig["revocation"] == "good" and sig["trusted"], v
        assert sig["changed_after_signing"] == "permitted" and sig["signed_by_this_service"], v
        print(f"{level}: pyHanko validates it from the embedded data with the network off; /v1/verify: {level}, good, trusted")
    result = lta_validation(files["b-lta"], root)
    assert str(result.ades_subindic) == "AdESPassed.OK", result.ades_subindic
    kinds = [s["kind"] for s in verdicts["b-lta"]["signatures"]]
    assert kinds == ["signature", "document-time-stamp"], kinds
    print("B-LTA: pyHanko's AdES long-term validation passes (network off)")

    # The revoked signer, with a DSS pyHanko wrote.
    s = validate_pdf_signature(reader(files["revoked"]).embedded_regular_signatures[0], embedded_context(files["revoked"], root))
    assert s.intact and s.revoked and not s.bottom_line, s.pretty_print_details()
    v = verdicts["revoked"]
    sig = v["signatures"][0]
    assert sig["valid"] and sig["revocation"] == "revoked" and not sig["trusted"], v
    assert sig["changed_after_signing"] == "permitted" and v["valid"], v
    print("revoked certificate: pyHanko and /v1/verify both report it revoked; pyHanko's DSS update is 'permitted'")

    # The look-alike.
    v = verdicts["look-alike"]
    sig = v["signatures"][0]
    assert v["valid"] and not sig["trusted"] and not sig["signed_by_this_service"], v
    print("look-alike self-signed certificate, same subject: intact, trusted: false, signed_by_this_service: false")

    # A byte flipped inside the signed range.
    flipped = bytearray(files["b-lta"])
    at = flipped.index(b"stream\n") + 7 + 20
    flipped[at] ^= 0x01
    status, _, body = post(base, key, "/v1/verify", bytes(flipped), "application/pdf")
    v = json.loads(body)
    assert status == 200 and not v["valid"] and not v["signatures"][0]["valid"], v
    s = validate_pdf_signature(reader(bytes(flipped)).embedded_regular_signatures[0],
                               embedded_context(files["b-lta"], root), skip_diff=True)
    assert not s.intact, s.pretty_print_details()
    print("byte flipped: pyHanko and /v1/verify both find the signature broken")

    # Content appended after signing.
    w = IncrementalPdfFileWriter(io.BytesIO(files["b-lta"]))
    w.root["/PageMode"] = generic.NameObject("/UseOutlines")
    w.update_root()
    buf = io.BytesIO()
    w.write(buf)
    status, _, body = post(base, key, "/v1/verify", buf.getvalue(), "application/pdf")
    v = json.loads(body)
    assert not v["valid"] and all(s["changed_after_signing"] == "content" for s in v["signatures"]), v
    print("content appended after signing: /v1/verify reports 'content' for every signature, not valid")

    # The time-stamp authority is gone now: signing fails with a clear 502 and no file.
    status, ctype, body = post(base, key, "/v1/documents/agreement?format=pdf&sign=true", EXAMPLE.read_bytes(), "application/json")
    problem = json.loads(body)
    assert status == 502 and ctype == "application/problem+json" and "time-stamp authority" in problem["detail"], (status, body)
    print("time-stamp authority unreachable: 502,", problem["detail"][:120])


if __name__ == "__main__":
    main()
