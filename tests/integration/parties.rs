//! Every party's own signature field: the agreement's and the minutes' PDFs carry an empty
//! signature field on each party's line of the signature table (`party-1`, `party-2`, …,
//! described by the party's department, name and role), the service's own signature joins
//! them, and verification says which parties have not signed yet.

use collabdocs::kinds::DocumentKind;
use collabdocs::sign::reader::{Obj, PdfFile};
use collabdocs::sign::Trust;
use serde_json::Value;

use crate::common::{engine, example};

/// The signature fields of a PDF: name, description, page (0-based), the party's line (the
/// 签名 cell the widget was grown around), signed. Each widget holds its line and the largest
/// seal at its real size.
pub(crate) fn fields(pdf: &[u8]) -> Vec<(String, String, usize, [f64; 4], bool)> {
    let file = PdfFile::open(pdf).unwrap();
    let pages = file.pages(1000).unwrap();
    let Some(Obj::Ref(root)) = file.trailer.get("Root") else {
        panic!("no root")
    };
    let catalog = file.object(*root).unwrap().value;
    let form = file
        .resolve(catalog.get("AcroForm").expect("a form"))
        .unwrap();
    let text = |o: Option<&Obj>| match o {
        Some(Obj::Str(b)) if b.starts_with(&[0xFE, 0xFF]) => String::from_utf16(
            &b[2..]
                .chunks_exact(2)
                .map(|u| u16::from_be_bytes([u[0], u[1]]))
                .collect::<Vec<_>>(),
        )
        .unwrap(),
        Some(Obj::Str(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    };
    form.get("Fields")
        .and_then(Obj::as_array)
        .unwrap()
        .iter()
        .map(|f| {
            let f = file.resolve(f).unwrap();
            let Some(Obj::Ref(p)) = f.get("P") else {
                panic!("a widget without its page")
            };
            let read = |key: &str| -> Vec<f64> {
                f.get(key)
                    .and_then(Obj::as_array)
                    .unwrap_or_else(|| panic!("no /{key}"))
                    .iter()
                    .map(|n| n.as_num().unwrap())
                    .collect()
            };
            let widget = read("Rect");
            // The service's own field is where the signature area is, not a party's line.
            let rect = match f.get("CollabdocsLine") {
                Some(_) => read("CollabdocsLine"),
                None => widget.clone(),
            };
            let seal = f64::from(collabdocs::sign::LARGEST_SEAL) - 0.02;
            assert!(
                f.get("CollabdocsLine").is_none()
                    || widget[2] - widget[0] >= seal && widget[3] - widget[1] >= seal,
                "{widget:?} holds a 42 mm seal"
            );
            assert!(
                widget[0] <= rect[0]
                    && widget[1] <= rect[1]
                    && widget[2] >= rect[2]
                    && widget[3] >= rect[3],
                "{widget:?} holds its line {rect:?}"
            );
            (
                text(f.get("T")),
                text(f.get("TU")),
                pages.iter().position(|x| x == p).unwrap(),
                [rect[0], rect[1], rect[2], rect[3]],
                f.get("V").is_some(),
            )
        })
        .collect()
}

pub(crate) fn pdf_of(kind: DocumentKind, payload: &Value) -> Vec<u8> {
    let engine = engine();
    let request = collabdocs::engine::Request::new(
        &engine,
        kind,
        collabdocs::render::OutputFormat::Pdf,
        Default::default(),
        false,
    )
    .unwrap();
    engine.run(&request, payload).unwrap().bytes
}

#[test]
fn each_party_has_an_empty_signature_field_on_its_line() {
    let payload = example(DocumentKind::Agreement);
    let pdf = pdf_of(DocumentKind::Agreement, &payload);
    let found = fields(&pdf);
    let parties: Vec<&Value> = payload["signatories"]
        .as_array()
        .unwrap()
        .iter()
        .chain(payload.get("approver"))
        .collect();
    assert_eq!(found.len(), parties.len(), "{found:?}");
    for (i, ((name, party, _, rect, signed), p)) in found.iter().zip(&parties).enumerate() {
        assert_eq!(name, &format!("party-{}", i + 1));
        let who = p["name"].as_str().unwrap();
        let department = p["department"].as_str().unwrap();
        assert!(
            party.contains(who) && party.contains(department),
            "{party} names {department} {who}"
        );
        assert!(!signed, "{name} is empty");
        assert!(
            rect[2] > rect[0] + 50.0 && rect[3] > rect[1] + 15.0,
            "{rect:?}"
        );
    }
    // One under the other, in the order of the table, in the same column.
    for w in found.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(
            a.2 < b.2 || (a.2 == b.2 && b.3[3] <= a.3[1] + 0.01),
            "{a:?} {b:?}"
        );
        assert_eq!((a.3[0], a.3[2]), (b.3[0], b.3[2]));
    }
    // Each field sits on its party's row: the layout prints the party's name on the field's
    // page, between the field's top and bottom, left of it.
    let lay = crate::pdf::laid_out(DocumentKind::Agreement, &payload);
    for (i, p) in parties.iter().enumerate() {
        let who = p["name"].as_str().unwrap();
        let at = lay
            .anchors
            .iter()
            .find(|a| a.name == format!("party-{}", i + 1))
            .unwrap();
        let x = lay.pages[at.page]
            .ops
            .iter()
            .find_map(|op| match op {
                collabdocs::render::pdf::layout::Op::Text { x, y, text, .. }
                    if text.contains(who) && *y > at.rect[1] && *y < at.rect[3] =>
                {
                    Some(*x)
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("{who} is not printed on the row of party-{}", i + 1));
        assert!(x < at.rect[0], "{who} left of the signature cell");
        assert_eq!(found[i].2, at.page);
    }
    // Unsigned: nobody has signed; verification lists every party's field.
    let v = collabdocs::sign::verify(&pdf, &Trust::default());
    assert!(!v.valid && !v.fully_signed);
    assert_eq!(v.state, "unsigned");
    assert_eq!(v.missing_parties.len(), 4);
    let unsigned: Vec<&str> = v.unsigned_fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(unsigned, ["party-1", "party-2", "party-3", "party-4"]);
    // The same document, the same bytes.
    assert_eq!(pdf_of(DocumentKind::Agreement, &payload), pdf);
}

#[test]
fn the_services_signature_joins_the_parties_fields_and_holds() {
    let (key, cert) = collabdocs::sign::dev_cert("华东零售集团").unwrap();
    let signer = collabdocs::sign::Signer::from_pem(&key, &cert).unwrap();
    let engine = collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
        signer: Some(std::sync::Arc::new(signer)),
        ..Default::default()
    })
    .unwrap();
    let payload = example(DocumentKind::Agreement);
    let pdf = engine
        .render_signed(DocumentKind::Agreement, &payload)
        .unwrap()
        .bytes;
    let v = collabdocs::sign::verify(&pdf, &Trust::default());
    assert!(v.valid && v.covers_whole_file, "{v:?}");
    assert_eq!(v.signatures[0].field.as_deref(), Some("Signature1"));
    assert_eq!(v.unsigned_fields.len(), 4, "the parties have not signed");
    assert!(!v.fully_signed);
    let found = fields(&pdf);
    assert_eq!(found.len(), 5);
    assert!(found[4].4 && found[4].0 == "Signature1");
    // The minutes' sign-offs have their fields too.
    let minutes = pdf_of(
        DocumentKind::MeetingMinutes,
        &example(DocumentKind::MeetingMinutes),
    );
    let names: Vec<String> = fields(&minutes).into_iter().map(|f| f.0).collect();
    assert!(!names.is_empty() && names[0] == "party-1", "{names:?}");
}

pub(crate) const SECRET: &str = "0123456789abcdef0123456789abcdef-test-secret";

pub(crate) fn party_engine(
    secret: &str,
    ttl_secs: u64,
) -> std::sync::Arc<collabdocs::engine::Engine> {
    let (key, cert) = collabdocs::sign::dev_cert("华东零售集团").unwrap();
    std::sync::Arc::new(
        collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
            signer: Some(std::sync::Arc::new(
                collabdocs::sign::Signer::from_pem(&key, &cert).unwrap(),
            )),
            party_tokens: Some(collabdocs::engine::PartyTokens {
                secret: secret.as_bytes().to_vec(),
                ttl: std::time::Duration::from_secs(ttl_secs),
            }),
            ..Default::default()
        })
        .unwrap(),
    )
}

/// A party's own key: a certificate of its own (its USB key), never the service's.
fn party_key(department: &str) -> collabdocs::sign::Signer {
    let (key, cert) = collabdocs::sign::dev_cert(department).unwrap();
    collabdocs::sign::Signer::from_pem(&key, &cert).unwrap()
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

async fn prepare(
    engine: &std::sync::Arc<collabdocs::engine::Engine>,
    pdf: &[u8],
    field: &str,
) -> crate::common::Reply {
    crate::common::call_with(
        collabdocs::http::AppState::new(engine.clone()),
        actix_web::test::TestRequest::post()
            .uri(&format!(
                "/v1/sign/prepare?field={field}&signer=%E6%9D%8E%E6%98%8E"
            ))
            .insert_header(("content-type", "application/pdf"))
            .set_payload(pdf.to_vec()),
    )
    .await
}

async fn complete(
    engine: &std::sync::Arc<collabdocs::engine::Engine>,
    token: &str,
    prepared: &[u8],
    cms: &[u8],
) -> crate::common::Reply {
    crate::party_keys::complete_json(
        engine,
        serde_json::json!({"token": token, "prepared_pdf": b64(prepared), "cms": b64(cms)}),
    )
    .await
}

/// One party signs `field` of `pdf` with its own key, the two calls over HTTP.
async fn party_signs(
    engine: &std::sync::Arc<collabdocs::engine::Engine>,
    pdf: &[u8],
    field: &str,
    key: &collabdocs::sign::Signer,
) -> Vec<u8> {
    let r = prepare(engine, pdf, field).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let p = r.json();
    let prepared = unb64(p["prepared_pdf"].as_str().unwrap());
    let digest = collabdocs::values::hex(&unb64(p["digest_base64"].as_str().unwrap()));
    assert_eq!(p["digest_sha256"], digest.as_str());
    let digest: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&digest[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let cms = key.detached_cms(&digest).unwrap();
    let r = complete(engine, p["token"].as_str().unwrap(), &prepared, &cms).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r
        .body
        .starts_with(prepared.split(|&b| b == b'<').next().unwrap()));
    r.body
}

#[actix_web::test]
async fn every_party_signs_with_its_own_key_in_any_order_and_every_signature_holds() {
    let engine = party_engine(SECRET, 900);
    let payload = example(DocumentKind::Agreement);
    let keys = ["研发部", "市场部", "销售部", "总经办"].map(party_key);
    for order in [[2usize, 1, 4, 3], [1, 2, 3, 4]] {
        // The service certifies first (its signature once the parties are named), then each
        // party signs its own line, one after another.
        let mut pdf = engine
            .render_signed(DocumentKind::Agreement, &payload)
            .unwrap()
            .bytes;
        for (done, &n) in order.iter().enumerate() {
            let before = pdf.clone();
            pdf = party_signs(&engine, &pdf, &format!("party-{n}"), &keys[n - 1]).await;
            assert!(
                pdf.starts_with(&before),
                "an incremental update: nothing rewritten"
            );
            let v = collabdocs::sign::verify(&pdf, &Trust::default());
            assert!(v.valid, "after party-{n}: {v:?}");
            assert_eq!(v.signatures.len(), 2 + done);
            for s in &v.signatures {
                assert!(s.valid, "{s:?}");
            }
            for s in &v.signatures[..v.signatures.len() - 1] {
                assert_eq!(s.changed_after_signing, "permitted", "{s:?}");
            }
            let last = v.signatures.last().unwrap();
            assert_eq!(last.field.as_deref(), Some(format!("party-{n}").as_str()));
            assert!(last
                .signer
                .as_deref()
                .unwrap()
                .contains(["研发部", "市场部", "销售部", "总经办"][n - 1]));
            assert!(!last.signed_by_this_service);
            assert_eq!(v.unsigned_fields.len(), 3 - done);
            assert_eq!(v.fully_signed, done == 3);
            assert_eq!(
                v.state,
                if done == 3 {
                    "fully-signed"
                } else {
                    "awaiting-parties"
                }
            );
            // The parties still to sign, by the names the document gives them.
            assert_eq!(v.missing_parties.len(), 3 - done);
            for (missing, field) in v.missing_parties.iter().zip(&v.unsigned_fields) {
                assert!(
                    missing.contains('（'),
                    "{missing}: a department, a name and a role"
                );
                assert_eq!(Some(missing), field.party.as_ref());
            }
        }
        // A page changed after the parties signed is content, not a permitted update.
        let forged = crate::forgeries::append_page_change(&pdf);
        let v = collabdocs::sign::verify(&forged, &Trust::default());
        assert!(!v.valid, "{v:?}");
        assert_eq!(v.state, "invalid");
        assert!(
            v.signatures
                .iter()
                .all(|s| s.changed_after_signing == "content"),
            "{v:?}"
        );
    }
}

#[actix_web::test]
async fn a_party_signature_that_does_not_fit_is_refused_and_nothing_is_written() {
    let engine = party_engine(SECRET, 900);
    let payload = example(DocumentKind::Agreement);
    let pdf = pdf_of(DocumentKind::Agreement, &payload);
    let key = party_key("市场部");
    let r = prepare(&engine, &pdf, "party-2").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let p = r.json();
    let token = p["token"].as_str().unwrap().to_string();
    let prepared = unb64(p["prepared_pdf"].as_str().unwrap());
    let digest = unb64(p["digest_base64"].as_str().unwrap());
    let good = key.detached_cms(&digest).unwrap();
    let problem = crate::party_keys::problem;
    // A field the document does not have; nothing else named.
    let r = prepare(&engine, &pdf, "party-9").await;
    let (path, message) = problem(&r);
    assert_eq!(path, "/field");
    assert!(
        message.contains("party-1, party-2, party-3, party-4"),
        "{message}"
    );
    // A signature over another document's digest.
    let other = key.detached_cms(&[7u8; 32]).unwrap();
    let (path, message) = problem(&complete(&engine, &token, &prepared, &other).await);
    assert_eq!(path, "/cms");
    assert!(message.contains("digest"), "{message}");
    // A signature that does not verify with the certificate it carries.
    let mut broken = good.clone();
    let n = broken.len();
    broken[n - 10] ^= 0x55;
    let (path, _) = problem(&complete(&engine, &token, &prepared, &broken).await);
    assert_eq!(path, "/cms");
    // A prepared PDF one byte different.
    let mut changed = prepared.clone();
    changed[100] ^= 1;
    let (path, _) = problem(&complete(&engine, &token, &changed, &good).await);
    assert_eq!(path, "/prepared_pdf");
    // Megabytes of CMS.
    let (path, message) =
        problem(&complete(&engine, &token, &prepared, &vec![0x30; 2_000_000]).await);
    assert_eq!(path, "/cms", "{message}");
    // Another replica's secret; a forged token.
    let other_engine = party_engine("another-secret-another-secret-another-secret", 900);
    let (path, _) = problem(&complete(&other_engine, &token, &prepared, &good).await);
    assert_eq!(path, "/token");
    let (path, _) = problem(&complete(&engine, "e30.AAAA", &prepared, &good).await);
    assert_eq!(path, "/token");
    // The same secret on another replica completes it (stateless); then the field is signed.
    let replica = party_engine(SECRET, 900);
    let r = complete(&replica, &token, &prepared, &good).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let signed = r.body.clone();
    let (path, message) = problem(&prepare(&engine, &signed, "party-2").await);
    assert_eq!(path, "/field");
    assert!(message.contains("signed already"), "{message}");
    // A token past its time.
    let short = party_engine(SECRET, 0);
    let r = prepare(&short, &pdf, "party-1").await;
    let p = r.json();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let prepared = unb64(p["prepared_pdf"].as_str().unwrap());
    let cms = key
        .detached_cms(&unb64(p["digest_base64"].as_str().unwrap()))
        .unwrap();
    let (path, message) =
        problem(&complete(&short, p["token"].as_str().unwrap(), &prepared, &cms).await);
    assert_eq!(path, "/token");
    assert!(message.contains("expired"), "{message}");
    // Without a secret the service says how to configure it.
    let r = prepare(&crate::common::engine(), &pdf, "party-1").await;
    assert_eq!(r.status, 409);
    assert!(String::from_utf8_lossy(&r.body).contains("COLLABDOCS_SIGNING_TOKEN_SECRET"));
}

/// The parties' signatures as pyHanko judges them (the files written for `.ci/verify_cases.py`
/// with `COLLABDOCS_CASES_DIR`): every party's certificate from the test CA, the service's
/// certification first — trusted and permitted; one party's certificate from a look-alike CA
/// (same name, another key) — intact but not trusted; a page changed between two parties'
/// signatures — content.
#[actix_web::test]
async fn the_parties_signatures_are_judged_as_pyhanko_judges_them() {
    use crate::forgeries::{case, Expect};
    use crate::pki::{issue, Issue};
    let s = crate::forgeries::service();
    let root = &s.root;
    let engine = std::sync::Arc::new(
        collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
            signer: Some(std::sync::Arc::new(s.leaf.signer(&[&root.cert]))),
            party_tokens: Some(collabdocs::engine::PartyTokens {
                secret: SECRET.as_bytes().to_vec(),
                ttl: std::time::Duration::from_secs(900),
            }),
            ..Default::default()
        })
        .unwrap(),
    );
    let parties = [
        "CN=陈静,OU=研发部,O=华东零售集团",
        "CN=李明,OU=市场部,O=华东零售集团",
        "CN=张伟,OU=销售部,O=华东零售集团",
        "CN=周毅,OU=总经办,O=华东零售集团",
    ]
    .map(|subject| issue(Issue::leaf(subject), Some(root)).signer(&[&root.cert]));
    let start = engine
        .render_signed(DocumentKind::Agreement, &example(DocumentKind::Agreement))
        .unwrap()
        .bytes;
    let mut pdf = start.clone();
    for n in [3usize, 1, 4, 2] {
        pdf = party_signs(&engine, &pdf, &format!("party-{n}"), &parties[n - 1]).await;
    }
    let v = case(
        "parties-every-party-signed",
        &pdf,
        &[&root.cert],
        Expect::Trusted,
    );
    assert!(v.fully_signed && v.signatures.len() == 5, "{v:?}");
    // The service's signature certifies the document, letting the parties sign: kept.
    assert_eq!(v.signatures[0].certification, Some(2));
    assert_eq!(v.signatures[0].changed_after_signing, "permitted");
    assert!(v.signatures[1..].iter().all(|s| s.certification.is_none()));
    // A look-alike CA: the same name as the test root, another key.
    let lookalike = issue(Issue::ca("CN=华东零售集团 测试根 CA,O=华东零售集团"), None);
    let impostor = issue(
        Issue::leaf("CN=李明,OU=市场部,O=华东零售集团"),
        Some(&lookalike),
    )
    .signer(&[&lookalike.cert]);
    let mut pdf = party_signs(&engine, &start, "party-1", &parties[0]).await;
    pdf = party_signs(&engine, &pdf, "party-2", &impostor).await;
    case(
        "parties-lookalike-ca",
        &pdf,
        &[&root.cert],
        Expect::Untrusted,
    );
    // A certification that permits no change (P=1): a party's signature after it breaks it.
    let mut strict = s.leaf.signer(&[&root.cert]);
    strict.certification = 1;
    let strict_engine = std::sync::Arc::new(
        collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
            signer: Some(std::sync::Arc::new(strict)),
            party_tokens: Some(collabdocs::engine::PartyTokens {
                secret: SECRET.as_bytes().to_vec(),
                ttl: std::time::Duration::from_secs(900),
            }),
            ..Default::default()
        })
        .unwrap(),
    );
    let certified = strict_engine
        .render_signed(DocumentKind::Agreement, &example(DocumentKind::Agreement))
        .unwrap()
        .bytes;
    let v = case(
        "parties-certified-p1-alone",
        &certified,
        &[&root.cert],
        Expect::Trusted,
    );
    assert_eq!(v.signatures[0].certification, Some(1));
    let pdf = party_signs(&strict_engine, &certified, "party-1", &parties[0]).await;
    let v = case(
        "parties-signed-after-p1",
        &pdf,
        &[&root.cert],
        Expect::Content,
    );
    assert!(
        v.signatures[0].change.as_deref().unwrap().contains("P=1"),
        "{v:?}"
    );
    // A page changed between two parties' signatures.
    let pdf = party_signs(&engine, &start, "party-1", &parties[0]).await;
    let changed = crate::forgeries::append_page_change(&pdf);
    let pdf = party_signs(&engine, &changed, "party-2", &parties[1]).await;
    case(
        "parties-page-changed-between",
        &pdf,
        &[&root.cert],
        Expect::Content,
    );
}

#[actix_web::test]
async fn the_kinds_say_which_have_signature_fields_and_their_pdfs_agree() {
    for kind in DocumentKind::ALL {
        let pdf = pdf_of(*kind, &example(*kind));
        let names = collabdocs::sign::signature_fields(&pdf).unwrap();
        assert_eq!(
            kind.has_signature_lines(),
            !names.is_empty(),
            "{kind}: {names:?}"
        );
        for (i, (_, name, signed)) in names.iter().enumerate() {
            assert_eq!(name, &format!("party-{}", i + 1));
            assert!(!signed);
        }
    }
    let r = crate::common::call_with(
        collabdocs::http::AppState::new(crate::common::engine()),
        actix_web::test::TestRequest::get().uri("/v1/kinds"),
    )
    .await;
    let kinds = r.json();
    let of = |k: &str| {
        kinds
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["kind"] == k)
            .unwrap()
            .clone()
    };
    assert!(of("agreement")["signature_fields"]
        .as_str()
        .unwrap()
        .starts_with("party-1"));
    assert!(of("weekly-progress").get("signature_fields").is_none());
}
