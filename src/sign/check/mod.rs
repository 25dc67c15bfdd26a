//! Checking signatures. Verification: every signature and document time-stamp found through the document's form
//! fields — its digest and signature checked against the certificate it carries, its
//! time-stamp, the revocation data embedded for it, its chain against the trust anchors, and
//! what the revisions after it changed.

use cms::cert::x509::Certificate;
use sha2::{Digest, Sha256};

use crate::sign::reader::PdfFile;
use changes::After;
pub(in crate::sign) use found::text_string;
use found::{find_signatures, read_dss, Dss, Found};
use revocation::{embedded_status, Status};
use signer::{check_signer, signed_data, SignerFacts};
pub use trust::rfc3339;
use trust::{describe, evaluate, fingerprint, CertificateInfo, Purpose};

mod changes;
mod found;
pub(in crate::sign) mod revocation;
pub(in crate::sign) mod signer;
pub use signer::chain as signer_chain;
pub(in crate::sign) mod token;
pub mod trust;

pub use trust::Trust;

/// What `POST /v1/verify` reports about one signature or document time-stamp.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SignatureReport {
    /// `signature`, or `document-time-stamp` (an RFC 3161 token over the file, B-LTA).
    pub kind: String,
    /// The signature field it fills (`party-2`, `Signature1`).
    pub field: Option<String>,
    /// Whom the field is for, as the document names the party (`市场部 李明（签字人）`): the
    /// field's description.
    pub party: Option<String>,
    /// For the certification signature (the document's `/Perms /DocMDP`), the changes it
    /// permits after it: 1 none but validation data and time-stamps, 2 filling in forms and
    /// signing, 3 also annotations. Its `changed_after_signing` says whether they were kept.
    pub certification: Option<u8>,
    /// The digest matches the signed bytes and the signature (or token) verifies with the
    /// certificate it names.
    pub valid: bool,
    /// The signer certificate's subject (`CN=…,O=…`); for a document time-stamp, the
    /// time-stamp authority's.
    pub signer: Option<String>,
    /// SHA-256 of the signer's certificate (DER), in hex: compare it with the certificate
    /// you trust.
    pub certificate_sha256: Option<String>,
    /// The signer's certificate is the one this service signs with.
    pub signed_by_this_service: bool,
    /// The signed range is the whole file: from the first byte to its end, with only the
    /// signature itself left out.
    pub covers_whole_file: bool,
    /// Bytes follow the signed revision: the file was updated after signing.
    pub modified_after_signing: bool,
    /// What the revisions after this one changed: `none`; `permitted` — only validation data
    /// (a document security store), document time-stamps and further signatures; or
    /// `content` — anything else.
    pub changed_after_signing: String,
    /// What changed, when it is content.
    pub change: Option<String>,
    /// The signing time (RFC 3339, UTC): the signature time-stamp's when there is a valid
    /// one, else the signer's claim (`/M`).
    pub signing_time: Option<String>,
    /// Where the signing time comes from: `time-stamp` (a time-stamp authority's token) or
    /// `claimed` (the signer's own `/M`).
    pub signing_time_source: Option<String>,
    /// The signature time-stamp (B-T and up), or the token of a document time-stamp.
    pub time_stamp: Option<TimeStampReport>,
    /// The PAdES baseline level found: `B-B` (CAdES detached with signing-certificate-v2),
    /// `B-T` (and a valid signature time-stamp), `B-LT` (and revocation data for the signer
    /// in the document security store), `B-LTA` (and a document time-stamp over that);
    /// none for other signatures and for document time-stamps.
    pub level: Option<String>,
    /// The signer's certificate.
    pub certificate: Option<CertificateInfo>,
    /// The signer's certificate by the revocation data embedded in the file: `good`,
    /// `revoked` or `unknown` (no data about it).
    pub revocation: Option<String>,
    /// The certificate's chain reaches a trust anchor (`COLLABDOCS_TRUST_ANCHORS`), each
    /// certificate valid at the signing time, and it was not revoked by then. Separate from
    /// `valid`: an intact signature by an unknown certificate is valid and not trusted.
    pub trusted: bool,
    /// Why the certificate is trusted or not.
    pub trust: Option<String>,
    /// Why `valid` is false.
    pub problem: Option<String>,
}

/// An RFC 3161 time-stamp token as verified.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TimeStampReport {
    /// The token is over the right digest and its signature verifies.
    pub valid: bool,
    /// The time the authority vouches for (RFC 3339, UTC).
    pub time: Option<String>,
    /// The same, in seconds since 1970.
    #[serde(skip)]
    #[schema(ignore)]
    pub secs: Option<u64>,
    /// The time-stamp authority (its certificate's subject).
    pub authority: Option<String>,
    /// The authority's chain reaches a trust anchor, each certificate valid at that time.
    pub trusted: bool,
    /// Why the token is not valid, or why it is (not) trusted.
    pub detail: Option<String>,
}

/// What `POST /v1/verify` answers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// At least one signature; every signature and time-stamp valid; nothing after any of
    /// them but permitted updates (validation data, time-stamps, further signatures).
    pub valid: bool,
    /// `valid`, and every signature and time-stamp trusted: each signer's chain reaches a
    /// trust anchor. A later signature by someone you do not trust may draw anything over
    /// the page: `valid` alone does not say who signed.
    pub trusted: bool,
    /// The last signature's signer.
    pub signer: Option<String>,
    /// The last signature or time-stamp covers the whole file.
    pub covers_whole_file: bool,
    /// Something was appended after the last signature or time-stamp.
    pub modified_after_signing: bool,
    /// Every signature field found, in file order (at most 16 are examined).
    pub signatures: Vec<SignatureReport>,
    /// Why the file's signatures could not be read at all, if so.
    pub problem: Option<String>,
    /// The signature fields nobody has signed yet (a party's line still to sign).
    pub unsigned_fields: Vec<UnsignedField>,
    /// `valid`, and no signature field is left unsigned: every party has signed.
    pub fully_signed: bool,
    /// The document's state in one word: `fully-signed` (valid, every party signed),
    /// `awaiting-parties` (valid so far; `missing_parties` still to sign), `invalid` (a
    /// signature does not hold, or content changed after one), `unsigned` (no signature).
    pub state: &'static str,
    /// The parties still to sign, as the document names them (the field's name when it
    /// does not).
    pub missing_parties: Vec<String>,
}

/// A signature field without a signature.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UnsignedField {
    /// The field's name (`party-3`).
    pub field: String,
    /// Whom it is for, as the document names the party.
    pub party: Option<String>,
}

/// Checks a detached CMS SignedData (a party's signature) against the digest it must sign:
/// its signer's subject, or why it does not sign that digest with the certificate it carries.
pub fn check_detached(cms: &[u8], digest: &[u8]) -> Result<String, String> {
    let sd = signer::signed_data(cms)?;
    if sd.signer_infos.0.len() != 1 {
        return Err("holds more than one signer".into());
    }
    signer::check_signer(&sd, digest).0.map_err(|(_, why)| why)
}

/// The most signatures one verification examines.
pub const MAX_SIGNATURES: usize = 16;
/// Checks every signature in a PDF (at most [`MAX_SIGNATURES`]) against `trust`.
pub fn verify(pdf: &[u8], trust: &Trust) -> Verification {
    let mut unsigned_fields = Vec::new();
    let (signatures, problem) = match PdfFile::open(pdf).and_then(|f| {
        let found = find_signatures(&f)?;
        Ok((f, found))
    }) {
        Ok((file, (found, unsigned))) => {
            unsigned_fields = unsigned;
            let dss = read_dss(&file);
            let mut checked = Vec::new();
            let mut stopped = None;
            // From the newest back: a trusted document time-stamp proves that everything it
            // covers existed at its time, so what it covers is judged then; the newest is
            // judged now.
            let mut proven_at = now_secs();
            for f in found.iter().rev() {
                // Each signature hashes up to the whole file: stop at the request's deadline.
                if let Err(stop) = crate::budget::check() {
                    stopped = Some(format!("the check stopped: {stop}"));
                    break;
                }
                let report = verify_one(pdf, &file, f, trust, &dss, proven_at);
                if report.kind == "document-time-stamp" && report.valid && report.trusted {
                    if let Some(t) = report.time_stamp.as_ref().and_then(|t| t.secs) {
                        proven_at = proven_at.min(t);
                    }
                }
                checked.push(report);
            }
            checked.reverse();
            if stopped.is_none() {
                levels(&mut checked, &found, &dss);
                certification_kept(&mut checked);
            }
            (checked, stopped)
        }
        Err(e) => (
            Vec::new(),
            Some(format!("the signatures cannot be read: {e}")),
        ),
    };
    let last = signatures.last();
    let signer = signatures
        .iter()
        .rev()
        .find(|s| s.kind == "signature")
        .and_then(|s| s.signer.clone());
    let valid = problem.is_none()
        && signatures.iter().any(|s| s.kind == "signature")
        && signatures
            .iter()
            .all(|s| s.valid && s.changed_after_signing != "content");
    let signed = signatures.iter().any(|s| s.kind == "signature");
    Verification {
        valid,
        fully_signed: valid && unsigned_fields.is_empty(),
        state: match (valid, unsigned_fields.is_empty()) {
            (true, true) => "fully-signed",
            (true, false) => "awaiting-parties",
            (false, _) if signed || problem.is_some() => "invalid",
            (false, _) => "unsigned",
        },
        missing_parties: unsigned_fields
            .iter()
            .map(|f| f.party.clone().unwrap_or_else(|| f.field.clone()))
            .collect(),
        unsigned_fields,
        trusted: valid && signatures.iter().all(|s| s.trusted),
        signer,
        covers_whole_file: last.is_some_and(|s| s.covers_whole_file),
        modified_after_signing: last.is_some_and(|s| s.modified_after_signing),
        problem: problem.or_else(|| {
            signatures
                .is_empty()
                .then(|| "the file has no signature".into())
        }),
        signatures,
    }
}

/// A certification that permits no further signature (DocMDP P=1) followed by one: its
/// permissions were not kept, as pyHanko's DocMDP check says.
fn certification_kept(reports: &mut [SignatureReport]) {
    for i in 0..reports.len() {
        if reports[i].certification == Some(1)
            && reports[i + 1..].iter().any(|r| r.kind == "signature")
        {
            let r = &mut reports[i];
            r.changed_after_signing = "content".into();
            r.change = Some(
                "the certification (DocMDP P=1) permits no change but validation data and time-stamps, and a later signature was added".into(),
            );
        }
    }
}

/// Raises each signature's level by what follows it: B-LT when the document security store
/// holds revocation data that speaks for its signer, B-LTA when a valid document time-stamp
/// by a trusted authority covers that store. Only trusted time-stamps count.
fn levels(reports: &mut [SignatureReport], found: &[Found], dss: &Dss) {
    let covered_dss = dss.at.is_some_and(|at| {
        reports.iter().zip(found).any(|(r, f)| {
            r.kind == "document-time-stamp" && r.valid && r.trusted && f.range[2] > at
        })
    });
    for r in reports.iter_mut() {
        if r.level.as_deref() != Some("B-T") || r.revocation.as_deref() == Some("unknown") {
            continue;
        }
        if dss.at.is_some() {
            r.level = Some(if covered_dss { "B-LTA" } else { "B-LT" }.into());
        }
    }
}

fn verify_one(
    pdf: &[u8],
    file: &PdfFile,
    found: &Found,
    trust: &Trust,
    dss: &Dss,
    proven_at: u64,
) -> SignatureReport {
    let [a, b, c, d] = found.range;
    let stamp = found.sub_filter.as_deref() == Some("ETSI.RFC3161");
    let claimed = found.signing_time.as_deref().and_then(trust::pdf_date_secs);
    let mut report = SignatureReport {
        kind: if stamp {
            "document-time-stamp"
        } else {
            "signature"
        }
        .into(),
        field: found.field.clone(),
        party: found.party.clone(),
        certification: found.certification,
        valid: false,
        signer: None,
        certificate_sha256: None,
        signed_by_this_service: false,
        covers_whole_file: false,
        modified_after_signing: false,
        changed_after_signing: "none".into(),
        change: None,
        signing_time: claimed.map(rfc3339),
        signing_time_source: claimed.map(|_| "claimed".to_string()),
        time_stamp: None,
        level: None,
        certificate: None,
        revocation: None,
        trusted: false,
        trust: None,
        problem: None,
    };
    let end = c.checked_add(d);
    let framed = a == 0
        && b == found.contents.start
        && c == found.contents.end
        && end.is_some_and(|e| e <= pdf.len());
    let (true, Some(end)) = (framed, end) else {
        report.problem = Some("the byte range does not frame the signature contents".into());
        return report;
    };
    report.modified_after_signing = pdf[end..].iter().any(|b| !b.is_ascii_whitespace());
    // The range must reach the end of its revision: the %%EOF just before `end`.
    let tail = &pdf[end.saturating_sub(64)..end];
    let ends_revision = tail
        .windows(5)
        .rposition(|w| w == b"%%EOF")
        .is_some_and(|r| tail[r + 5..].iter().all(u8::is_ascii_whitespace));
    report.covers_whole_file = !report.modified_after_signing && ends_revision;
    if !ends_revision {
        report.changed_after_signing = "content".into();
        report.change = Some("the signed range does not end at the end of a revision".into());
    } else {
        match changes::after(file, end) {
            After::Nothing => {}
            After::Permitted => report.changed_after_signing = "permitted".into(),
            After::Content(what) => {
                report.changed_after_signing = "content".into();
                report.change = Some(what);
            }
        }
    }
    // Up to the whole file is hashed, a megabyte at a time with the deadline checked between.
    let mut hasher = Sha256::new();
    for part in [&pdf[..b], &pdf[c..end]] {
        for (i, chunk) in part.chunks(1 << 20).enumerate() {
            if let Err(stop) = crate::budget::check_every(i, 1) {
                report.problem = Some(stop);
                return report;
            }
            hasher.update(chunk);
        }
    }
    let digest = hasher.finalize();
    if stamp {
        document_time_stamp(&mut report, &found.der, &digest, trust, proven_at);
    } else {
        signature(&mut report, found, &digest, trust, dss, proven_at);
    }
    report
}

/// A document time-stamp: the token over the file's digest, by an authority trusted at
/// `proven_at` (now, or the time of a later trusted document time-stamp).
fn document_time_stamp(
    report: &mut SignatureReport,
    der: &[u8],
    digest: &[u8],
    trust: &Trust,
    proven_at: u64,
) {
    let Stamped { report: ts, cert } = time_stamp(der, digest, trust, proven_at);
    report.valid = ts.valid;
    report.signer = ts.authority.clone();
    report.trusted = ts.trusted;
    report.signing_time = ts.time.clone();
    report.signing_time_source = ts.time.as_ref().map(|_| "time-stamp".into());
    if let Some(cert) = cert {
        report.certificate_sha256 = Some(crate::values::hex(&fingerprint(&cert)));
        report.certificate = Some(describe(&cert));
    }
    if ts.valid {
        report.trust = ts.detail.clone();
    } else {
        report.problem = ts.detail.clone();
    }
    report.time_stamp = Some(ts);
}

/// A time-stamp token as checked: the report and the authority's certificate.
struct Stamped {
    report: TimeStampReport,
    cert: Option<Certificate>,
}

/// A time-stamp token checked against the digest it must be over; its authority judged at
/// `proven_at` — not at the time the token states, which its own key vouches for.
fn time_stamp(der: &[u8], digest: &[u8], trust: &Trust, proven_at: u64) -> Stamped {
    let token = match token::read_token(der) {
        Ok(t) => t,
        Err(e) => {
            return Stamped {
                report: TimeStampReport {
                    valid: false,
                    time: None,
                    secs: None,
                    authority: None,
                    trusted: false,
                    detail: Some(e),
                },
                cert: None,
            }
        }
    };
    let authority = token
        .cert
        .as_ref()
        .map(|c| c.tbs_certificate.subject.to_string());
    let problem = if token.imprint != digest {
        Some("the time-stamp is over other data".to_string())
    } else {
        token.intact.clone().err()
    };
    let (trusted, why) = match &token.cert {
        Some(cert) if problem.is_none() => evaluate(
            cert,
            &token.pool,
            &trust.anchors,
            proven_at,
            Purpose::TimeStamping,
        ),
        _ => (false, String::new()),
    };
    Stamped {
        report: TimeStampReport {
            valid: problem.is_none(),
            time: Some(rfc3339(token.time)),
            secs: Some(token.time),
            authority,
            trusted,
            detail: problem.or((!why.is_empty()).then_some(why)),
        },
        cert: token.cert,
    }
}

/// A CAdES signature: the CMS, its time-stamp, the signer's revocation status and trust.
/// The chain is judged at the time a trusted time-stamp proves — the signature's own, else
/// `proven_at` (a later trusted document time-stamp's, else now) — never at the `/M` the
/// signer claims.
fn signature(
    report: &mut SignatureReport,
    found: &Found,
    digest: &[u8],
    trust: &Trust,
    dss: &Dss,
    proven_at: u64,
) {
    let sd = match signed_data(&found.der) {
        Ok(sd) => sd,
        Err(e) => {
            report.problem = Some(format!("the signature {e}"));
            return;
        }
    };
    let (outcome, facts) = check_signer(&sd, digest);
    match outcome {
        Ok(subject) => {
            report.signer = Some(subject);
            report.valid = true;
        }
        Err((subject, why)) => {
            report.signer = subject;
            report.problem = Some(why);
        }
    }
    let Some(SignerFacts {
        cert,
        mut pool,
        pades,
        signature,
        unsigned,
    }) = facts
    else {
        return;
    };
    let fp = fingerprint(&cert);
    report.certificate_sha256 = Some(crate::values::hex(&fp));
    report.signed_by_this_service = trust.ours == Some(fp);
    report.certificate = Some(describe(&cert));
    let cades = found.sub_filter.as_deref() == Some("ETSI.CAdES.detached");
    report.level = (cades && pades && report.valid).then(|| "B-B".to_string());
    let mut at = proven_at;
    let mut stamped = false;
    if let Some(token) = token::signature_token(&unsigned) {
        let Stamped { report: ts, .. } =
            time_stamp(&token, &Sha256::digest(&signature), trust, proven_at);
        if let (true, true, Some(t)) = (ts.valid, ts.trusted, ts.secs) {
            at = t;
            stamped = true;
            report.signing_time = ts.time.clone();
            report.signing_time_source = Some("time-stamp".into());
            if report.level.is_some() {
                report.level = Some("B-T".into());
            }
        }
        report.time_stamp = Some(ts);
    }
    pool.extend(dss.certs.iter().cloned());
    let status = embedded_status(&cert, &pool, &dss.ocsps, &dss.crls, at, now_secs());
    report.revocation = Some(
        match status {
            Status::Good => "good",
            Status::Revoked(_) => "revoked",
            Status::Unknown => "unknown",
        }
        .into(),
    );
    let (mut trusted, mut why) = evaluate(&cert, &pool, &trust.anchors, at, Purpose::Signing);
    if trusted {
        why = format!(
            "{why}; judged at {} ({})",
            rfc3339(at),
            if stamped {
                "the trusted signature time-stamp's time"
            } else if at < now_secs().saturating_sub(60) {
                "the time a later trusted document time-stamp proves"
            } else {
                "now: no trusted time-stamp proves an earlier time"
            }
        );
    }
    let long_term = proven_at < now_secs().saturating_sub(60);
    if trusted && trust::expired_at(&cert, now_secs()) && (status != Status::Good || !long_term) {
        // Once a certificate has expired its CA no longer lists it: only revocation data
        // embedded with the signature, itself proven by a later trusted document time-stamp
        // (B-LTA), shows it was good when it signed.
        trusted = false;
        why = format!(
            "{} has expired; a time-stamp proves when it signed, but only revocation data covered by a trusted document time-stamp (B-LTA) shows it was good then, and the file has none",
            cert.tbs_certificate.subject
        );
    }
    if let Status::Revoked(since) = status {
        if since <= at {
            trusted = false;
            why = format!(
                "the certificate was revoked on {}, before {}, the time the signature is proven to exist",
                rfc3339(since),
                rfc3339(at)
            );
        }
    }
    report.trusted = trusted && report.valid;
    report.trust = Some(why);
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_that_frame_nothing_are_reported_not_trusted() {
        for body in [
            &b"%PDF-1.7 /ByteRange[0 9 9 0]"[..],
            b"%PDF-1.7 /ByteRange[0 0 0 0]",
            b"%PDF-1.7 <> /ByteRange[0 9 10 2]",
            b"%PDF-1.7 /ByteRange[0 99999999999999999999999 1 1]",
            b"%PDF-1.7 /ByteRange[0 1 2",
            b"%PDF-1.7 /ByteRange[",
            b"%PDF-1.7 /ByteRange",
            b"%PDF-1.7 <00> /ByteRange[0 9 13 18446744073709551615]",
            b"%PDF-1.7 <zz> /ByteRange[0 9 13 0]",
        ] {
            let v = verify(body, &Trust::default());
            assert!(!v.valid, "{}", String::from_utf8_lossy(body));
        }
    }
}
