//! A party's own key in the forms it comes in: a raw signature (ECDSA r‖s or DER, as a USB
//! key's "sign hash" gives it) that the service builds the CMS of, against the certificate
//! prepare was given; a CMS over another digest algorithm; the party's seal pressed over
//! its line at its real size as part of the signed appearance.

use collabdocs::kinds::DocumentKind;
use collabdocs::sign::reader::{Obj, PdfFile};
use collabdocs::sign::Trust;
use der::Encode;
use p256::ecdsa::signature::Signer as _;

use crate::common::example;
use crate::parties::{b64, party_engine, pdf_of, unb64, SECRET};
use crate::pki::{issue, pem, Issue, Party};

/// A round red seal, `side` pixels, transparent outside its ring and star.
pub(crate) fn seal_png(side: u32) -> Vec<u8> {
    let mut rgba = Vec::with_capacity((side * side * 4) as usize);
    let c = side as f32 / 2.0;
    for y in 0..side {
        for x in 0..side {
            let d = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt();
            let on = (d > c * 0.86 && d < c * 0.98) || d < c * 0.25;
            rgba.extend_from_slice(if on {
                &[200, 20, 20, 230]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, side, side);
        e.set_color(png::ColorType::Rgba);
        e.set_depth(png::BitDepth::Eight);
        e.write_header().unwrap().write_image_data(&rgba).unwrap();
    }
    out
}

/// `prepare` with a form: the PDF, and the parts given.
async fn prepare_form(
    engine: &std::sync::Arc<collabdocs::engine::Engine>,
    query: &str,
    parts: &[(&str, &[u8])],
) -> crate::common::Reply {
    let boundary = "collabdocs-test-boundary";
    let mut body = Vec::new();
    for (name, bytes) in parts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    crate::common::call_with(
        collabdocs::http::AppState::new(engine.clone()),
        actix_web::test::TestRequest::post()
            .uri(&format!("/v1/sign/prepare?{query}"))
            .insert_header((
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .set_payload(body),
    )
    .await
}

/// `complete` with this JSON body.
pub(crate) async fn complete_json(
    engine: &std::sync::Arc<collabdocs::engine::Engine>,
    body: serde_json::Value,
) -> crate::common::Reply {
    crate::common::call_with(
        collabdocs::http::AppState::new(engine.clone()),
        actix_web::test::TestRequest::post()
            .uri("/v1/sign/complete")
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(&body).unwrap()),
    )
    .await
}

/// A 422's first problem: its pointer and message.
pub(crate) fn problem(r: &crate::common::Reply) -> (String, String) {
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    let p = r.json();
    (
        p["errors"][0]["path"].as_str().unwrap().to_string(),
        p["errors"][0]["message"].as_str().unwrap().to_string(),
    )
}

/// The CA and two department heads it certified.
fn heads() -> (Party, Party, Party) {
    let root = issue(Issue::ca("CN=华东零售集团 CA,O=华东零售集团"), None);
    let a = issue(Issue::leaf("CN=陈静,OU=研发部,O=华东零售集团"), Some(&root));
    let b = issue(Issue::leaf("CN=李明,OU=市场部,O=华东零售集团"), Some(&root));
    (root, a, b)
}

/// The newest widget's appearance stream of `field`, as text, with its seal's drawing.
fn appearance(pdf: &[u8], field: &str) -> String {
    let file = PdfFile::open(pdf).unwrap();
    for n in file.object_numbers() {
        let Ok(o) = file.object(n) else { continue };
        if o.value.get("FT").and_then(Obj::as_name) != Some("Sig") {
            continue;
        }
        if !matches!(o.value.get("T"), Some(Obj::Str(t)) if t == field.as_bytes()) {
            continue;
        }
        let Some(Obj::Ref(ap)) = o.value.get("AP").and_then(|a| a.get("N")) else {
            panic!("{field} has no appearance")
        };
        return String::from_utf8_lossy(&file.stream(*ap).unwrap()).into_owned();
    }
    panic!("no field {field}")
}

#[actix_web::test]
async fn a_raw_signature_and_a_seal_make_a_party_signature_the_service_builds() {
    let engine = party_engine(SECRET, 900);
    let (root, head, other) = heads();
    let pdf = pdf_of(DocumentKind::Agreement, &example(DocumentKind::Agreement));
    let seal = seal_png(400);
    let cert_pem = pem(&head.cert);
    let r = prepare_form(
        &engine,
        "field=party-1&signer=%E9%99%88%E9%9D%99&seal_mm=40",
        &[
            ("pdf", &pdf),
            ("seal", &seal),
            ("certificate", cert_pem.as_bytes()),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let p = r.json();
    let attrs = unb64(p["signed_attributes"].as_str().unwrap());
    assert_eq!(attrs[0], 0x31, "the DER of a SET OF");
    assert_eq!(
        p["signed_attributes_sha256"],
        collabdocs::values::hex(&<sha2::Sha256 as sha2::Digest>::digest(&attrs)).as_str()
    );
    let prepared = unb64(p["prepared_pdf"].as_str().unwrap());
    let token = p["token"].as_str().unwrap();
    let chain = [
        b64(&head.cert.to_der().unwrap()),
        b64(&root.cert.to_der().unwrap()),
    ];
    let raw = |key: &p256::ecdsa::SigningKey| -> p256::ecdsa::Signature { key.sign(&attrs) };

    // Refused, nothing written: another head's certificate than prepared; a signature by
    // another key; eleven certificates; both a CMS and a signature; no signature at all.
    let (path, m) = problem(
        &complete_json(
            &engine,
            serde_json::json!({"token": token, "prepared_pdf": b64(&prepared),
            "signature": b64(&raw(&other.key).to_bytes()),
            "certificates": [b64(&other.cert.to_der().unwrap())]}),
        )
        .await,
    );
    assert_eq!(path, "/certificates/0", "{m}");
    let (path, m) = problem(
        &complete_json(
            &engine,
            serde_json::json!({"token": token, "prepared_pdf": b64(&prepared),
            "signature": b64(&raw(&other.key).to_bytes()), "certificates": chain}),
        )
        .await,
    );
    assert_eq!(path, "/signature");
    assert!(m.contains("does not verify"), "{m}");
    let eleven: Vec<String> = (0..11).map(|_| chain[0].clone()).collect();
    let (path, _) = problem(
        &complete_json(
            &engine,
            serde_json::json!({"token": token, "prepared_pdf": b64(&prepared),
            "signature": b64(&raw(&head.key).to_bytes()), "certificates": eleven}),
        )
        .await,
    );
    assert_eq!(path, "/certificates");
    for body in [
        serde_json::json!({"token": token, "prepared_pdf": b64(&prepared), "cms": "AA==",
            "signature": b64(&raw(&head.key).to_bytes()), "certificates": chain}),
        serde_json::json!({"token": token, "prepared_pdf": b64(&prepared)}),
    ] {
        let (path, m) = problem(&complete_json(&engine, body).await);
        assert_eq!(path, "", "{m}");
    }

    // The 64 bytes r‖s a USB key gives, and the DER form: both make the same valid signature.
    for signature in [
        raw(&head.key).to_bytes().to_vec(),
        raw(&head.key).to_der().as_bytes().to_vec(),
    ] {
        let r = complete_json(
            &engine,
            serde_json::json!({"token": token, "prepared_pdf": b64(&prepared),
            "signature": b64(&signature), "certificates": chain}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let signed = r.body;
        assert!(signed.starts_with(&pdf));
        let v = collabdocs::sign::verify(
            &signed,
            &Trust {
                ours: None,
                anchors: vec![root.cert.clone()],
            },
        );
        let s = v.signatures.last().unwrap();
        assert!(v.valid && s.valid && s.trusted, "{v:?}");
        assert_eq!(s.field.as_deref(), Some("party-1"));
        assert!(s.signer.as_deref().unwrap().contains("陈静"));
        assert_eq!(s.level.as_deref(), Some("B-B"));
        // The seal is in the signed appearance, 40 mm along its side, centred on the line.
        let drawn = appearance(&signed, "party-1");
        assert!(drawn.contains("/Seal Do"), "{drawn}");
        assert!(drawn.contains("q 113.39 0 0 113.39 "), "{drawn}");
    }

    // Prepared without a certificate, a raw signature has nothing to be over.
    let r = prepare_form(&engine, "field=party-2", &[("pdf", &pdf)]).await;
    assert_eq!(r.status, 200);
    let p = r.json();
    assert!(p.get("signed_attributes").is_none());
    let (path, m) = problem(
        &complete_json(
            &engine,
            serde_json::json!({"token": p["token"], "prepared_pdf": p["prepared_pdf"],
            "signature": b64(&raw(&head.key).to_bytes()), "certificates": chain}),
        )
        .await,
    );
    assert_eq!(path, "/signature");
    assert!(m.contains("certificate"), "{m}");
    // Without a seal the party's line is framed, nothing pressed over it.
    let drawn = appearance(&unb64(p["prepared_pdf"].as_str().unwrap()), "party-2");
    assert!(
        drawn.contains(" re S") && !drawn.contains("/Seal"),
        "{drawn}"
    );
}

#[actix_web::test]
async fn a_bad_seal_size_or_picture_or_certificate_is_refused() {
    let engine = party_engine(SECRET, 900);
    let pdf = pdf_of(DocumentKind::Agreement, &example(DocumentKind::Agreement));
    for mm in ["9", "43", "abc", "NaN"] {
        let r = prepare_form(
            &engine,
            &format!("field=party-1&seal_mm={mm}"),
            &[("pdf", &pdf)],
        )
        .await;
        assert_eq!(r.status, 400, "seal_mm={mm}");
    }
    let (path, _) = problem(
        &prepare_form(
            &engine,
            "field=party-1",
            &[("pdf", &pdf), ("seal", b"GIF89a")],
        )
        .await,
    );
    assert_eq!(path, "/seal");
    // A seal of more than 2 MiB, or more than 2,000 pixels a side: refused before it is
    // decoded whole.
    let huge = vec![0u8; 2 * 1024 * 1024 + 1];
    let (path, m) =
        problem(&prepare_form(&engine, "field=party-1", &[("pdf", &pdf), ("seal", &huge)]).await);
    assert_eq!(path, "/seal");
    assert!(m.contains("bytes"), "{m}");
    let (path, m) = problem(
        &prepare_form(
            &engine,
            "field=party-1",
            &[("pdf", &pdf), ("seal", &seal_png(2001))],
        )
        .await,
    );
    assert_eq!(path, "/seal");
    assert!(m.contains("2000"), "{m}");
    // A part of another name.
    let r = prepare_form(&engine, "field=party-1", &[("pdf", &pdf), ("stamp", b"x")]).await;
    assert_eq!(r.status, 400);
    assert!(String::from_utf8_lossy(&r.body).contains("pdf, data, seal, certificate"));
    let (path, _) = problem(
        &prepare_form(
            &engine,
            "field=party-1",
            &[
                ("pdf", &pdf),
                (
                    "certificate",
                    b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                ),
            ],
        )
        .await,
    );
    assert_eq!(path, "/certificate");
    let r = prepare_form(&engine, "field=party-1", &[("seal", &seal_png(10))]).await;
    assert_eq!(r.status, 400, "no pdf part");
    let r = prepare_form(&engine, "field=party-1", &[("pdf", &pdf), ("pdf", &pdf)]).await;
    assert_eq!(r.status, 400, "a part twice");
}

#[actix_web::test]
async fn a_cms_over_another_digest_algorithm_than_prepared_is_refused() {
    use der::Decode;
    let engine = party_engine(SECRET, 900);
    let (root, head, _) = heads();
    let pdf = pdf_of(DocumentKind::Agreement, &example(DocumentKind::Agreement));
    let r = prepare_form(&engine, "field=party-1", &[("pdf", &pdf)]).await;
    let p = r.json();
    let digest = unb64(p["digest_base64"].as_str().unwrap());
    let cms = head.signer(&[&root.cert]).detached_cms(&digest).unwrap();
    // The same CMS, its digest algorithm said to be SHA-384.
    let ci = cms::content_info::ContentInfo::from_der(&cms).unwrap();
    let mut sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
    let sha384 = der::asn1::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
    infos[0].digest_alg.oid = sha384;
    sd.signer_infos = cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos).unwrap());
    let other = cms::content_info::ContentInfo {
        content_type: ci.content_type,
        content: der::Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap();
    let (path, m) = problem(
        &complete_json(&engine, serde_json::json!({"token": p["token"], "prepared_pdf": p["prepared_pdf"], "cms": b64(&other)}))
            .await,
    );
    assert_eq!(path, "/cms");
    assert!(m.contains("SHA-256"), "{m}");
    // The CMS as made completes.
    let r = complete_json(&engine, serde_json::json!({"token": p["token"], "prepared_pdf": p["prepared_pdf"], "cms": b64(&cms)})).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

/// Each page's images (their widths in pixels) and whether its content clips.
fn page_images(pdf: &[u8]) -> Vec<(Vec<i64>, bool)> {
    let file = PdfFile::open(pdf).unwrap();
    file.pages(100)
        .unwrap()
        .into_iter()
        .map(|n| {
            let page = file.object(n).unwrap().value;
            let resources = file.resolve(page.get("Resources").unwrap()).unwrap();
            let widths = match resources.get("XObject").map(|x| file.resolve(x).unwrap()) {
                Some(Obj::Dict(entries)) => entries
                    .iter()
                    .filter_map(|(_, v, _)| file.resolve(v).ok())
                    .filter(|x| x.get("Subtype").and_then(Obj::as_name) == Some("Image"))
                    .filter_map(|x| x.get("Width").and_then(Obj::as_int))
                    .collect(),
                _ => Vec::new(),
            };
            let contents: Vec<u32> = match page.get("Contents") {
                Some(Obj::Ref(c)) => vec![*c],
                Some(Obj::Array(a)) => a
                    .iter()
                    .filter_map(|c| match c {
                        Obj::Ref(c) => Some(*c),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let clips = contents.iter().any(|c| {
                let text = String::from_utf8_lossy(&file.stream(*c).unwrap()).into_owned();
                text.contains("W n") || text.contains("W\nn")
            });
            (widths, clips)
        })
        .collect()
}

/// An engine signing with a development key and a seal `side` pixels square.
pub(crate) fn sealed_engine(side: u32) -> std::sync::Arc<collabdocs::engine::Engine> {
    let (key, cert) = collabdocs::sign::dev_cert("华东零售集团").unwrap();
    let mut signer = collabdocs::sign::Signer::from_pem(&key, &cert).unwrap();
    signer.seal = Some(collabdocs::sign::Seal::from_png(&seal_png(side)).unwrap());
    std::sync::Arc::new(
        collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
            signer: Some(std::sync::Arc::new(signer)),
            ..Default::default()
        })
        .unwrap(),
    )
}

#[actix_web::test]
async fn the_cross_page_seal_is_pressed_across_every_page_before_the_service_signs() {
    let engine = sealed_engine(400);
    let payload = example(DocumentKind::Agreement);
    let ask = |query: &str| {
        crate::common::call_with(
            collabdocs::http::AppState::new(engine.clone()),
            actix_web::test::TestRequest::post()
                .uri(&format!("/v1/documents/agreement?{query}"))
                .insert_header(("content-type", "application/json"))
                .set_payload(serde_json::to_vec(&payload).unwrap()),
        )
    };
    let r = ask("sign=true&cross_page_seal=true").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let sealed = r.body;
    let v = collabdocs::sign::verify(&sealed, &Trust::default());
    assert!(v.valid && v.signatures[0].valid, "{v:?}");
    let pages = page_images(&sealed);
    assert!(pages.len() >= 2, "{pages:?}");
    for (i, (widths, clips)) in pages.iter().enumerate() {
        assert!(
            widths.contains(&400) && *clips,
            "page {}: {widths:?}",
            i + 1
        );
    }
    // Without it, no page carries the seal.
    let plain = ask("sign=true").await.body;
    assert!(page_images(&plain).iter().all(|(w, _)| !w.contains(&400)));
    // It is the service's, pressed as it signs: not without sign=true; not without a seal.
    assert_eq!(ask("cross_page_seal=true").await.status, 400);
    let bare = party_engine(SECRET, 900);
    let r = crate::common::call_with(
        collabdocs::http::AppState::new(bare),
        actix_web::test::TestRequest::post()
            .uri("/v1/documents/agreement?sign=true&cross_page_seal=true")
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(&payload).unwrap()),
    )
    .await;
    assert_eq!(r.status, 409);
    assert!(String::from_utf8_lossy(&r.body).contains("COLLABDOCS_SEAL_IMAGE"));
}

#[actix_web::test]
async fn a_party_prepares_from_the_payload_and_the_service_renders_its_pdf() {
    let engine = party_engine(SECRET, 900);
    let payload = example(DocumentKind::Agreement);
    // The PDF `format=pdf` renders: the prepared revision is appended to exactly it.
    let pdf = pdf_of(DocumentKind::Agreement, &payload);
    let json = serde_json::to_vec(&payload).unwrap();
    let r = crate::common::call_with(
        collabdocs::http::AppState::new(engine.clone()),
        actix_web::test::TestRequest::post()
            .uri("/v1/sign/prepare?field=party-1&signer=%E9%99%88%E9%9D%99&kind=agreement")
            .insert_header(("content-type", "application/json"))
            .set_payload(json.clone()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let prepared = unb64(r.json()["prepared_pdf"].as_str().unwrap());
    assert!(prepared.starts_with(&pdf) && prepared.len() > pdf.len());
    // The same in a form, with the party's seal: the payload as the part `data`.
    let r = prepare_form(
        &engine,
        "field=party-2",
        &[("data", &json), ("seal", &seal_png(200))],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(unb64(r.json()["prepared_pdf"].as_str().unwrap()).starts_with(&pdf));
    // A payload that is not the kind's: 422 with pointers into it; not JSON: 400; both a PDF
    // and a payload, or an unknown kind: 400.
    let mut bad = payload.clone();
    bad["signatories"] = serde_json::json!("nobody");
    let r = prepare_form(
        &engine,
        "field=party-1",
        &[("data", &serde_json::to_vec(&bad).unwrap())],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(
        r.error_paths().contains(&"/signatories".to_string()),
        "{:?}",
        r.error_paths()
    );
    let r = prepare_form(&engine, "field=party-1", &[("data", b"{not json")]).await;
    assert_eq!(r.status, 400);
    let r = prepare_form(&engine, "field=party-1", &[("pdf", &pdf), ("data", &json)]).await;
    assert_eq!(r.status, 400);
    let r = prepare_form(&engine, "field=party-1&kind=no-such", &[("data", &json)]).await;
    assert_eq!(r.status, 404);
}

#[actix_web::test]
async fn a_payload_past_the_body_limit_or_too_big_to_render_gets_a_bounded_4xx() {
    let engine = party_engine(SECRET, 900);
    let post = |limit: usize, body: Vec<u8>| {
        let engine = engine.clone();
        async move {
            crate::common::call_with(
                collabdocs::http::AppState {
                    verify_body_limit: limit,
                    ..collabdocs::http::AppState::new(engine)
                },
                actix_web::test::TestRequest::post()
                    .uri("/v1/sign/prepare?field=party-1")
                    .insert_header(("content-type", "application/json"))
                    .set_payload(body),
            )
            .await
        }
    };
    // Over the body limit: a 413, the body not read on.
    let mut payload = example(DocumentKind::Agreement);
    payload["objective"] = serde_json::json!("协".repeat(200_000));
    let r = post(64 * 1024, serde_json::to_vec(&payload).unwrap()).await;
    assert_eq!(r.status, 413);
    // Within it but past what a payload may hold (10,000 signatories): a 422 pointing into it,
    // nothing rendered.
    let mut payload = example(DocumentKind::Agreement);
    let one = payload["signatories"][0].clone();
    payload["signatories"] = serde_json::json!(vec![one; 10_000]);
    let r = post(16 * 1024 * 1024, serde_json::to_vec(&payload).unwrap()).await;
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert!(r
        .error_paths()
        .iter()
        .any(|p| p.starts_with("/signatories")));
}
