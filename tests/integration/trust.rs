//! Whom a verification believes: a chain followed to the configured trust anchors, a
//! look-alike certificate with the same name told apart, and the keys allowed to sign.

use std::str::FromStr;
use std::sync::Arc;

use actix_web::test::TestRequest;
use collabdocs::engine::{Engine, EngineOptions};
use collabdocs::http::AppState;
use collabdocs::kinds::DocumentKind;
use collabdocs::sign::{Signer, Trust};
use p256::pkcs8::EncodePrivateKey;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};

use crate::common::*;

type Cert = x509_cert::Certificate;

/// A P-256 key and a certificate for `subject`, issued by `issuer` (self-signed when `None`);
/// a root when `ca`.
fn issue(
    subject: &str,
    issuer: Option<(&Cert, &p256::ecdsa::SigningKey)>,
    ca: bool,
) -> (p256::ecdsa::SigningKey, Cert) {
    let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let name = x509_cert::name::Name::from_str(subject).unwrap();
    let spki = x509_cert::spki::SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).unwrap();
    let mut serial = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
    serial[0] &= 0x7f;
    let validity =
        x509_cert::time::Validity::from_now(std::time::Duration::from_secs(86_400 * 30)).unwrap();
    let serial = x509_cert::serial_number::SerialNumber::new(&serial).unwrap();
    let cert = match (issuer, ca) {
        (None, true) => CertificateBuilder::new(Profile::Root, serial, validity, name, spki, &key)
            .unwrap()
            .build::<p256::ecdsa::DerSignature>()
            .unwrap(),
        (None, false) => {
            let profile = Profile::Leaf {
                issuer: name.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            };
            CertificateBuilder::new(profile, serial, validity, name, spki, &key)
                .unwrap()
                .build::<p256::ecdsa::DerSignature>()
                .unwrap()
        }
        (Some((ca_cert, ca_key)), _) => {
            let profile = Profile::Leaf {
                issuer: ca_cert.tbs_certificate.subject.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            };
            CertificateBuilder::new(profile, serial, validity, name, spki, ca_key)
                .unwrap()
                .build::<p256::ecdsa::DerSignature>()
                .unwrap()
        }
    };
    (key, cert)
}

fn pem(cert: &Cert) -> String {
    der::EncodePem::to_pem(cert, der::pem::LineEnding::LF).unwrap()
}

fn signer(key: &p256::ecdsa::SigningKey, chain: &[&Cert]) -> Signer {
    let key_pem = p256::SecretKey::from(key.clone())
        .to_pkcs8_pem(der::pem::LineEnding::LF)
        .unwrap()
        .to_string();
    let chain: String = chain.iter().map(|c| pem(c)).collect();
    Signer::from_pem(&key_pem, &chain).unwrap()
}

fn signed_by(s: Signer) -> Vec<u8> {
    let engine = Engine::new(EngineOptions {
        signer: Some(Arc::new(s)),
        ..EngineOptions::default()
    })
    .unwrap();
    engine
        .render_signed(DocumentKind::Agreement, &example(DocumentKind::Agreement))
        .unwrap()
        .bytes
}

#[test]
fn a_chain_to_an_anchor_is_trusted_and_a_look_alike_is_not() {
    let subject = "CN=华东零售集团 签章,O=华东零售集团";
    let (root_key, root) = issue("CN=华东零售集团 根证书,O=华东零售集团", None, true);
    let (leaf_key, leaf) = issue(subject, Some((&root, &root_key)), false);
    let pdf = signed_by(signer(&leaf_key, &[&leaf, &root]));
    let anchors = Trust {
        ours: None,
        anchors: vec![root.clone()],
    };
    let v = collabdocs::sign::verify(&pdf, &anchors);
    let s = &v.signatures[0];
    assert!(v.valid && s.trusted, "{v:?}");
    assert!(
        s.trust.as_deref().unwrap().contains("根证书"),
        "{:?}",
        s.trust
    );
    assert_eq!(s.level.as_deref(), Some("B-B"));
    assert_eq!(s.signing_time_source.as_deref(), Some("claimed"));
    let info = s.certificate.as_ref().unwrap();
    assert!(info.subject.contains("华东零售集团") && info.issuer.contains("根证书"));
    assert_eq!(info.sha256, s.certificate_sha256.clone().unwrap());
    assert!(info.not_before < info.not_after && info.not_after.ends_with('Z'));

    // The same name on a self-signed certificate with another key: intact, but not trusted.
    let (fake_key, fake) = issue(subject, None, false);
    let forged = signed_by(signer(&fake_key, &[&fake]));
    let ours = Trust {
        ours: Some(collabdocs::sign::trust::fingerprint(&leaf)),
        anchors: vec![root.clone()],
    };
    let v = collabdocs::sign::verify(&forged, &ours);
    let s = &v.signatures[0];
    assert!(v.valid, "the signature itself is intact: {v:?}");
    assert!(!s.trusted && !s.signed_by_this_service, "{v:?}");
    assert!(
        s.trust.as_deref().unwrap().contains("not a trust anchor"),
        "{:?}",
        s.trust
    );
    assert_eq!(
        s.certificate.as_ref().unwrap().subject,
        info.subject,
        "a look-alike"
    );

    // The real one is this service's when its certificate is ours.
    let v = collabdocs::sign::verify(&pdf, &ours);
    assert!(v.signatures[0].signed_by_this_service && v.signatures[0].trusted);

    // With no anchors, nothing is judged trusted, and the answer says why.
    let v = collabdocs::sign::verify(&pdf, &Trust::default());
    assert!(v.valid && !v.signatures[0].trusted);
    assert!(v.signatures[0]
        .trust
        .as_deref()
        .unwrap()
        .contains("COLLABDOCS_TRUST_ANCHORS"));
}

#[actix_web::test]
async fn only_signing_keys_may_ask_for_a_signature() {
    let state = || AppState {
        api_keys: vec!["reader".into(), "signer".into()],
        signing_keys: vec!["signer".into()],
        ..AppState::new(crate::signing::signing_engine())
    };
    let body = serde_json::to_vec(&example(DocumentKind::Agreement)).unwrap();
    let ask = |key: &str| {
        TestRequest::post()
            .uri("/v1/documents/agreement?format=pdf&sign=true")
            .insert_header(("authorization", format!("Bearer {key}")))
            .set_payload(body.clone())
    };
    let r = call_with(state(), ask("reader")).await;
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), "application/problem+json");
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .contains("COLLABDOCS_SIGNING_API_KEYS"));
    let r = call_with(state(), ask("signer")).await;
    assert_eq!(r.status, 200);
    // Without sign=true, any key renders.
    let r = call_with(
        state(),
        TestRequest::post()
            .uri("/v1/documents/agreement?format=pdf")
            .insert_header(("authorization", "Bearer reader"))
            .set_payload(body.clone()),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[test]
fn a_seal_is_drawn_in_the_signature_widget_and_the_signature_holds() {
    use collabdocs::sign::reader::{Obj, PdfFile};
    let (key, cert) = collabdocs::sign::dev_cert("华东零售集团").unwrap();
    let mut s = Signer::from_pem(&key, &cert).unwrap();
    s.seal = Some(collabdocs::sign::Seal::from_png(&crate::party_keys::seal_png(120)).unwrap());
    let pdf = signed_by(s);
    let v = collabdocs::sign::verify(&pdf, &Trust::default());
    assert!(v.valid && v.covers_whole_file, "{v:?}");
    // The widget's appearance draws the seal image, whose alpha is a soft mask.
    let file = PdfFile::open(&pdf).unwrap();
    let widget = file
        .object_numbers()
        .into_iter()
        .filter_map(|n| file.object(n).ok())
        .find(|o| {
            o.value.get("FT").and_then(Obj::as_name) == Some("Sig") && o.value.get("V").is_some()
        })
        .expect("a signed signature widget (the parties' fields are empty)");
    let ap = file.resolve(widget.value.get("AP").unwrap()).unwrap();
    let appearance = file.resolve(ap.get("N").unwrap()).unwrap();
    let xobjects = appearance.get("Resources").unwrap().get("XObject").unwrap();
    let image = file.resolve(xobjects.get("Seal").unwrap()).unwrap();
    assert_eq!(image.get("Subtype").and_then(Obj::as_name), Some("Image"));
    assert_eq!(image.get("Width").and_then(Obj::as_int), Some(120));
    let mask = file.resolve(image.get("SMask").unwrap()).unwrap();
    assert_eq!(
        mask.get("ColorSpace").and_then(Obj::as_name),
        Some("DeviceGray")
    );
    // Without a seal, no image in the appearance.
    let plain = signed_by(Signer::from_pem(&key, &cert).unwrap());
    assert!(!plain.windows(6).any(|w| w == b"/Seal "));
}

#[test]
fn a_seal_that_is_not_a_png_is_refused_with_a_reason() {
    let e = collabdocs::sign::Seal::from_png(b"GIF89a").unwrap_err();
    assert!(e.contains("PNG"), "{e}");
}

/// Asks for a signed agreement from a service whose time-stamp authority is at `url`;
/// asserts the 502 problem naming the authority and what went wrong, and no file.
async fn signing_fails_at_the_tsa(url: &str, what: &str) {
    use collabdocs::sign::{Level, Services, Tsa};
    let (key, cert) = collabdocs::sign::dev_cert("华东零售集团").unwrap();
    let signer = Signer::from_pem(&key, &cert)
        .unwrap()
        .with_services(Services {
            level: Level::BT,
            tsa: Some(Tsa {
                url: url.to_string(),
                auth: None,
                timeout: std::time::Duration::from_secs(2),
            }),
            ..Services::default()
        })
        .unwrap();
    let engine = Arc::new(
        Engine::new(EngineOptions {
            signer: Some(Arc::new(signer)),
            ..EngineOptions::default()
        })
        .unwrap(),
    );
    let r = call_with(
        AppState::new(engine),
        TestRequest::post()
            .uri("/v1/documents/agreement?format=pdf&sign=true")
            .set_payload(serde_json::to_vec(&example(DocumentKind::Agreement)).unwrap()),
    )
    .await;
    assert_eq!(r.status, 502, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), "application/problem+json");
    let p = r.json();
    assert!(
        p["type"].as_str().unwrap().ends_with("/upstream-failed"),
        "{p}"
    );
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("time-stamp authority") && detail.contains(url) && detail.contains(what),
        "{detail}"
    );
    assert!(!r.body.starts_with(b"%PDF"));
}

#[actix_web::test]
async fn a_time_stamp_authority_that_cannot_be_reached_is_a_502_and_no_file() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    signing_fails_at_the_tsa(&format!("http://127.0.0.1:{port}/tsa"), "reached").await;
}

#[actix_web::test]
async fn a_time_stamp_authority_answering_garbage_or_too_much_is_a_502_and_no_file() {
    use std::io::{Read, Write};
    // One authority answers junk; another an endless body (the read stops at 16 MB).
    for (body, what) in [
        (&b"not a token"[..], "not a time-stamp response"),
        (&[0x30u8; 64 * 1024][..], ""),
    ] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let endless = body.len() > 1024;
        std::thread::spawn(move || {
            if let Ok((mut conn, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let head = if endless {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\n\r\n"
                        .to_string()
                } else {
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len())
                };
                let _ = conn.write_all(head.as_bytes());
                // Endless: 17 MB of it, more than any answer is read.
                let times = if endless { 17 * 16 } else { 1 };
                for _ in 0..times {
                    if conn.write_all(body).is_err() {
                        break;
                    }
                }
            }
        });
        signing_fails_at_the_tsa(&format!("http://127.0.0.1:{port}/tsa"), what).await;
    }
}

#[test]
fn a_level_the_settings_cannot_give_is_refused_naming_what_is_missing() {
    use collabdocs::sign::{Level, Services};
    let (key, cert) = collabdocs::sign::dev_cert("华东零售集团").unwrap();
    let e = Signer::from_pem(&key, &cert)
        .unwrap()
        .with_services(Services {
            level: Level::BT,
            ..Services::default()
        })
        .unwrap_err();
    assert!(e.contains("COLLABDOCS_TSA_URL"), "{e}");
    // B-LT needs the issuer of the signing certificate: a self-signed one has none given.
    let e = Signer::from_pem(&key, &cert)
        .unwrap()
        .with_services(Services {
            level: Level::BLt,
            tsa: Some(collabdocs::sign::Tsa {
                url: "http://127.0.0.1:1/".into(),
                auth: None,
                timeout: std::time::Duration::from_secs(1),
            }),
            ..Services::default()
        })
        .unwrap_err();
    assert!(e.contains("COLLABDOCS_SIGNING_CHAIN"), "{e}");
    // The highest level a configuration allows.
    let (root_key, root) = issue("CN=根,O=华东零售集团", None, true);
    let (leaf_key, leaf) = issue("CN=签章,O=华东零售集团", Some((&root, &root_key)), false);
    let s = signer(&leaf_key, &[&leaf]);
    assert_eq!(s.highest_level(false), Level::BB);
    assert_eq!(s.highest_level(true), Level::BT);
    let s = s.with_chain(vec![root]);
    assert_eq!(s.highest_level(true), Level::BLta);
}
