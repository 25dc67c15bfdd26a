//! Verification: every signature found through the document's form fields, its digest and
//! signature checked against the certificate it carries.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::OctetString;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};

use super::cms::{ID_MESSAGE_DIGEST, ID_SHA256, ID_SIGNED_DATA};
use super::trust::{CertificateInfo, Trust};

/// What `POST /v1/verify` reports about one signature.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SignatureReport {
    /// The digest matches the signed bytes and the signature verifies with the certificate.
    pub valid: bool,
    /// The signer certificate's subject (`CN=…,O=…`), if the CMS carries it.
    pub signer: Option<String>,
    /// SHA-256 of the signer's certificate (DER), in hex: compare it with the certificate
    /// you trust.
    pub certificate_sha256: Option<String>,
    /// The signer's certificate is the one this service signs with.
    pub signed_by_this_service: bool,
    /// The signed range is the whole file as it was at signing: from the first byte to the
    /// end of that revision, with only the signature itself left out.
    pub covers_whole_file: bool,
    /// Bytes follow the signed revision: the file was changed (an incremental update)
    /// after signing.
    pub modified_after_signing: bool,
    /// The signing time in the signature dictionary (`/M`), as written.
    pub signing_time: Option<String>,
    /// Where the signing time comes from: `claimed` (the signer's own `/M`; no time-stamp).
    pub signing_time_source: Option<String>,
    /// The PAdES baseline level found: `B-B` (ETSI.CAdES.detached with signing-certificate-v2),
    /// or none for another kind of signature.
    pub level: Option<String>,
    /// The signer's certificate.
    pub certificate: Option<CertificateInfo>,
    /// The certificate's chain reaches a trust anchor (`COLLABDOCS_TRUST_ANCHORS`), each
    /// certificate valid at the signing time. Separate from `valid`: an intact signature by
    /// an unknown certificate is valid and not trusted.
    pub trusted: bool,
    /// Why the certificate is trusted or not.
    pub trust: Option<String>,
    /// Why `valid` is false.
    pub problem: Option<String>,
}

/// What `POST /v1/verify` answers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// At least one signature, every one valid, the last one covering the whole file.
    pub valid: bool,
    /// The last signature's signer.
    pub signer: Option<String>,
    /// The last signature covers the whole file.
    pub covers_whole_file: bool,
    /// Something was appended after the last signature.
    pub modified_after_signing: bool,
    /// Every signature field found, in file order (at most 16 are examined).
    pub signatures: Vec<SignatureReport>,
    /// Why the file's signatures could not be read at all, if so.
    pub problem: Option<String>,
}

/// The most signatures one verification examines.
pub const MAX_SIGNATURES: usize = 16;

/// A signature as found through the document's form fields.
struct Found {
    /// The dictionary's `/SubFilter`.
    sub_filter: Option<String>,
    range: [usize; 4],
    /// Where the `/Contents` hex string stands, `<` to `>` inclusive.
    contents: std::ops::Range<usize>,
    der: Vec<u8>,
    signing_time: Option<String>,
}

/// The signature dictionaries of a PDF, found as a reader finds them: the catalog's
/// `/AcroForm` → `/Fields` (and their `/Kids`) → each signature field's `/V`, all through the
/// cross-reference table. Text elsewhere that looks like a signature is not one.
fn find_signatures(pdf: &[u8]) -> Result<Vec<Found>, String> {
    use crate::sign::reader::{Obj, PdfFile};
    let file = PdfFile::open(pdf)?;
    let Some(Obj::Ref(root)) = file.trailer.get("Root") else {
        return Err("the trailer has no /Root".into());
    };
    let catalog = file.object(*root)?.value;
    let Some(form) = catalog.get("AcroForm") else {
        return Ok(Vec::new());
    };
    let form = file.resolve(form)?;
    let fields = file.resolve(form.get("Fields").unwrap_or(&Obj::Null))?;
    let mut stack: Vec<(Obj, usize)> = fields
        .as_array()
        .unwrap_or(&[])
        .iter()
        .rev()
        .map(|f| (f.clone(), 0))
        .collect();
    let mut out = Vec::new();
    let mut visited = 0;
    while let Some((field, depth)) = stack.pop() {
        visited += 1;
        if visited > 512 || out.len() >= MAX_SIGNATURES {
            break;
        }
        let field = file.resolve(&field)?;
        if depth < 8 {
            for kid in field
                .get("Kids")
                .and_then(Obj::as_array)
                .unwrap_or(&[])
                .iter()
                .rev()
            {
                stack.push((kid.clone(), depth + 1));
            }
        }
        if field.get("FT").and_then(Obj::as_name) != Some("Sig") {
            continue;
        }
        let Some(Obj::Ref(v)) = field.get("V") else {
            continue;
        };
        let sig = file.object(*v)?.value;
        let range: Vec<usize> = sig
            .get("ByteRange")
            .and_then(Obj::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|n| n.as_int().and_then(|n| usize::try_from(n).ok()))
            .collect();
        let (Ok(range), Some((Obj::Str(der), contents))) =
            (<[usize; 4]>::try_from(range), sig.entry("Contents"))
        else {
            return Err(format!(
                "signature {v} has no usable /ByteRange or /Contents"
            ));
        };
        let signing_time = match sig.get("M") {
            Some(Obj::Str(m)) => Some(String::from_utf8_lossy(m).into_owned()),
            _ => None,
        };
        out.push(Found {
            sub_filter: sig
                .get("SubFilter")
                .and_then(Obj::as_name)
                .map(str::to_string),
            range,
            contents,
            der: der.clone(),
            signing_time,
        });
    }
    out.sort_by_key(|f| f.range[2].saturating_add(f.range[3]));
    Ok(out)
}

/// Checks every signature in a PDF (at most [`MAX_SIGNATURES`]); `ours` is the SHA-256 of
/// this service's signing certificate, when it has one.
pub fn verify(pdf: &[u8], trust: &Trust) -> Verification {
    let (signatures, problem) = match find_signatures(pdf) {
        Ok(found) => {
            let mut checked = Vec::new();
            let mut stopped = None;
            for f in &found {
                // Each signature hashes up to the whole file: stop at the request's deadline.
                if let Err(stop) = crate::budget::check() {
                    stopped = Some(format!("the check stopped: {stop}"));
                    break;
                }
                checked.push(verify_one(pdf, f, trust));
            }
            (checked, stopped)
        }
        Err(e) => (
            Vec::new(),
            Some(format!("the signatures cannot be read: {e}")),
        ),
    };
    let last: Option<&SignatureReport> = signatures.last();
    Verification {
        valid: problem.is_none()
            && !signatures.is_empty()
            && signatures.iter().all(|s| s.valid)
            && last.is_some_and(|s| s.covers_whole_file),
        signer: last.and_then(|s| s.signer.clone()),
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

fn verify_one(pdf: &[u8], found: &Found, trust: &Trust) -> SignatureReport {
    let [a, b, c, d] = found.range;
    let mut report = SignatureReport {
        valid: false,
        signer: None,
        certificate_sha256: None,
        signed_by_this_service: false,
        covers_whole_file: false,
        modified_after_signing: false,
        signing_time: found.signing_time.clone(),
        signing_time_source: found.signing_time.as_ref().map(|_| "claimed".to_string()),
        level: None,
        certificate: None,
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
    report.covers_whole_file = !report.modified_after_signing
        && tail
            .windows(5)
            .rposition(|w| w == b"%%EOF")
            .is_some_and(|r| tail[r + 5..].iter().all(u8::is_ascii_whitespace));
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..b]);
    hasher.update(&pdf[c..end]);
    let digest = hasher.finalize();
    let (outcome, signer) = check_cms(&found.der, &digest);
    if let Some(Signer { cert, pool, pades }) = signer {
        let fp = super::trust::fingerprint(&cert);
        report.certificate_sha256 = Some(crate::values::hex(&fp));
        report.signed_by_this_service = trust.ours == Some(fp);
        let at = found
            .signing_time
            .as_deref()
            .and_then(super::trust::pdf_date_secs)
            .unwrap_or_else(now_secs);
        let (trusted, why) = super::trust::evaluate(&cert, &pool, &trust.anchors, at);
        report.trusted = trusted;
        report.trust = Some(why);
        report.certificate = Some(super::trust::describe(&cert));
        let cades = found.sub_filter.as_deref() == Some("ETSI.CAdES.detached");
        report.level = (cades && pades).then(|| "B-B".to_string());
    }
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
    report
}

/// Checks a CMS SignedData: the message digest against `digest`, the signature against the
/// signer's certificate. `Ok(subject)` or `Err((subject if known, why))`.
/// `Ok(subject)` or `Err((subject if known, why))`.
type CmsOutcome = Result<String, (Option<String>, String)>;

/// The signer's certificate, the certificates the signature carries, and whether its signed
/// attributes name the certificate (signing-certificate-v2, as PAdES asks).
struct Signer {
    cert: cms::cert::x509::Certificate,
    pool: Vec<cms::cert::x509::Certificate>,
    pades: bool,
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn check_cms(der: &[u8], digest: &[u8]) -> (CmsOutcome, Option<Signer>) {
    let mut signer = None;
    let outcome = check_cms_inner(der, digest, &mut signer);
    (outcome, signer)
}

fn check_cms_inner(der: &[u8], digest: &[u8], signer: &mut Option<Signer>) -> CmsOutcome {
    let fail = |s: Option<String>, why: &str| Err((s, why.to_string()));
    // The contents are zero-padded after the DER value.
    let ci = match der::SliceReader::new(der).and_then(|mut r| ContentInfo::decode(&mut r)) {
        Ok(ci) if ci.content_type == ID_SIGNED_DATA => ci,
        _ => return fail(None, "the signature contents are not a CMS SignedData"),
    };
    let Ok(sd) = ci.content.decode_as::<SignedData>() else {
        return fail(None, "the CMS SignedData cannot be read");
    };
    let Some(si) = sd.signer_infos.0.iter().next() else {
        return fail(None, "the CMS has no signer");
    };
    let SignerIdentifier::IssuerAndSerialNumber(id) = &si.sid else {
        return fail(None, "the signer is not named by issuer and serial number");
    };
    let cert = sd.certificates.as_ref().and_then(|set| {
        set.0.iter().find_map(|c| match c {
            CertificateChoices::Certificate(c)
                if c.tbs_certificate.serial_number == id.serial_number
                    && c.tbs_certificate.issuer == id.issuer =>
            {
                Some(c)
            }
            _ => None,
        })
    });
    let Some(cert) = cert else {
        return fail(None, "the signer's certificate is not in the signature");
    };
    let pool: Vec<_> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let pades = si.signed_attrs.as_ref().is_some_and(|a| {
        a.iter()
            .any(|x| x.oid == super::cms::ID_SIGNING_CERTIFICATE_V2)
    });
    *signer = Some(Signer {
        cert: cert.clone(),
        pool,
        pades,
    });
    let name = cert.tbs_certificate.subject.to_string();
    let subject = Some(name.clone());
    if si.digest_alg.oid != ID_SHA256 {
        return fail(subject, "the digest algorithm is not SHA-256");
    }
    let Some(attrs) = &si.signed_attrs else {
        return fail(subject, "there are no signed attributes");
    };
    let md = attrs
        .iter()
        .find(|a| a.oid == ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok());
    if md.as_ref().map(OctetString::as_bytes) != Some(digest) {
        return fail(
            subject,
            "the document's digest does not match the signed one: the signed bytes were changed",
        );
    }
    let Ok(signed) = attrs.to_der() else {
        return fail(subject, "the signed attributes cannot be encoded");
    };
    let verified = super::trust::verify_with_key(
        &cert.tbs_certificate.subject_public_key_info,
        si.signature_algorithm.oid,
        si.signature.as_bytes(),
        &signed,
    );
    let Some(verified) = verified else {
        return fail(
            subject,
            "only ECDSA P-256 and RSA signatures with SHA-256 can be checked",
        );
    };
    if verified {
        Ok(name)
    } else {
        fail(
            subject,
            "the signature does not verify with the signer's certificate",
        )
    }
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
