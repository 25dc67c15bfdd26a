//! Tagged PDF: every kind's PDF carries a structure tree a screen reader follows — headings,
//! paragraphs, lists, tables with header cells, figures with alternative text — its page
//! furniture marked as artifacts, an outline of its headings, its language and title, and
//! (when every character has a glyph) the PDF/UA-1 identification the writer checked.

use collabdocs::kinds::DocumentKind;
use collabdocs::sign::reader::{Obj, PdfFile};
use serde_json::Value;

use crate::common::*;

/// The structure elements of a PDF, depth first: (type, alternative text, children types).
pub(crate) fn elements(pdf: &[u8]) -> Vec<(String, String, Vec<String>)> {
    let file = PdfFile::open(pdf).unwrap();
    let Some(Obj::Ref(root)) = file.trailer.get("Root") else {
        panic!("no root")
    };
    let catalog = file.object(*root).unwrap().value;
    let tree = file
        .resolve(catalog.get("StructTreeRoot").expect("a structure tree"))
        .unwrap();
    let mut out = Vec::new();
    fn walk(
        file: &PdfFile,
        node: &Obj,
        out: &mut Vec<(String, String, Vec<String>)>,
        depth: usize,
    ) {
        let kids = match node.get("K") {
            Some(Obj::Array(a)) => a.clone(),
            Some(k) => vec![k.clone()],
            None => Vec::new(),
        };
        for k in kids {
            let Ok(e) = file.resolve(&k) else { continue };
            let Some(s) = e.get("S").and_then(Obj::as_name) else {
                continue;
            };
            let child_types = match e.get("K") {
                Some(Obj::Array(a)) => a
                    .iter()
                    .filter_map(|c| file.resolve(c).ok())
                    .filter_map(|c| c.get("S").and_then(Obj::as_name).map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            let alt = match e.get("Alt") {
                // A text string: UTF-16BE after its byte-order mark.
                Some(Obj::Str(b)) if b.starts_with(&[0xFE, 0xFF]) => String::from_utf16_lossy(
                    &b[2..]
                        .chunks_exact(2)
                        .map(|u| u16::from_be_bytes([u[0], u[1]]))
                        .collect::<Vec<_>>(),
                ),
                Some(Obj::Str(b)) => String::from_utf8_lossy(b).into_owned(),
                _ => String::new(),
            };
            out.push((s.to_string(), alt, child_types));
            if depth < 16 {
                walk(file, &e, out, depth + 1);
            }
        }
    }
    walk(&file, &tree, &mut out, 0);
    out
}

fn catalog_has(pdf: &[u8], needle: &str) -> bool {
    let file = PdfFile::open(pdf).unwrap();
    let Some(Obj::Ref(root)) = file.trailer.get("Root") else {
        panic!("no root")
    };
    let found = file.object(*root).unwrap();
    String::from_utf8_lossy(file.slice(found.span)).contains(needle)
}

#[actix_web::test]
async fn every_kind_is_tagged_with_headings_tables_and_header_cells() {
    for &kind in DocumentKind::ALL {
        let (_, r) = render_example(kind, "pdf").await;
        let found = elements(&r.body);
        let types: Vec<&str> = found.iter().map(|e| e.0.as_str()).collect();
        assert!(types.contains(&"H1"), "{kind}: {types:?}");
        assert!(types.contains(&"Table"), "{kind}");
        // Each table's rows hold cells, and every table has header cells.
        let tables = found.iter().filter(|e| e.0 == "Table").count();
        let rows: Vec<_> = found.iter().filter(|e| e.0 == "TR").collect();
        assert!(
            rows.iter()
                .all(|r| !r.2.is_empty() && r.2.iter().all(|c| c == "TH" || c == "TD")),
            "{kind}"
        );
        let with_header = found
            .iter()
            .enumerate()
            .filter(|(_, e)| e.0 == "Table")
            .filter(|(i, _)| {
                found[i + 1..]
                    .iter()
                    .take_while(|e| e.0 != "Table")
                    .any(|e| e.0 == "TH")
            })
            .count();
        assert_eq!(with_header, tables, "{kind}: every table has header cells");
        // Lists hold items; the language, the title in the window, the outline, PDF/UA-1.
        assert!(
            found
                .iter()
                .filter(|e| e.0 == "L")
                .all(|l| l.2.iter().all(|c| c == "LI")),
            "{kind}"
        );
        for needle in ["/MarkInfo", "/Lang", "/ViewerPreferences", "/Outlines"] {
            assert!(catalog_has(&r.body, needle), "{kind}: no {needle}");
        }
        assert!(
            r.body.windows(14).any(|w| w == b"pdfuaid:part>1"),
            "{kind}: no PDF/UA-1 identification"
        );
        // The same input, the same bytes.
        let again = render(kind.slug(), "pdf", &example(kind)).await;
        assert_eq!(again.body, r.body, "{kind}");
    }
}

#[actix_web::test]
async fn a_picture_is_a_figure_with_alternative_text_and_a_missing_glyph_drops_only_the_claim() {
    // A signatory's handwritten signature picture: a figure inside its cell, with its
    // alternative text.
    let mut payload = example(DocumentKind::Agreement);
    let png = crate::party_keys::seal_png(60);
    let uri = format!(
        "data:image/png;base64,{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &png)
    );
    payload["signatories"][0]["signature_image"] = Value::String(uri);
    let r = render("agreement", "pdf", &payload).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let found = elements(&r.body);
    let figures: Vec<_> = found.iter().filter(|e| e.0 == "Figure").collect();
    assert!(!figures.is_empty(), "the signature picture is a figure");
    assert!(figures.iter().all(|f| f.1 == "签名图片"), "{figures:?}");
    // An emoji has no glyph here: the PDF is tagged all the same, without the PDF/UA claim
    // (PDF/UA does not allow the empty box), and its header says which character.
    let mut payload = example(DocumentKind::MeetingMinutes);
    payload["title"] = Value::String("🚀 上线评审".into());
    let r = render("meeting-minutes", "pdf", &payload).await;
    assert_eq!(r.status, 200);
    assert!(elements(&r.body).iter().any(|e| e.0 == "H1"));
    assert!(!r.body.windows(14).any(|w| w == b"pdfuaid:part>1"));
    assert!(r.header("collabdocs-missing-glyphs").contains("U+1F680"));
}

#[test]
fn a_picture_block_says_what_it_shows_in_every_format() {
    // `<image alt="…">` in a template: the PDF's figure, HTML's alt, Word's description;
    // without one, 插图.
    let png = crate::word::png(40, 20);
    for (attr, alt) in [
        (r#" alt="项目组 &amp; 合作方合影""#, "项目组 & 合作方合影"),
        ("", "插图"),
    ] {
        let markup = format!(
            r#"<document><title>图</title><image src="{png}" width="40"{attr}/></document>"#
        );
        let pdf = render_markup(&markup, collabdocs::render::OutputFormat::Pdf);
        let figures: Vec<String> = elements(&pdf)
            .into_iter()
            .filter(|e| e.0 == "Figure")
            .map(|e| e.1)
            .collect();
        assert_eq!(figures, [alt]);
        let html = String::from_utf8(render_markup(
            &markup,
            collabdocs::render::OutputFormat::Html,
        ))
        .unwrap();
        let escaped = alt.replace('&', "&amp;");
        assert!(html.contains(&format!("<img alt=\"{escaped}\"")), "{html}");
        let docx = render_markup(&markup, collabdocs::render::OutputFormat::Docx);
        let document = zip_part(&docx, "word/document.xml").unwrap();
        if attr.is_empty() {
            assert!(!document.contains("descr="));
        } else {
            assert!(
                document.contains(&format!("descr=\"{escaped}\"")),
                "{document}"
            );
        }
    }
}

#[test]
fn a_word_template_laid_out_as_pdf_is_tagged_too() {
    // The shipped letterhead minutes: six Heading 1 paragraphs, a table with a header row,
    // a letterhead in the page header.
    let samples = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/templates");
    let engine = collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
        templates_dir: Some(samples),
        ..Default::default()
    })
    .unwrap();
    let entry = engine.word_templates().get("letterhead-minutes").unwrap();
    let payload = example(DocumentKind::MeetingMinutes);
    let pdf = engine
        .fill_word(&entry, &payload, collabdocs::render::OutputFormat::Pdf)
        .unwrap()
        .bytes;
    let found = elements(&pdf);
    let count = |t: &str| found.iter().filter(|e| e.0 == t).count();
    assert_eq!(count("H1"), 6, "{found:?}");
    assert!(count("P") > 6);
    assert!(count("Table") >= 1 && count("TH") >= 1 && count("TD") >= 1);
    assert!(found
        .iter()
        .filter(|e| e.0 == "TR")
        .all(|r| !r.2.is_empty() && r.2.iter().all(|c| c == "TH" || c == "TD")));
    for needle in ["/MarkInfo", "/Lang", "/Outlines"] {
        assert!(catalog_has(&pdf, needle), "no {needle}");
    }
    assert!(
        pdf.windows(14).any(|w| w == b"pdfuaid:part>1"),
        "no PDF/UA-1 identification"
    );
    // Every word of the PDF is still there: tagging moves nothing.
    let text: String = pdf_extract::extract_text_from_mem(&pdf)
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(text.contains("Q3新产品上市推广方案协调会"), "{text}");
}
