"""The verifier's cases, asked of pyHanko: every file tests/integration/forgeries.rs built
(written by `cargo test` with COLLABDOCS_CASES_DIR set) is validated by pyHanko with the same
trust anchors, and the two verdicts must agree where it matters:

  - pyHanko finds a signature broken (not intact, not valid)  -> ours is not valid;
  - pyHanko finds changes beyond signing and validation data
    (modification level ANNOTATIONS or OTHER, DocMDP not kept,
    a coverage short of a whole revision, or a file it refuses) -> ours says `content`
                                                                  (or is not valid);
  - pyHanko does not trust a signer or a time-stamp authority  -> neither do we;
  - for the genuine cases, pyHanko says intact, valid, trusted and unmodified or
    permitted, as we do.

Where we are stricter than pyHanko the table says so; that is allowed (a forged empty
signature field, say, pyHanko passes as form filling; of an old CRL that lists nothing and a
newer one that records the revocation, pyHanko lets the old one vouch for the certificate).

Usage: python3 .ci/verify_cases.py CASES_DIR
"""

import io
import json
import logging
import pathlib
import sys

from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

PERMITTED = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}


def pyhanko_verdict(pdf, anchors_path):
    """What pyHanko says of every signature: a list of dicts, or the reason it refused."""
    anchors = list(load_certs_from_pemder([str(anchors_path)])) if anchors_path.stat().st_size else []
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception as e:  # noqa: BLE001 — a file pyHanko cannot read is a refusal
        return f"refused: {e}"
    out = []
    settings = {"trust_roots": anchors, "allow_fetching": False, "revocation_mode": "soft-fail"}

    def context():
        """The file's own validation data (its DSS) when it has one, as a reader offline has."""
        try:
            return DocumentSecurityStore.read_dss(reader).as_validation_context(settings)
        except Exception:  # noqa: BLE001 — no store, or one pyHanko cannot read
            return ValidationContext(**settings)

    for sig in sigs:
        vc = context()
        try:
            if sig.sig_object_type == "/DocTimeStamp":
                st = validate_pdf_timestamp(sig, validation_context=vc)
                ts = None
            else:
                st = validate_pdf_signature(sig, vc, ts_validation_context=vc)
                ts = st.timestamp_validity
        except Exception as e:  # noqa: BLE001
            out.append({"refused": str(e)[:200]})
            continue
        level = st.modification_level
        out.append({
            "intact": bool(st.intact),
            "valid": bool(st.valid),
            "trusted": bool(st.trusted),
            "level": level.name if level is not None else None,
            "docmdp_ok": st.docmdp_ok,
            "permitted": (
                (level is None or level in PERMITTED)
                and st.docmdp_ok is not False
                and st.coverage in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
            ),
            "ts_trusted": None if ts is None else bool(ts.intact and ts.valid and ts.trusted),
        })
    return out


def main():
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    cases = pathlib.Path(sys.argv[1])
    files = sorted(cases.glob("*.json"))
    assert files, f"no cases in {cases}: run cargo test with COLLABDOCS_CASES_DIR={cases}"
    failures = []
    print(f"{'case':38} {'expected':10} {'ours':28} pyHanko")
    for f in files:
        said = json.loads(f.read_text())
        name, expect, ours = said["name"], said["expect"], said["ours"]
        pdf = (cases / f"{name}.pdf").read_bytes()
        py = pyhanko_verdict(pdf, cases / f"{name}.anchors.pem")
        our_sigs = ours["signatures"]
        our_content = any(s["changed_after_signing"] == "content" for s in our_sigs)
        our_text = ("valid" if ours["valid"] else "not valid") + (", trusted" if ours["trusted"] else "") + (
            ", content" if our_content else "")
        notes = []

        def fail(why):
            failures.append(f"{name}: {why}")
            notes.append("DISAGREE: " + why)

        if isinstance(py, str):
            py_text = py[:80]
            if ours["valid"]:
                fail("pyHanko refuses the file, we call it valid")
        else:
            py_text = "; ".join(
                s.get("refused", "")[:60] or
                f"{'intact' if s['intact'] else 'BROKEN'}/{s['level']}/{'trusted' if s['trusted'] else 'untrusted'}"
                + ("" if s["ts_trusted"] is None else f"/ts {'trusted' if s['ts_trusted'] else 'untrusted'}")
                for s in py)
            if any("refused" in s for s in py) and ours["valid"]:
                fail("pyHanko cannot validate a signature, we call the file valid")
            checked = [s for s in py if "refused" not in s]
            if any(not (s["intact"] and s["valid"]) for s in checked) and ours["valid"]:
                fail("pyHanko finds a signature broken, we call the file valid")
            if any(not s["permitted"] for s in checked) and not (our_content or not ours["valid"]):
                fail("pyHanko finds changes beyond what is permitted, we do not")
            if any(not s["trusted"] for s in checked) and ours["trusted"]:
                fail("pyHanko does not trust a signer we trust")
            for s, o in zip(checked, [s for s in our_sigs if s["kind"] == "signature"]):
                if s["ts_trusted"] is False and (o.get("time_stamp") or {}).get("trusted"):
                    fail("pyHanko does not trust a time-stamp we trust")
            if expect == "trusted" and not all(s["intact"] and s["valid"] and s["trusted"] and s["permitted"] for s in checked):
                fail("a genuine case pyHanko does not pass")
            if checked and all(s["permitted"] for s in checked) and our_content:
                notes.append("stricter than pyHanko: content")
            if checked and all(s["trusted"] for s in checked) and ours["valid"] and not ours["trusted"]:
                notes.append("stricter than pyHanko: not trusted")
        print(f"{name:38} {expect:10} {our_text:28} {py_text}{'  (' + '; '.join(notes) + ')' if notes else ''}")
    if failures:
        raise SystemExit("pyHanko and /v1/verify disagree:\n  " + "\n  ".join(failures))
    print(f"{len(files)} cases: pyHanko and our verifier agree")


if __name__ == "__main__":
    main()
