//! Digitally signed agreements: signed over the whole file, checked by /v1/verify, refused
//! for drafts and when no key is configured.

use std::sync::{Arc, OnceLock};

use actix_web::test::TestRequest;
use collabdocs::engine::{Engine, EngineOptions};
use collabdocs::http::AppState;
use collabdocs::kinds::DocumentKind;
use collabdocs::sign::Signer;
use serde_json::{json, Value};

use crate::common::*;
use crate::pdf::pdf_text;

/// One engine signing with a development certificate of 华东零售集团, shared by the tests.
pub fn signing_engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let (key, cert) = collabdocs::sign::dev_cert("华东零售集团").unwrap();
            let signer = Signer::from_pem(&key, &cert).unwrap();
            Arc::new(
                Engine::new(EngineOptions {
                    signer: Some(Arc::new(signer)),
                    ..EngineOptions::default()
                })
                .unwrap(),
            )
        })
        .clone()
}

async fn sign(payload: &Value) -> Reply {
    call_with(
        AppState::new(signing_engine()),
        TestRequest::post()
            .uri("/v1/documents/agreement?format=pdf&sign=true")
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(payload).unwrap()),
    )
    .await
}

async fn verify(pdf: &[u8]) -> Value {
    let r = call(
        TestRequest::post()
            .uri("/v1/verify")
            .insert_header(("content-type", "application/pdf"))
            .set_payload(pdf.to_vec()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn signed_range(pdf: &[u8]) -> [usize; 4] {
    let text = String::from_utf8_lossy(pdf);
    let i = text.rfind("/ByteRange[").unwrap() + 11;
    let nums: Vec<usize> = text[i..text[i..].find(']').unwrap() + i]
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    [nums[0], nums[1], nums[2], nums[3]]
}

#[actix_web::test]
async fn a_signed_agreement_is_signed_over_the_whole_file_and_keeps_its_text() {
    let payload = example(DocumentKind::Agreement);
    let r = sign(&payload).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), "application/pdf");
    let pdf = r.body;
    let [a, b, c, d] = signed_range(&pdf);
    assert_eq!(
        (a, c + d),
        (0, pdf.len()),
        "the range runs from the first to the last byte"
    );
    assert_eq!(
        (pdf[b], pdf[c - 1]),
        (b'<', b'>'),
        "only /Contents is left out"
    );
    let text = String::from_utf8_lossy(&pdf);
    for needle in ["/SubFilter/ETSI.CAdES.detached", "/FT/Sig", "/AcroForm"] {
        assert!(text.contains(needle), "{needle}");
    }
    let v = verify(&pdf).await;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["covers_whole_file"], true);
    assert_eq!(v["modified_after_signing"], false);
    assert!(
        v["signer"].as_str().unwrap().contains("O=华东零售集团"),
        "{v}"
    );
    // The agreement's text is all there, and the signing record with the unsigned file's hash.
    // A space in the payload between Chinese and a digit and the typesetter's quarter-em
    // both extract as a space: both sides are compared without it.
    let extracted = pdf_text(&pdf);
    let missing: Vec<String> = expected_texts(&payload)
        .into_iter()
        .filter(|(_, t)| !extracted.contains(&crate::pdf::without_cjk_latin_gaps(t)))
        .map(|(p, t)| format!("{p} = {t:?}"))
        .collect();
    assert!(missing.is_empty(), "the signed PDF is missing {missing:?}");
    let unsigned = render_example(DocumentKind::Agreement, "pdf").await.1.body;
    let hash = sha256_hex(&unsigned);
    assert!(
        extracted.contains(&hash),
        "the unsigned file's SHA-256 {hash} is printed"
    );
    assert!(
        extracted.contains("数字签名与签署记录")
            && extracted.contains("本协议由华东零售集团以数字证书签署")
    );
    // Same payload, same key: the same bytes but for the signing time and the signature.
    let again = sign(&payload).await.body;
    assert_eq!(without_signing_time(&again), without_signing_time(&pdf));
}

/// `pdf` with a well-formed incremental update appended: one new object, its own
/// cross-reference section and a trailer pointing back at the previous one.
pub fn append_update(pdf: &[u8], object: &str) -> Vec<u8> {
    let (size, _) = trailer_numbers(pdf);
    append_revision(pdf, &[(size, object.to_string())])
}

/// The newest trailer's `/Size` and `/Root` object number.
pub fn trailer_numbers(pdf: &[u8]) -> (u32, u32) {
    let text = String::from_utf8_lossy(pdf);
    let sx = text.rfind("startxref").unwrap();
    let tr = text[..sx].rfind("trailer").unwrap();
    let trailer = &text[tr + 7..sx];
    let after = |key: &str| -> u32 {
        let i = trailer.find(key).unwrap() + key.len();
        trailer[i..]
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (after("/Size"), after("/Root"))
}

/// The newest text of object `num` (between `num 0 obj` and `endobj`), as written.
fn object_text(pdf: &[u8], num: u32) -> String {
    let text = String::from_utf8_lossy(pdf);
    let head = format!("\n{num} 0 obj\n");
    let at = text.rfind(&head).unwrap() + head.len();
    let end = at + text[at..].find("\nendobj").unwrap();
    text[at..end].to_string()
}

/// The file with an incremental update appended that writes these objects (number, body).
pub fn append_revision(pdf: &[u8], objects: &[(u32, String)]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pdf);
    let sx = text.rfind("startxref").unwrap();
    let prev: usize = text[sx + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (size, root) = trailer_numbers(pdf);
    let mut out = pdf.to_vec();
    let mut xref = String::from("xref\n");
    let mut new_size = size;
    for (num, body) in objects {
        let at = out.len() + 1;
        out.extend_from_slice(format!("\n{num} 0 obj\n{body}\nendobj\n").as_bytes());
        xref.push_str(&format!("{num} 1\n{at:010} 00000 n \n"));
        new_size = new_size.max(num + 1);
    }
    let xref_at = out.len();
    out.extend_from_slice(
        format!(
            "{xref}trailer\n<</Size {new_size}/Root {root} 0 R/Prev {prev}>>\nstartxref\n{xref_at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

#[actix_web::test]
async fn validation_data_added_later_is_permitted_and_anything_else_is_content() {
    let pdf = sign(&example(DocumentKind::Agreement)).await.body;
    let (size, root) = trailer_numbers(&pdf);
    let catalog = object_text(&pdf, root);
    let with = |entry: &str| {
        let end = catalog.rfind(">>").unwrap();
        format!("{}{entry}{}", &catalog[..end], &catalog[end..])
    };
    // A document security store, as a B-LT update writes it.
    let dss = append_revision(
        &pdf,
        &[
            (root, with(&format!("/DSS {size} 0 R"))),
            (size, format!("<</Type/DSS/Certs[{} 0 R]>>", size + 1)),
            (size + 1, "<</Length 3>>\nstream\nabc\nendstream".into()),
        ],
    );
    let v = verify(&dss).await;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(
        v["signatures"][0]["changed_after_signing"], "permitted",
        "{v}"
    );
    assert_eq!(v["signatures"][0]["covers_whole_file"], false, "{v}");
    assert_eq!(v["modified_after_signing"], true, "{v}");

    // A catalog change that is not validation data.
    let page_mode = append_revision(&pdf, &[(root, with("/PageMode/UseOutlines"))]);
    let v = verify(&page_mode).await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(
        v["signatures"][0]["changed_after_signing"], "content",
        "{v}"
    );
    assert!(
        v["signatures"][0]["change"]
            .as_str()
            .unwrap()
            .contains("catalog"),
        "{v}"
    );

    // A form field that is not a signature, added beside the signature.
    let field = append_revision(
        &pdf,
        &[
            (
                root,
                catalog.replace("/Fields[", &format!("/Fields[{size} 0 R ")),
            ),
            (size, "<</FT/Tx/T(amount)/V(999999)>>".into()),
        ],
    );
    let v = verify(&field).await;
    assert_eq!(v["valid"], false, "{v}");
    assert!(
        v["signatures"][0]["change"]
            .as_str()
            .unwrap()
            .contains("not a signature"),
        "{v}"
    );

    // An object nothing refers to changes nothing a reader shows: permitted, as pyHanko
    // has it (some writers leave such objects behind).
    let orphan = append_update(&pdf, "<</Title(changed)>>");
    let v = verify(&orphan).await;
    assert_eq!(
        v["signatures"][0]["changed_after_signing"], "permitted",
        "{v}"
    );
    // The same object, once the catalog leads to it, is content.
    let reached = append_revision(
        &pdf,
        &[
            (root, with(&format!("/OpenAction {size} 0 R"))),
            (size, "<</S/JavaScript/JS(app.alert(1))>>".into()),
        ],
    );
    let v = verify(&reached).await;
    assert_eq!(
        v["signatures"][0]["changed_after_signing"], "content",
        "{v}"
    );
}

/// A signed PDF with its `/M` time and its `/Contents` blanked: what must not change
/// between two signings of the same payload with the same key.
fn without_signing_time(pdf: &[u8]) -> Vec<u8> {
    let [_, b, c, _] = signed_range(pdf);
    let mut out = pdf.to_vec();
    out[b..c].fill(b'0');
    let m = out.windows(5).position(|w| w == b"/M(D:").unwrap() + 5;
    out[m..m + 14].fill(b'0');
    out
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

#[actix_web::test]
async fn a_changed_byte_or_an_appended_update_is_caught() {
    let pdf = sign(&example(DocumentKind::Agreement)).await.body;
    let [_, b, _, _] = signed_range(&pdf);
    let mut flipped = pdf.clone();
    // A digit of the page content near the start, inside the signed range.
    flipped[b / 2] ^= 0x01;
    let v = verify(&flipped).await;
    assert_eq!(v["valid"], false, "{v}");
    assert!(
        v["signatures"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("changed"),
        "{v}"
    );

    let (_, root) = trailer_numbers(&pdf);
    let catalog = object_text(&pdf, root);
    let end = catalog.rfind(">>").unwrap();
    let appended = append_revision(
        &pdf,
        &[(
            root,
            format!(
                "{}/PageLayout/TwoColumnLeft{}",
                &catalog[..end],
                &catalog[end..]
            ),
        )],
    );
    let v = verify(&appended).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["modified_after_signing"], true);
    assert_eq!(v["covers_whole_file"], false);
    assert_eq!(
        v["signatures"][0]["valid"], true,
        "the signed revision itself is intact"
    );

    let unsigned = render_example(DocumentKind::Agreement, "pdf").await.1.body;
    let v = verify(&unsigned).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["signatures"], json!([]));
}

#[actix_web::test]
async fn a_draft_is_refused_naming_each_missing_signature() {
    let mut p = example(DocumentKind::Agreement);
    p["signatories"][1]["signed_on"] = Value::Null;
    p["approver"]["signed_on"] = Value::Null;
    let r = sign(&p).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.error_paths(),
        ["/signatories/1/signed_on", "/approver/signed_on"]
    );
}

#[actix_web::test]
async fn signing_needs_a_key_a_pdf_and_an_agreement() {
    let body = serde_json::to_vec(&example(DocumentKind::Agreement)).unwrap();
    let r = post("/v1/documents/agreement?sign=true", body.clone()).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.header("content-type"), "application/problem+json");
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .contains("COLLABDOCS_SIGNING_KEY"));
    let r = post("/v1/documents/agreement?sign=true&format=docx", body).await;
    assert_eq!(r.status, 400);
    let minutes = serde_json::to_vec(&example(DocumentKind::MeetingMinutes)).unwrap();
    let r = call_with(
        AppState::new(signing_engine()),
        TestRequest::post()
            .uri("/v1/documents/meeting-minutes?sign=true")
            .insert_header(("content-type", "application/json"))
            .set_payload(minutes),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = call(
        TestRequest::post()
            .uri("/v1/verify")
            .set_payload("not a pdf"),
    )
    .await;
    assert_eq!(r.status, 400);
}

#[test]
fn a_key_that_does_not_match_its_certificate_is_refused() {
    let (_, cert) = collabdocs::sign::dev_cert("a").unwrap();
    let (key, _) = collabdocs::sign::dev_cert("b").unwrap();
    let e = Signer::from_pem(&key, &cert).unwrap_err();
    assert!(e.contains("does not belong"), "{e}");
    let e = Signer::from_pem(
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        &cert,
    )
    .unwrap_err();
    assert!(e.contains("P-256"), "{e}");
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signing")
        .join(name)
}

#[test]
fn rsa_keys_in_pem_or_pkcs12_sign_too() {
    let payload = example(DocumentKind::Agreement);
    let pem = Signer::from_pem_files(&fixture("rsa-key.pem"), &fixture("rsa-cert.pem")).unwrap();
    let p12 = Signer::from_pkcs12(
        &std::fs::read(fixture("rsa.p12")).unwrap(),
        "collabdocs-test",
    )
    .unwrap();
    assert_eq!(pem.subject, p12.subject);
    assert_eq!(pem.organisation, "华远科技有限公司");
    let mut outputs = Vec::new();
    for signer in [pem, p12] {
        let engine = Engine::new(EngineOptions {
            signer: Some(Arc::new(signer)),
            ..EngineOptions::default()
        })
        .unwrap();
        let pdf = engine
            .render_signed(DocumentKind::Agreement, &payload)
            .unwrap()
            .bytes;
        let v = collabdocs::sign::verify(&pdf, &Default::default());
        assert!(v.valid && v.covers_whole_file, "{v:?}");
        assert!(v.signer.unwrap().contains("O=华远科技有限公司"));
        outputs.push(pdf);
    }
    assert_eq!(
        without_signing_time(&outputs[0]),
        without_signing_time(&outputs[1]),
        "the same key gives the same bytes either way"
    );
    let e = Signer::from_pkcs12(&std::fs::read(fixture("rsa.p12")).unwrap(), "wrong").unwrap_err();
    assert!(e.contains("password"), "{e}");
}
