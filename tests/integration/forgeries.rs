//! Forgeries a verifier must not call genuine, and trust a file cannot claim. Each case
//! builds a file — an agreement signed by the service, then tampered with as an attacker
//! would — and checks what `verify` says. With `COLLABDOCS_CASES_DIR` set, every file is
//! written there with the trust anchors and what we said, and `.ci/verify_cases.py` asks
//! pyHanko about the same files: a file pyHanko calls modified beyond what is permitted, or
//! not trusted, must not be permitted or trusted here.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use collabdocs::engine::{Engine, EngineOptions};
use collabdocs::kinds::DocumentKind;
use collabdocs::sign::reader::{Obj, PdfFile};
use collabdocs::sign::{verify, Trust, Verification};
use der::{Decode, Encode};

use crate::common::example;
use crate::pki::{self, issue, Cert, Issue, Party, DAY};

/// What a case must come to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Intact, nothing but permitted updates, trusted.
    Trusted,
    /// Intact and nothing but permitted updates, but not trusted.
    Untrusted,
    /// A later revision changed content: `changed_after_signing: content`, not valid.
    Content,
    /// A signature itself does not hold: not valid.
    Invalid,
}

impl Expect {
    fn name(self) -> &'static str {
        match self {
            Expect::Trusted => "trusted",
            Expect::Untrusted => "untrusted",
            Expect::Content => "content",
            Expect::Invalid => "invalid",
        }
    }
}

/// Checks `pdf` against `anchors` as `expect` says, and writes it out for pyHanko.
pub fn case(name: &str, pdf: &[u8], anchors: &[&Cert], expect: Expect) -> Verification {
    let trust = Trust {
        ours: None,
        anchors: anchors.iter().map(|c| (*c).clone()).collect(),
    };
    let v = verify(pdf, &trust);
    let any_content = v
        .signatures
        .iter()
        .any(|s| s.changed_after_signing == "content");
    match expect {
        Expect::Trusted => assert!(v.valid && v.trusted && !any_content, "{name}: {v:#?}"),
        Expect::Untrusted => assert!(v.valid && !v.trusted, "{name}: {v:#?}"),
        Expect::Content => assert!(!v.valid && any_content, "{name}: {v:#?}"),
        Expect::Invalid => assert!(
            !v.valid && v.signatures.iter().any(|s| !s.valid),
            "{name}: {v:#?}"
        ),
    }
    if let Ok(dir) = std::env::var("COLLABDOCS_CASES_DIR") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.pdf")), pdf).unwrap();
        let anchors: String = anchors.iter().map(|c| pki::pem(c)).collect();
        std::fs::write(dir.join(format!("{name}.anchors.pem")), anchors).unwrap();
        let said = serde_json::json!({
            "name": name,
            "expect": expect.name(),
            "ours": serde_json::to_value(&v).unwrap(),
        });
        std::fs::write(dir.join(format!("{name}.json")), said.to_string()).unwrap();
    }
    v
}

/// The test PKI of these cases: a root the verifier trusts and the service's signing
/// certificate under it, and an engine signing with it.
pub struct Service {
    pub root: Party,
    pub leaf: Party,
    pub engine: Arc<Engine>,
}

pub fn service() -> &'static Service {
    static S: OnceLock<Service> = OnceLock::new();
    S.get_or_init(|| {
        let root = issue(Issue::ca("CN=华东零售集团 测试根 CA,O=华东零售集团"), None);
        let leaf = issue(
            Issue::leaf("CN=电子合同签章,OU=法务部,O=华东零售集团"),
            Some(&root),
        );
        let engine = engine_with(leaf.signer(&[&root.cert]));
        Service { root, leaf, engine }
    })
}

fn engine_with(signer: collabdocs::sign::Signer) -> Arc<Engine> {
    Arc::new(
        Engine::new(EngineOptions {
            signer: Some(Arc::new(signer)),
            ..EngineOptions::default()
        })
        .unwrap(),
    )
}

/// The example agreement, signed by the service.
pub fn signed_agreement() -> Vec<u8> {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        service()
            .engine
            .render_signed(DocumentKind::Agreement, &example(DocumentKind::Agreement))
            .unwrap()
            .bytes
    })
    .clone()
}

/// The example agreement, unsigned.
fn unsigned_agreement() -> Vec<u8> {
    crate::common::engine()
        .render(
            DocumentKind::Agreement,
            &example(DocumentKind::Agreement),
            collabdocs::render::OutputFormat::Pdf,
        )
        .unwrap()
        .bytes
}

/// What the newest revision of a file holds, for writing the next one.
pub struct Doc {
    pub root: u32,
    pub size: u32,
    pub startxref: usize,
    pub pages: Vec<u32>,
}

impl Doc {
    pub fn of(pdf: &[u8]) -> Doc {
        let f = PdfFile::open(pdf).unwrap();
        let Some(Obj::Ref(root)) = f.trailer.get("Root").cloned() else {
            panic!("no root")
        };
        Doc {
            root,
            size: f.trailer.get("Size").and_then(Obj::as_int).unwrap() as u32,
            startxref: f.startxref,
            pages: f.pages(1000).unwrap(),
        }
    }
}

/// Object `num` of the newest revision as written (between `obj` and `endobj`).
pub fn text_of(pdf: &[u8], num: u32) -> String {
    let f = PdfFile::open(pdf).unwrap();
    let found = f.object(num).unwrap();
    String::from_utf8_lossy(f.slice(found.span)).into_owned()
}

/// A stream object's body: `dict` entries, the length, the data.
pub fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<<{dict}/Length {}>>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// `pdf` with an incremental update: these objects, a classic table, and a trailer with
/// `/Size`, `/Prev` (the newest table unless `prev` says) and the entries `trailer`.
pub fn update(
    pdf: &[u8],
    objects: &[(u32, Vec<u8>)],
    trailer: &str,
    prev: Option<usize>,
) -> Vec<u8> {
    let doc = Doc::of(pdf);
    let mut out = pdf.to_vec();
    let mut xref = String::from("xref\n");
    let mut size = doc.size;
    for (num, body) in objects {
        let at = out.len() + 1;
        out.extend_from_slice(format!("\n{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
        xref.push_str(&format!("{num} 1\n{at:010} 00000 n \n"));
        size = size.max(num + 1);
    }
    let xref_at = out.len();
    out.extend_from_slice(
        format!(
            "{xref}trailer\n<</Size {size}{trailer}/Prev {}>>\nstartxref\n{xref_at}\n%%EOF\n",
            prev.unwrap_or(doc.startxref)
        )
        .as_bytes(),
    );
    out
}

/// `dict` (a dictionary's text) with `entry` added before its end.
pub fn with_entry(dict: &str, entry: &str) -> String {
    let end = dict.rfind(">>").unwrap();
    format!("{}{entry}{}", &dict[..end], &dict[end..])
}

/// The page's content stream object (its first, when there are several).
fn contents_of(pdf: &[u8], page: u32) -> u32 {
    let f = PdfFile::open(pdf).unwrap();
    match f.object(page).unwrap().value.get("Contents").unwrap() {
        Obj::Ref(n) => *n,
        Obj::Array(a) => match a[0] {
            Obj::Ref(n) => n,
            _ => panic!(),
        },
        _ => panic!(),
    }
}

/// `pdf` with its first page's content rewritten in a new revision: content, whoever signed.
pub fn append_page_change(pdf: &[u8]) -> Vec<u8> {
    let doc = Doc::of(pdf);
    let contents = contents_of(pdf, doc.pages[0]);
    update(
        pdf,
        &[(contents, forged_content())],
        &format!("/Root {} 0 R", doc.root),
        None,
    )
}

/// A page content stream that says what the forger wants.
fn forged_content() -> Vec<u8> {
    stream(
        "",
        b"BT /Helv 28 Tf 60 400 Td (TERM: 2026-08-01 TO 2036-12-31) Tj ET",
    )
}

fn anchors() -> Vec<&'static Cert> {
    vec![&service().root.cert]
}

/// A forgery that must come out as `content`, the change named with `what`.
fn content_case(name: &str, pdf: &[u8], anchors: &[&Cert], what: &str) {
    let v = case(name, pdf, anchors, Expect::Content);
    let change = v.signatures[0].change.as_deref().unwrap_or_default();
    assert!(
        change.contains(what),
        "{name}: {change:?} does not say {what:?}"
    );
}

/// The catalog and a page of `pdf` with `field` added to the form's fields and the page's
/// annotations.
fn with_field(pdf: &[u8], root: u32, page: u32, field: u32) -> (Vec<u8>, Vec<u8>) {
    let catalog = text_of(pdf, root);
    assert!(catalog.contains("/Fields["), "{catalog}");
    let catalog = catalog.replacen("/Fields[", &format!("/Fields[{field} 0 R "), 1);
    let page_text = text_of(pdf, page);
    let page_text = if page_text.contains("/Annots[") {
        page_text.replacen("/Annots[", &format!("/Annots[{field} 0 R "), 1)
    } else {
        with_entry(&page_text, &format!("/Annots[{field} 0 R]"))
    };
    (catalog.into_bytes(), page_text.into_bytes())
}

#[test]
fn the_genuine_file_and_its_validation_data_are_trusted() {
    let pdf = signed_agreement();
    case("genuine", &pdf, &anchors(), Expect::Trusted);
    // A document security store appended later, as B-LT writes one: permitted.
    let doc = Doc::of(&pdf);
    let catalog = text_of(&pdf, doc.root);
    let crl = pki::crl(
        &service().root,
        &[],
        pki::now() - DAY,
        Some(pki::now() + DAY),
    );
    let dss = update(
        &pdf,
        &[
            (
                doc.root,
                with_entry(&catalog, &format!("/DSS {} 0 R", doc.size)).into_bytes(),
            ),
            (
                doc.size,
                format!("<</Type/DSS/CRLs[{} 0 R]>>", doc.size + 1).into_bytes(),
            ),
            (doc.size + 1, stream("", &crl)),
        ],
        &format!("/Root {} 0 R", doc.root),
        None,
    );
    let v = case("genuine-dss", &dss, &anchors(), Expect::Trusted);
    assert_eq!(v.signatures[0].changed_after_signing, "permitted");
}

#[test]
fn a_page_rewritten_under_the_info_exemption_is_content() {
    let pdf = signed_agreement();
    let doc = Doc::of(&pdf);
    let contents = contents_of(&pdf, doc.pages[0]);
    let forged = update(
        &pdf,
        &[(contents, forged_content())],
        &format!("/Root {} 0 R/Info {contents} 0 R", doc.root),
        None,
    );
    content_case(
        "info-names-page-content",
        &forged,
        &anchors(),
        &contents.to_string(),
    );
}

#[test]
fn a_new_catalog_with_its_own_pages_is_content() {
    let pdf = signed_agreement();
    let doc = Doc::of(&pdf);
    let n = doc.size;
    // The new catalog keeps the signed form, so the signature is still found.
    let catalog = text_of(&pdf, doc.root);
    let form = &catalog[catalog.find("/AcroForm").unwrap()..catalog.find("/SigFlags").unwrap()];
    let forged = update(
        &pdf,
        &[
            (
                n,
                format!("<</Type/Catalog/Pages {} 0 R/DSS {} 0 R{form}/SigFlags 3>>>>", n + 1, n + 3)
                    .into_bytes(),
            ),
            (n + 1, format!("<</Type/Pages/Kids[{} 0 R]/Count 1>>", n + 2).into_bytes()),
            (
                n + 2,
                format!(
                    "<</Type/Page/Parent {} 0 R/MediaBox[0 0 595 842]/Contents {} 0 R/Resources<</Font<</Helv<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>",
                    n + 1,
                    n + 4
                )
                .into_bytes(),
            ),
            (
                n + 3,
                format!("<</Type/DSS/Pages {} 0 R/Certs[{} 0 R]>>", n + 1, n + 4).into_bytes(),
            ),
            (n + 4, forged_content()),
        ],
        &format!("/Root {n} 0 R"),
        None,
    );
    content_case("new-catalog", &forged, &anchors(), "/Root");
}

#[test]
fn an_empty_signature_field_drawn_over_the_page_is_content() {
    let pdf = signed_agreement();
    let doc = Doc::of(&pdf);
    let page = doc.pages[0];
    let (field, ap) = (doc.size, doc.size + 1);
    let (catalog, page_text) = with_field(&pdf, doc.root, page, field);
    let forged = update(
        &pdf,
        &[
            (doc.root, catalog),
            (page, page_text),
            (
                field,
                format!(
                    "<</Type/Annot/Subtype/Widget/FT/Sig/T(Cancelled)/F 4/Rect[0 0 595 842]/P {page} 0 R/AP<</N {ap} 0 R>>>>"
                )
                .into_bytes(),
            ),
            (
                ap,
                stream(
                    "/Type/XObject/Subtype/Form/BBox[0 0 595 842]/Resources<</Font<</Helv<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>",
                    b"1 1 1 rg 0 0 595 842 re f 0.8 0 0 rg BT /Helv 48 Tf 60 420 Td (AGREEMENT CANCELLED) Tj ET",
                ),
            ),
        ],
        &format!("/Root {} 0 R", doc.root),
        None,
    );
    content_case(
        "empty-signature-field",
        &forged,
        &anchors(),
        "without a signature",
    );
}

#[test]
fn a_hybrid_reference_trailer_is_content() {
    let pdf = signed_agreement();
    let doc = Doc::of(&pdf);
    let contents = contents_of(&pdf, doc.pages[0]);
    // The forged page content is written as its old number, listed only in a
    // cross-reference stream the classic table's trailer points at.
    let mut out = pdf.clone();
    let content_at = out.len() + 1;
    out.extend_from_slice(format!("\n{contents} 0 obj\n").as_bytes());
    out.extend_from_slice(&forged_content());
    out.extend_from_slice(b"\nendobj\n");
    let xstm = doc.size;
    let mut row = vec![1u8];
    row.extend_from_slice(&(content_at as u32).to_be_bytes());
    row.extend_from_slice(&[0, 0]);
    let xstm_at = out.len() + 1;
    out.extend_from_slice(format!("\n{xstm} 0 obj\n").as_bytes());
    out.extend_from_slice(&stream(
        &format!("/Type/XRef/Size {}/W[1 4 2]/Index[{contents} 1]", xstm + 1),
        &row,
    ));
    out.extend_from_slice(b"\nendobj\n");
    let xref_at = out.len();
    out.extend_from_slice(
        format!(
            "xref\n{xstm} 1\n{xstm_at:010} 00000 n \ntrailer\n<</Size {}/Root {} 0 R/Prev {}/XRefStm {xstm_at}>>\nstartxref\n{xref_at}\n%%EOF\n",
            xstm + 1,
            doc.root,
            doc.startxref
        )
        .as_bytes(),
    );
    content_case("hybrid-xref", &out, &anchors(), "XRefStm");
}

/// A one-page PDF written by hand whose unreferenced stream object 5 holds, as data, a
/// forged object 4 (the page's content) and a cross-reference section with a trailer
/// naming it, whose `/Prev` is `prev`: what a JPEG's segments could once carry verbatim.
fn pdf_with_hidden_section(prev: usize) -> Vec<u8> {
    let content = |year: &str| {
        stream(
            "",
            format!("BT /Helv 28 Tf 60 400 Td (TERM 2026-08-01 TO {year}-12-31) Tj ET").as_bytes(),
        )
    };
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    let hidden_head = |at: usize| {
        let mut h = b"\n4 0 obj\n".to_vec();
        h.extend_from_slice(&content("2036"));
        h.extend_from_slice(
            format!("\nendobj\nxref\n4 1\n{at:010} 00000 n \ntrailer\n<</Size 6/Root 1 0 R/Prev {prev:010}>>\n").as_bytes(),
        );
        h
    };
    let bodies: Vec<Vec<u8>> = vec![
        b"<</Type/Catalog/Pages 2 0 R>>".to_vec(),
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>".to_vec(),
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</Helv<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>".to_vec(),
        content("2026"),
    ];
    for (i, body) in bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    // Object 5: its data is the hidden section; where the hidden object 4 starts inside it
    // is known once the stream's head is written.
    offsets.push(out.len());
    let head = format!("5 0 obj\n<</Length {}>>\nstream\n", hidden_head(0).len());
    let data_at = out.len() + head.len();
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(&hidden_head(data_at + 1));
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 6\n0000000000 65535 f \n");
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<</Size 6/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

#[test]
fn a_section_hidden_in_the_signed_bytes_is_not_a_signed_revision() {
    let s = service();
    let signer = s.leaf.signer(&[&s.root.cert]);
    // The forger predicts where the signature's own table will be: sign, read it, write it
    // into the hidden section, and sign again until it lands there (the signature's size
    // varies by a byte or two).
    let mut prev = 0;
    let signed = (0..20)
        .find_map(|_| {
            let pdf = signer
                .sign_pdf(
                    &pdf_with_hidden_section(prev),
                    None,
                    SystemTime::now(),
                    "同意",
                )
                .unwrap();
            let at = Doc::of(&pdf).startxref;
            if at == prev {
                Some(pdf)
            } else {
                prev = at;
                None
            }
        })
        .expect("the signature's table lands where it was predicted");
    let hidden = signed.windows(9).position(|w| w == b"\nxref\n4 1").unwrap() + 1;
    case(
        "hidden-section-genuine",
        &signed,
        &[&s.root.cert],
        Expect::Trusted,
    );
    // An empty revision whose /Prev points into the signed bytes, at the hidden section.
    let forged = update(&signed, &[], " /Root 1 0 R", Some(hidden));
    let newest = PdfFile::open(&forged).unwrap();
    assert_eq!(
        newest.revisions.len(),
        4,
        "readers following the chain see the hidden section as a revision"
    );
    content_case(
        "hidden-section",
        &forged,
        &[&s.root.cert],
        "inside the signed bytes",
    );
}

/// The first signature's `/Contents`: where its hex string stands and the CMS it holds.
fn contents(pdf: &[u8]) -> (std::ops::Range<usize>, Vec<u8>) {
    let text = String::from_utf8_lossy(pdf);
    let i = text.find("/ByteRange[").unwrap() + 11;
    let nums: Vec<usize> = text[i..i + text[i..].find(']').unwrap()]
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let (start, end) = (nums[1] + 1, nums[2] - 1);
    let hex = &pdf[start..end];
    let der: Vec<u8> = hex
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect();
    (start..end, der)
}

#[test]
fn another_certificate_for_the_signers_key_does_not_sign() {
    use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
    use cms::content_info::ContentInfo;
    use cms::signed_data::{CertificateSet, SignedData, SignerIdentifier};
    let s = service();
    let pdf = signed_agreement();
    let (at, der) = contents(&pdf);
    // Mallory, certified by the same trusted root for the signer's public key.
    let mallory = pki::issue_for_key(
        Issue::leaf("CN=Mallory,O=Mallory Ltd"),
        Some(&s.root),
        s.leaf.key.clone(),
    );
    let ci = ContentInfo::from_der(&der[..der_len(&der)]).unwrap();
    let mut sd: SignedData = ci.content.decode_as().unwrap();
    sd.certificates = Some(CertificateSet(
        der::asn1::SetOfVec::try_from(vec![CertificateChoices::Certificate(mallory.cert.clone())])
            .unwrap(),
    ));
    let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
    infos[0].sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: mallory.cert.tbs_certificate.issuer.clone(),
        serial_number: mallory.cert.tbs_certificate.serial_number.clone(),
    });
    sd.signer_infos = cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos).unwrap());
    let forged_cms = ContentInfo {
        content_type: ci.content_type,
        content: der::Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap();
    let mut hex: String = forged_cms.iter().map(|b| format!("{b:02X}")).collect();
    assert!(hex.len() <= at.len());
    hex.push_str(&"0".repeat(at.len() - hex.len()));
    let mut forged = pdf.clone();
    forged[at].copy_from_slice(hex.as_bytes());
    let v = case(
        "another-certificate-same-key",
        &forged,
        &anchors(),
        Expect::Invalid,
    );
    let sig = &v.signatures[0];
    assert!(
        sig.problem
            .as_deref()
            .unwrap()
            .contains("signing-certificate"),
        "{v:?}"
    );
    assert!(!sig.trusted);
}

/// The length of the DER value at the start of `b` (the rest is zero padding).
fn der_len(b: &[u8]) -> usize {
    use der::Reader;
    let mut r = der::SliceReader::new(b).unwrap();
    let h = der::Header::decode(&mut r).unwrap();
    usize::try_from(h.length).unwrap() + usize::try_from(r.position()).unwrap()
}

/// The unsigned example agreement signed by `signer` with the claimed time `at`.
fn sign_at(signer: &collabdocs::sign::Signer, at: u64) -> Vec<u8> {
    signer
        .sign_pdf(
            &unsigned_agreement(),
            None,
            UNIX_EPOCH + Duration::from_secs(at),
            "同意",
        )
        .unwrap()
}

#[test]
fn an_expired_certificate_with_a_back_dated_claim_is_not_trusted() {
    let s = service();
    let now = pki::now();
    let expired = issue(
        Issue {
            valid: (now - 60 * DAY, now - 10 * DAY),
            ..Issue::leaf("CN=过期的签章,O=华东零售集团")
        },
        Some(&s.root),
    );
    let pdf = sign_at(&expired.signer(&[&s.root.cert]), now - 20 * DAY);
    let v = case("expired-back-dated", &pdf, &anchors(), Expect::Untrusted);
    let trust = v.signatures[0].trust.as_deref().unwrap();
    assert!(trust.contains("not valid at"), "{trust}");
    assert_eq!(
        v.signatures[0].signing_time_source.as_deref(),
        Some("claimed")
    );
}

#[test]
fn issuers_must_be_cas_within_their_path_length_and_key_usage() {
    let s = service();
    // An "intermediate" that is an end certificate.
    let not_ca = issue(Issue::leaf("CN=不是 CA,O=华东零售集团"), Some(&s.root));
    let under = issue(Issue::leaf("CN=签章,O=华东零售集团"), Some(&not_ca));
    let pdf = sign_at(&under.signer(&[&not_ca.cert, &s.root.cert]), pki::now());
    let v = case("issuer-not-a-ca", &pdf, &anchors(), Expect::Untrusted);
    assert!(
        v.signatures[0]
            .trust
            .as_deref()
            .unwrap()
            .contains("not a CA"),
        "{v:?}"
    );
    // An intermediate that allows no CA under it, and a CA under it.
    let strict = issue(
        Issue {
            kind: pki::Kind::Ca(Some(0)),
            ..Issue::ca("CN=路径受限中级 CA,O=华东零售集团")
        },
        Some(&s.root),
    );
    let sub = issue(Issue::ca("CN=下级 CA,O=华东零售集团"), Some(&strict));
    let leaf = issue(Issue::leaf("CN=签章,O=华东零售集团"), Some(&sub));
    let pdf = sign_at(
        &leaf.signer(&[&sub.cert, &strict.cert, &s.root.cert]),
        pki::now(),
    );
    let v = case("path-length-exceeded", &pdf, &anchors(), Expect::Untrusted);
    assert!(
        v.signatures[0]
            .trust
            .as_deref()
            .unwrap()
            .contains("path length"),
        "{v:?}"
    );
}

/// An engine signing at B-T with `leaf` (chain `chain`) and the time-stamp authority `tsa`
/// whose clock runs `skew` seconds off.
fn stamped(leaf: &Party, chain: &[&Cert], tsa: Party, skew: i64) -> Vec<u8> {
    use collabdocs::sign::{Level, Services, Tsa};
    let url = pki::authority(Some((tsa, skew)), Vec::new());
    let signer = leaf
        .signer(chain)
        .with_services(Services {
            level: Level::BT,
            tsa: Some(Tsa {
                url: format!("{url}/tsa"),
                auth: None,
                timeout: Duration::from_secs(5),
            }),
            ..Services::default()
        })
        .unwrap();
    signer
        .sign_pdf(&unsigned_agreement(), None, SystemTime::now(), "同意")
        .unwrap()
}

#[test]
fn time_stamps_count_only_from_a_trusted_authority() {
    let s = service();
    let now = pki::now();
    let tsa_issue = |subject| Issue {
        eku: vec![pki::ID_KP_TIME_STAMPING],
        ..Issue::leaf(subject)
    };
    // A trusted authority vouches for a time the expired certificate was valid: judged at
    // that time, B-T; but with nothing to show the certificate was not revoked by then, not
    // trusted.
    let expired = issue(
        Issue {
            valid: (now - 60 * DAY, now - 10 * DAY),
            ..Issue::leaf("CN=过期的签章,O=华东零售集团")
        },
        Some(&s.root),
    );
    let tsa = issue(tsa_issue("CN=时间戳服务,O=华东零售集团"), Some(&s.root));
    let pdf = stamped(&expired, &[&s.root.cert], tsa, -20 * DAY as i64);
    let v = case(
        "expired-trusted-time-stamp",
        &pdf,
        &anchors(),
        Expect::Untrusted,
    );
    let sig = &v.signatures[0];
    assert_eq!(sig.level.as_deref(), Some("B-T"), "{v:?}");
    assert_eq!(sig.signing_time_source.as_deref(), Some("time-stamp"));
    assert!(
        sig.trust.as_deref().unwrap().contains("has expired"),
        "{v:?}"
    );
    // The root's CRL from that time embedded says it was good then; but nothing proves the
    // list existed before the certificate expired (no document time-stamp): still not
    // trusted, as pyHanko's long-term validation says (no proof of existence).
    let crl = pki::crl(&s.root, &[], now - 21 * DAY, Some(now - 19 * DAY + 3600));
    let lt = with_dss(&pdf, &[crl], &[&s.root.cert]);
    let v = case(
        "expired-with-crl-no-document-time-stamp",
        &lt,
        &anchors(),
        Expect::Untrusted,
    );
    assert_eq!(v.signatures[0].revocation.as_deref(), Some("good"), "{v:?}");

    // The same from an authority nobody trusts: judged now, expired, not trusted, B-B.
    let rogue = issue(tsa_issue("CN=时间戳服务,O=华东零售集团"), None);
    let pdf = stamped(&expired, &[&s.root.cert], rogue, -20 * DAY as i64);
    let v = case(
        "expired-untrusted-time-stamp",
        &pdf,
        &anchors(),
        Expect::Untrusted,
    );
    let sig = &v.signatures[0];
    assert_eq!(sig.level.as_deref(), Some("B-B"), "{v:?}");
    assert!(sig.time_stamp.as_ref().unwrap().valid && !sig.time_stamp.as_ref().unwrap().trusted);
    assert!(
        sig.trust.as_deref().unwrap().contains("not valid at"),
        "{v:?}"
    );

    // An authority under the root but not certified for time-stamping.
    let not_tsa = issue(
        Issue::leaf("CN=不是时间戳服务,O=华东零售集团"),
        Some(&s.root),
    );
    let pdf = stamped(&s.leaf, &[&s.root.cert], not_tsa, 0);
    let v = case("time-stamp-without-eku", &pdf, &anchors(), Expect::Trusted);
    let ts = v.signatures[0].time_stamp.as_ref().unwrap();
    assert!(
        !ts.trusted && ts.detail.as_deref().unwrap().contains("time-stamping"),
        "{v:?}"
    );
    assert_eq!(v.signatures[0].level.as_deref(), Some("B-B"));
}

/// `pdf` with a document security store holding these CRLs and certificates.
fn with_dss(pdf: &[u8], crls: &[Vec<u8>], certs: &[&Cert]) -> Vec<u8> {
    let doc = Doc::of(pdf);
    let catalog = text_of(pdf, doc.root);
    let dss = doc.size;
    let mut objects = Vec::new();
    let mut next = dss + 1;
    let mut refs = |items: Vec<Vec<u8>>, objects: &mut Vec<(u32, Vec<u8>)>| -> String {
        let mut out = String::new();
        for data in items {
            objects.push((next, stream("", &data)));
            out.push_str(&format!("{next} 0 R "));
            next += 1;
        }
        out
    };
    let crl_refs = refs(crls.to_vec(), &mut objects);
    let cert_refs = refs(
        certs.iter().map(|c| c.to_der().unwrap()).collect(),
        &mut objects,
    );
    objects.push((
        dss,
        format!("<</Type/DSS/CRLs[{crl_refs}]/Certs[{cert_refs}]>>").into_bytes(),
    ));
    objects.push((
        doc.root,
        with_entry(&catalog, &format!("/DSS {dss} 0 R")).into_bytes(),
    ));
    update(pdf, &objects, &format!("/Root {} 0 R", doc.root), None)
}

#[test]
fn revocation_is_judged_by_the_freshest_data_at_the_proven_time() {
    let s = service();
    let now = pki::now();
    let ca = issue(Issue::ca("CN=吊销测试 CA,O=华东零售集团"), Some(&s.root));
    let revoked = issue(Issue::leaf("CN=已吊销的签章,O=华东零售集团"), Some(&ca));
    let signer = revoked.signer(&[&ca.cert, &s.root.cert]);
    // Revoked five days ago; the signer claims to have signed twenty days ago.
    let pdf = sign_at(&signer, now - 20 * DAY);
    let old = pki::crl(&ca, &[], now - 30 * DAY, Some(now + 30 * DAY));
    let new = pki::crl(
        &ca,
        &[(&revoked.cert, now - 5 * DAY)],
        now - DAY,
        Some(now + 29 * DAY),
    );
    // The old list first: the newer one that records the revocation wins.
    let both = with_dss(&pdf, &[old.clone(), new], &[&ca.cert]);
    let v = case(
        "revoked-before-back-dated-claim",
        &both,
        &anchors(),
        Expect::Untrusted,
    );
    let sig = &v.signatures[0];
    assert_eq!(sig.revocation.as_deref(), Some("revoked"), "{v:?}");
    assert!(sig.trust.as_deref().unwrap().contains("revoked"), "{v:?}");
    // An old list alone, past its next update: it does not say the certificate is good.
    let stale = pki::crl(&ca, &[], now - 40 * DAY, Some(now - 10 * DAY));
    let only_old = with_dss(&pdf, &[stale], &[&ca.cert]);
    let v = case("stale-crl", &only_old, &anchors(), Expect::Trusted);
    assert_eq!(
        v.signatures[0].revocation.as_deref(),
        Some("unknown"),
        "{v:?}"
    );
}

/// `pdf` with a document time-stamp by `tsa` over all of it (what B-LTA appends): an
/// invisible signature field whose value's `/Contents` is the token.
fn with_document_time_stamp(pdf: &[u8], tsa: &Party) -> Vec<u8> {
    with_named_document_time_stamp(pdf, tsa, "DocumentTimeStamp9")
}

/// `pdf` with a document time-stamp in a new field named `name`.
fn with_named_document_time_stamp(pdf: &[u8], tsa: &Party, name: &str) -> Vec<u8> {
    use sha2::Digest;
    let doc = Doc::of(pdf);
    let (field, value) = (doc.size, doc.size + 1);
    let page = doc.pages[doc.pages.len() - 1];
    let (catalog, page_text) = with_field(pdf, doc.root, page, field);
    const ROOM: usize = 6000;
    let placeholder = "[0 0000000000 0000000000 0000000000]";
    let mut out = update(
        pdf,
        &[
            (doc.root, catalog),
            (page, page_text),
            (
                field,
                format!("<</Type/Annot/Subtype/Widget/FT/Sig/T({name})/F 132/Rect[0 0 0 0]/P {page} 0 R/V {value} 0 R>>").into_bytes(),
            ),
            (
                value,
                format!(
                    "<</Type/DocTimeStamp/Filter/Adobe.PPKLite/SubFilter/ETSI.RFC3161/ByteRange{placeholder}/Contents<{}>>>",
                    "0".repeat(ROOM * 2)
                )
                .into_bytes(),
            ),
        ],
        &format!("/Root {} 0 R", doc.root),
        None,
    );
    let find = |hay: &[u8], needle: &[u8]| {
        hay.windows(needle.len())
            .rposition(|w| w == needle)
            .unwrap()
    };
    let contents_at = find(&out, b"/Contents<") + 9;
    let contents_end = contents_at + 2 + ROOM * 2;
    let range = format!(
        "[0 {contents_at} {contents_end} {}]",
        out.len() - contents_end
    );
    let range_at = find(&out, placeholder.as_bytes());
    out[range_at..range_at + placeholder.len()]
        .copy_from_slice(format!("{range:<w$}", w = placeholder.len()).as_bytes());
    let mut h = sha2::Sha256::new();
    h.update(&out[..contents_at]);
    h.update(&out[contents_end..]);
    let token = pki::token(tsa, &h.finalize(), pki::now(), None);
    let hex: String = token.iter().map(|b| format!("{b:02X}")).collect();
    out[contents_at + 1..contents_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    out
}

/// A second field named as one already there — here a genuine document time-stamp in a new
/// field called `Signature1`, the service's: a reader may show one and check the other, so
/// pyHanko refuses the revision that makes it ("Duplicate field name"), and so does this.
#[test]
fn a_second_field_of_a_name_already_there_is_content() {
    let s = service();
    let tsa = issue(
        Issue {
            eku: vec![pki::ID_KP_TIME_STAMPING],
            ..Issue::leaf("CN=时间戳服务,O=华东零售集团")
        },
        Some(&s.root),
    );
    let pdf = signed_agreement();
    // A time-stamp in a field of its own name is a permitted update; in the service's
    // field's name it is not.
    let fine = with_named_document_time_stamp(&pdf, &tsa, "DocumentTimeStamp1");
    let v = collabdocs::sign::verify(&fine, &collabdocs::sign::Trust::default());
    assert_eq!(v.signatures[0].changed_after_signing, "permitted", "{v:?}");
    let forged = with_named_document_time_stamp(&pdf, &tsa, "Signature1");
    content_case(
        "duplicate-field-name",
        &forged,
        &anchors(),
        "two form fields are named Signature1",
    );
}

#[test]
fn the_level_reported_is_the_level_trusted_time_stamps_support() {
    let s = service();
    let now = pki::now();
    let tsa_issue = |subject| Issue {
        eku: vec![pki::ID_KP_TIME_STAMPING],
        ..Issue::leaf(subject)
    };
    let tsa = issue(tsa_issue("CN=时间戳服务,O=华东零售集团"), Some(&s.root));
    // Trusted all the way: a signature time-stamp, the root's CRL, a document time-stamp.
    let pdf = stamped(&s.leaf, &[&s.root.cert], tsa.clone(), 0);
    let crl = pki::crl(&s.root, &[], now - DAY, Some(now + 29 * DAY));
    let lta = with_document_time_stamp(
        &with_dss(&pdf, std::slice::from_ref(&crl), &[&s.root.cert]),
        &tsa,
    );
    let v = case("b-lta", &lta, &anchors(), Expect::Trusted);
    assert_eq!(v.signatures[0].level.as_deref(), Some("B-LTA"), "{v:?}");
    assert_eq!(v.signatures[1].kind, "document-time-stamp");
    assert_eq!(v.signatures[0].changed_after_signing, "permitted");

    // A look-alike signer with the rogue authority's signature and document time-stamps:
    // intact, but neither trusted nor raised above B-B.
    let rogue_tsa = issue(tsa_issue("CN=时间戳服务,O=华东零售集团"), None);
    let look_alike = issue(
        Issue::leaf("CN=电子合同签章,OU=法务部,O=华东零售集团"),
        None,
    );
    let pdf = stamped(&look_alike, &[], rogue_tsa.clone(), 0);
    let forged = with_document_time_stamp(&with_dss(&pdf, &[crl], &[&s.root.cert]), &rogue_tsa);
    let v = case(
        "b-lta-rogue-authority",
        &forged,
        &anchors(),
        Expect::Untrusted,
    );
    assert_eq!(v.signatures[0].level.as_deref(), Some("B-B"), "{v:?}");
    assert!(!v.signatures[1].trusted, "{v:?}");
}

/// One change a later revision makes; the first six are content, the rest permitted.
#[derive(Debug, Clone, Copy)]
enum Change {
    PageEntry,
    PageContent,
    CatalogEntry,
    TextField,
    EmptySignatureField,
    Annotation,
    SecurityStore,
    Info,
    Orphan,
}

impl Change {
    fn is_content(self) -> bool {
        !matches!(self, Change::SecurityStore | Change::Info | Change::Orphan)
    }

    /// The objects this change writes over the newest revision of `pdf`, new ones numbered
    /// from `n`.
    fn objects(self, pdf: &[u8], rng: u32, n: u32) -> (Vec<(u32, Vec<u8>)>, String) {
        let doc = Doc::of(pdf);
        let page = doc.pages[rng as usize % doc.pages.len()];
        let root = format!("/Root {} 0 R", doc.root);
        let catalog = text_of(pdf, doc.root);
        let objects = match self {
            Change::PageEntry => {
                let keys = [
                    "/Rotate 90",
                    "/UserUnit 2",
                    "/CropBox[0 0 10 10]",
                    "/Tabs/S",
                ];
                let entry = keys[rng as usize % keys.len()];
                vec![(page, with_entry(&text_of(pdf, page), entry).into_bytes())]
            }
            Change::PageContent => vec![(contents_of(pdf, page), forged_content())],
            Change::CatalogEntry => {
                let keys = [
                    "/PageMode/FullScreen",
                    "/OpenAction[3 0 R/Fit]",
                    "/Lang(en)",
                    "/Names<<>>",
                ];
                let entry = keys[rng as usize % keys.len()];
                vec![(doc.root, with_entry(&catalog, entry).into_bytes())]
            }
            Change::TextField | Change::EmptySignatureField | Change::Annotation => {
                let (catalog, page_text) = with_field(pdf, doc.root, page, n);
                let body = match self {
                    Change::TextField => format!("<</Type/Annot/Subtype/Widget/FT/Tx/T(t{n})/V(999)/Rect[0 0 99 99]/P {page} 0 R>>"),
                    Change::EmptySignatureField => format!("<</Type/Annot/Subtype/Widget/FT/Sig/T(s{n})/Rect[0 0 99 99]/P {page} 0 R>>"),
                    _ => format!("<</Type/Annot/Subtype/FreeText/Contents(void)/Rect[0 0 99 99]/P {page} 0 R>>"),
                };
                let mut out = vec![(page, page_text), (n, body.into_bytes())];
                if !matches!(self, Change::Annotation) {
                    out.push((doc.root, catalog));
                }
                out
            }
            Change::SecurityStore => {
                let crl = pki::crl(
                    &service().root,
                    &[],
                    pki::now() - DAY,
                    Some(pki::now() + DAY),
                );
                let catalog = if let Some(at) = catalog.find("/DSS ") {
                    // The store replaced by a new one: `/DSS k 0 R` → `/DSS n 0 R`.
                    let end = at + catalog[at..].find(" R").unwrap() + 2;
                    format!("{}/DSS {n} 0 R{}", &catalog[..at], &catalog[end..])
                } else {
                    with_entry(&catalog, &format!("/DSS {n} 0 R"))
                };
                vec![
                    (doc.root, catalog.into_bytes()),
                    (n, format!("<</Type/DSS/CRLs[{} 0 R]>>", n + 1).into_bytes()),
                    (n + 1, stream("", &crl)),
                ]
            }
            Change::Info => {
                return (
                    vec![(
                        n,
                        format!("<</Producer(p{rng})/ModDate(D:20261204)>>").into_bytes(),
                    )],
                    format!("{root}/Info {n} 0 R"),
                )
            }
            Change::Orphan => vec![(n, format!("<</Note(n{rng})>>").into_bytes())],
        };
        (objects, root)
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, failure_persistence: None, ..Default::default() })]

    /// Random revisions appended to a signed agreement: any change to a page, the catalog
    /// or the field tree is content; validation data, metadata and orphans alone are
    /// permitted.
    #[test]
    fn appended_changes_to_pages_catalog_or_fields_are_never_permitted(
        revisions in proptest::collection::vec(
            proptest::collection::vec((0usize..9, proptest::prelude::any::<u32>()), 1..3),
            1..4,
        ),
    ) {
        let all = [
            Change::PageEntry, Change::PageContent, Change::CatalogEntry, Change::TextField,
            Change::EmptySignatureField, Change::Annotation, Change::SecurityStore, Change::Info,
            Change::Orphan,
        ];
        let mut pdf = signed_agreement();
        let mut content = false;
        for changes in &revisions {
            let mut objects: Vec<(u32, Vec<u8>)> = Vec::new();
            let mut trailer = String::new();
            let mut doc_size = Doc::of(&pdf).size;
            for (i, rng) in changes {
                // Each change of one revision numbers its new objects after the last one's.
                let change = all[*i];
                let (objs, t) = change.objects(&pdf, *rng, doc_size);
                if objects.iter().any(|(n, _)| objs.iter().any(|(m, _)| m == n)) {
                    continue; // two changes rewriting one object: keep the first
                }
                doc_size = objs.iter().map(|(n, _)| n + 1).max().unwrap_or(doc_size).max(doc_size);
                content |= change.is_content();
                objects.extend(objs);
                trailer = t;
            }
            pdf = update(&pdf, &objects, &trailer, None);
        }
        let v = verify(&pdf, &Trust { ours: None, anchors: vec![service().root.cert.clone()] });
        let sig = &v.signatures[0];
        if content {
            proptest::prop_assert_eq!(&sig.changed_after_signing, "content", "{:?}", v);
            proptest::prop_assert!(!v.valid);
        } else {
            proptest::prop_assert_eq!(&sig.changed_after_signing, "permitted", "{:?}", v);
            proptest::prop_assert!(v.valid && v.trusted, "{:?}", v);
        }
    }
}
