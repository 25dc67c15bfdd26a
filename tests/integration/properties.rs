//! Property tests: random and mutated payloads of every kind never panic, never fault and
//! stay within their budgets; the PDF reader behind `/v1/verify` never panics on any bytes;
//! a Word template of any tag soup is refused or fills into well-formed parts.

use collabdocs::kinds::DocumentKind;
use collabdocs::render::OutputFormat;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::common::*;

/// A JSON value of the kinds that break payloads: wrong types, hostile text, huge numbers.
fn wild_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| json!(x)),
        "\\PC{0,40}".prop_map(Value::String),
        Just(json!("2026-02-30")),
        Just(json!("=SUM(A1)&<b>\u{202E}\u{0}")),
        Just(json!("长".repeat(3000))),
        Just(json!([])),
        Just(json!({})),
        Just(json!([{"a": 1}, "x", null])),
    ]
}

/// Every place in a value, as JSON Pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_payloads_give_a_file_or_a_4xx(
        kind in 0..DocumentKind::ALL.len(),
        format in 0..OutputFormat::ALL.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), wild_value()), 1..6),
    ) {
        let kind = DocumentKind::ALL[kind];
        let format = OutputFormat::ALL[format];
        let mut payload = example(kind);
        for (at, value) in edits {
            let mut all = Vec::new();
            pointers(&payload, String::new(), &mut all);
            if all.is_empty() {
                break;
            }
            let p = at.get(&all).clone();
            if let Some(slot) = payload.pointer_mut(&p) {
                *slot = value;
            }
        }
        match engine().render(kind, &payload, format) {
            Ok(r) => {
                prop_assert!(!r.bytes.is_empty());
                match format {
                    OutputFormat::Pdf => prop_assert!(r.bytes.starts_with(b"%PDF-")),
                    OutputFormat::Docx | OutputFormat::Xlsx | OutputFormat::Ofd => prop_assert!(r.bytes.starts_with(b"PK")),
                    OutputFormat::Html => prop_assert!(std::str::from_utf8(&r.bytes).is_ok()),
                }
            }
            Err(e) => {
                let p = e.problem();
                prop_assert!((400..500).contains(&p.status), "{kind} {format}: {e:?}");
                prop_assert!(p.errors.len() <= 100);
            }
        }
    }
}

/// The document information dictionary's and the XMP stream's object numbers.
fn metadata_objects(pdf: &[u8]) -> Vec<u32> {
    use collabdocs::sign::reader::{Obj, PdfFile};
    let file = PdfFile::open(pdf).unwrap();
    let mut out = Vec::new();
    if let Some(Obj::Ref(n)) = file.trailer.get("Info") {
        out.push(*n);
    }
    if let Some(Obj::Ref(root)) = file.trailer.get("Root") {
        if let Some(Obj::Ref(n)) = file.object(*root).unwrap().value.get("Metadata") {
            out.push(*n);
        }
    }
    out
}

fn signed_example() -> &'static [u8] {
    static PDF: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PDF.get_or_init(|| {
        let engine = crate::signing::signing_engine();
        engine
            .render_signed(DocumentKind::Agreement, &example(DocumentKind::Agreement))
            .unwrap()
            .bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_pdf_reader_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.extend_from_slice(&bytes);
        let v = collabdocs::sign::verify(&pdf, &Default::default());
        prop_assert!(!v.valid);
    }

    #[test]
    fn a_changed_signed_file_never_panics_and_a_changed_signed_byte_is_caught(
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let original = signed_example();
        let mut pdf = original.to_vec();
        let i = at.index(pdf.len());
        let changed = pdf[i] != byte;
        pdf[i] = byte;
        let v = collabdocs::sign::verify(&pdf, &Default::default());
        // A change inside the signed range (anything but the signature's own hex) is caught.
        let contents = original.windows(10).position(|w| w == b"/Contents<").unwrap() + 9;
        let end = contents + original[contents..].iter().position(|&b| b == b'>').unwrap() + 1;
        if changed && !(contents..end).contains(&i) {
            prop_assert!(!v.valid, "byte {i} changed and the file still verifies");
        }
        let truncated = &original[..cut.index(original.len())];
        let _ = collabdocs::sign::verify(truncated, &Default::default());
    }

    /// Revisions appended after signing — new and rewritten objects, streams with lying
    /// lengths and broken deflate data, a catalog pointing at a store of them — never crash
    /// the check, and nothing but validation data is called permitted.
    #[test]
    fn appended_revisions_never_panic_and_only_validation_data_is_permitted(
        objects in prop::collection::vec(
            (0u32..60, prop::sample::select(vec![
                "<</Type/DSS/Certs[{n} 0 R]/OCSPs[{n} 0 R]/CRLs[{n} 0 R]>>",
                "<</Length 99999/Filter/FlateDecode>>\nstream\nxx\nendstream",
                "<</Length 4/Filter/FlateDecode>>\nstream\nabcd\nendstream",
                "<</Type/Page/Annots[{n} 0 R]>>",
                "<</FT/Sig/V {n} 0 R>>",
                "[{n} 0 R {n} 0 R]",
                "(text)",
                "<</Type/Catalog/Pages 2 0 R/DSS {n} 0 R/AcroForm<</Fields[{n} 0 R]>>>>",
            ])),
            1..8,
        ),
    ) {
        let original = signed_example();
        let (size, root) = crate::signing::trailer_numbers(original);
        let written: Vec<(u32, String)> = objects
            .iter()
            .map(|(num, body)| {
                // Numbers at or past `size` are new objects; below it, rewrites (the catalog too).
                let num = if *num == 0 { root } else { num % (size + 8) + 1 };
                let body = body.replace("{n}", &((num % (size + 8)) + 1).to_string());
                (num, body)
            })
            .collect();
        let pdf = crate::signing::append_revision(original, &written);
        let v = collabdocs::sign::verify(&pdf, &Default::default());
        // A rewritten catalog or form may hide the signature: then the file is not valid.
        let Some(sig) = v.signatures.first() else {
            prop_assert!(!v.valid);
            return Ok(());
        };
        // Rewriting a page, or adding a stray object, is never validation data; the document
        // information dictionary and the XMP stream may be rewritten (writers update them).
        let metadata = metadata_objects(original);
        let stray = written.iter().any(|(num, body)| {
            *num < size && *num != root && !metadata.contains(num)
                && !body.starts_with("<</Type/DSS")
                && !body.starts_with("<</FT/Sig") && !body.starts_with("<</Length")
                && !body.starts_with('[') && !body.starts_with('(')
        });
        if stray {
            prop_assert_eq!(&sig.changed_after_signing, "content");
        }
    }
}

/// A piece of template text: plain text, a tag, a whole block, or a mistake (a lone block
/// tag, a brace, full-width braces) — mostly what fills, sometimes what is refused.
fn template_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => "[一-龥a-z ]{0,6}",
        3 => Just("{{doc.a}}".to_string()),
        1 => Just("{{date doc.d}}".to_string()),
        1 => Just("&amp;&lt;".to_string()),
        2 => Just("{{#each doc.list}}{{this}}、{{/each}}".to_string()),
        2 => Just("{{#if doc.a}}有{{else}}无{{/if}}".to_string()),
        1 => Just("{{image doc.a width=10mm}}".to_string()),
        1 => prop_oneof![
            Just("{{#each doc.list}}"),
            Just("{{/each}}"),
            Just("{{else}}"),
            Just("{{"),
            Just("}}"),
            Just("｛｛doc.a｝｝"),
        ]
        .prop_map(str::to_string),
    ]
}

/// A body of paragraphs and table rows, each a run or two of pieces.
fn template_body() -> impl Strategy<Value = String> {
    fn para() -> impl Strategy<Value = String> {
        prop::collection::vec(template_piece(), 1..4).prop_map(|ps| {
            let runs: String = ps
                .iter()
                .map(|t| format!("<w:r><w:t xml:space=\"preserve\">{t}</w:t></w:r><w:proofErr w:type=\"spellStart\"/>"))
                .collect();
            format!("<w:p>{runs}</w:p>")
        })
    }
    let row = prop::collection::vec(para(), 1..3).prop_map(|cells| {
        let tcs: String = cells.iter().map(|c| format!("<w:tc>{c}</w:tc>")).collect();
        format!("<w:tr>{tcs}</w:tr>")
    });
    let block = prop_oneof![
        para(),
        prop::collection::vec(row, 1..4)
            .prop_map(|rows| format!("<w:tbl>{}</w:tbl>", rows.concat())),
    ];
    // Sometimes the whole body repeats, its block tags in paragraphs of their own.
    (prop::collection::vec(block, 1..8), any::<bool>()).prop_map(|(b, looped)| {
        let body = b.concat();
        if looped {
            let tag = |t: &str| format!("<w:p><w:r><w:t>{t}</w:t></w:r></w:p>");
            format!("{}{body}{}", tag("{{#each doc.list}}"), tag("{{/each}}"))
        } else {
            body
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// A Word template of any tag soup either is refused with a named fault or fills into
    /// parts that are well-formed XML — never a panic, never a broken file.
    #[test]
    fn any_word_template_is_refused_or_fills_into_well_formed_parts(body in template_body(), data in wild_value()) {
        let docx = crate::word::docx(&body, &[]);
        let Ok(t) = collabdocs::word::WordTemplate::load(docx, Default::default()) else {
            return Ok(());
        };
        let view = json!({"doc": {"a": data.clone(), "list": [data, "x", 1], "d": "2026-08-01"}});
        if let Ok(html) = t.fill_html(&view, 1_000_000, "t") {
            prop_assert!(!html.contains("<script"), "{html}");
            prop_assert!(html.ends_with("</html>\n"));
        }
        if let Ok(out) = t.fill(&view, 1_000_000) {
            for name in crate::common::zip_names(&out) {
                if name.ends_with(".xml") || name.ends_with(".rels") {
                    let xml = crate::common::zip_part(&out, &name).unwrap();
                    prop_assert!(collabdocs::word::xml::check(&xml).is_ok(), "{name}: {xml}");
                }
            }
        }
    }
}

fn archival_engine() -> &'static collabdocs::engine::Engine {
    static ENGINE: std::sync::OnceLock<collabdocs::engine::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
            archive: collabdocs::engine::ArchiveFormat::Pdfa,
            ..Default::default()
        })
        .unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// Mutated payloads as archive copies: a tagged PDF/A-3b carrying the payload as it was
    /// sent, or a 4xx (a character no font has, a broken rule) — never a fault.
    #[test]
    fn mutated_payloads_give_a_tagged_pdf_a_or_a_4xx(
        kind in 0..DocumentKind::ALL.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop_oneof![
            "[协作会议纪要A-Za-z0-9 ，。&<>=\"']{0,60}",
            Just("长".repeat(3000)),
            Just("emoji 🚀".to_string()),
            Just("\u{202E}反向 שלום".to_string()),
        ]), 1..4),
    ) {
        let kind = DocumentKind::ALL[kind];
        let mut payload = example(kind);
        // Text put where the payload has text: most such documents render.
        for (at, text) in edits {
            let mut all = Vec::new();
            pointers(&payload, String::new(), &mut all);
            all.retain(|p| payload.pointer(p).is_some_and(Value::is_string));
            if all.is_empty() {
                break;
            }
            let p = at.get(&all).clone();
            if let Some(slot) = payload.pointer_mut(&p) {
                *slot = Value::String(text);
            }
        }
        match archival_engine().render(kind, &payload, OutputFormat::Pdf) {
            Ok(r) => {
                let has = |s: &[u8]| r.bytes.windows(s.len()).any(|w| w == s);
                prop_assert!(has(b"<pdfaid:part>3</pdfaid:part>"));
                prop_assert!(has(b"/StructTreeRoot"));
                prop_assert!(has(b"/AF["));
            }
            Err(e) => {
                let p = e.problem();
                prop_assert!((400..500).contains(&p.status), "{kind}: {e:?}");
            }
        }
    }
}
