//! Chinese typography and the official profile, measured from what is produced: the faces
//! the PDF's text is set in and the faces it embeds, first-line indents, punctuation
//! compression, the GB/T 9704-2012 text block (28 mm / 37 mm, 22 lines × 28 characters),
//! page numbers on the outer side, and the DOCX page set-up, grid, faces and indents.

use collabdocs::document::Document;
use collabdocs::kinds::DocumentKind;
use collabdocs::render::fonts::FontSet;
use collabdocs::render::pdf::layout;
use collabdocs::render::pdf::layout::{Layout, Op};
use collabdocs::values::Profile;
use serde_json::{json, Value};

use crate::common::*;

const MM: f32 = 72.0 / 25.4;

fn document(kind: DocumentKind, payload: &Value, profile: Profile) -> Document {
    let engine = engine();
    let request = collabdocs::engine::Request::new(
        &engine,
        kind,
        collabdocs::render::OutputFormat::Pdf,
        profile,
        false,
    )
    .unwrap();
    engine.document(&request, payload).expect("valid payload").0
}

fn laid_out(kind: DocumentKind, payload: &Value, profile: Profile) -> Layout {
    layout(&document(kind, payload, profile), FontSet::builtin()).unwrap()
}

/// The BaseFont names of the fonts a PDF embeds, read from the file.
fn embedded_fonts(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    let mut names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"Font".as_slice()))
        .filter_map(|d| d.get(b"BaseFont").and_then(|n| n.as_name()).ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The text render modes (`Tr`) a PDF's pages set: 2 is fill and stroke (faux bold).
fn render_modes(pdf: &[u8]) -> Vec<i64> {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    let mut modes = Vec::new();
    for (_, page) in doc.get_pages() {
        let content = doc
            .get_and_decode_page_content(page)
            .expect("content decodes");
        for op in content.operations {
            if op.operator == "Tr" {
                modes.extend(op.operands.iter().filter_map(|o| o.as_i64().ok()));
            }
        }
    }
    modes
}

/// The text ops of a layout: (page, face the first CJK character is set in, op).
fn text_ops(lay: &Layout) -> Vec<(usize, &Op)> {
    lay.pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.ops.iter().map(move |op| (i, op)))
        .filter(|(_, op)| matches!(op, Op::Text { .. }))
        .collect()
}

#[actix_web::test]
async fn body_text_is_song_and_headings_are_hei_with_faux_bold() {
    let (_, r) = render_example(DocumentKind::Agreement, "pdf").await;
    let fonts = embedded_fonts(&r.body);
    assert!(
        fonts.iter().any(|f| f.contains("NotoSerifCJKsc")),
        "{fonts:?}"
    );
    assert!(fonts.iter().any(|f| f.contains("WenQuanYi")), "{fonts:?}");
    // Bold (headings, labels, table headers) is drawn filled and stroked: no bold weight.
    assert!(render_modes(&r.body).contains(&2));

    let set = FontSet::builtin();
    let song = set
        .faces
        .iter()
        .position(|f| f.name.contains("Noto Serif"))
        .unwrap();
    let hei = set.heading.unwrap();
    let lay = laid_out(
        DocumentKind::Agreement,
        &example(DocumentKind::Agreement),
        Profile::Standard,
    );
    let (mut body, mut headings) = (0, 0);
    for (_, op) in text_ops(&lay) {
        let Op::Text {
            text,
            heading,
            size,
            ..
        } = op
        else {
            continue;
        };
        let Some(c) = text.chars().find(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)) else {
            continue;
        };
        let face = set.place_styled(c, *heading).face;
        if *heading {
            assert_eq!(face, hei, "heading {text:?} is not in the 黑体");
            headings += (*size >= 12.0) as usize;
        } else {
            assert_eq!(face, song, "body text {text:?} is not in the Song face");
            body += 1;
        }
    }
    assert!(
        body > 20 && headings > 5,
        "{body} body runs, {headings} headings"
    );
}

#[test]
fn body_paragraphs_start_two_characters_in_and_lists_and_cells_do_not() {
    let mut payload = example(DocumentKind::MeetingMinutes);
    let long = "各部门应当按照会议确定的分工，落实责任人和完成时限。".repeat(4);
    payload["discussions"][0]["summary"] = json!(long);
    let lay = laid_out(DocumentKind::MeetingMinutes, &payload, Profile::Standard);
    let lines: Vec<_> = lay.pages.iter().flat_map(|p| p.lines.iter()).collect();
    let first = lines
        .iter()
        .position(|l| !l.text.is_empty() && long.starts_with(&l.text))
        .expect("the paragraph's first line");
    let left = 56.7;
    assert!(
        (lines[first].x - (left + 21.0)).abs() < 0.5,
        "{:?}",
        lines[first]
    );
    // Its next line is flush left.
    assert!(
        (lines[first + 1].x - left).abs() < 0.5,
        "{:?}",
        lines[first + 1]
    );
}

#[test]
fn the_official_text_block_is_28_and_37_mm_in_with_22_lines_of_28_characters() {
    let mut payload = example(DocumentKind::MeetingMinutes);
    // Long enough to fill whole pages with plain body lines.
    payload["discussions"][0]["summary"] = json!("协".repeat(28 * 70));
    let lay = laid_out(DocumentKind::MeetingMinutes, &payload, Profile::Official);
    assert!((lay.width - 595.28).abs() < 0.1, "A4");
    let ops = text_ops(&lay);
    // Left edge: the leftmost text on the first page; top edge: the first line's box.
    let page1: Vec<_> = ops.iter().filter(|(p, _)| *p == 0).collect();
    let left = page1
        .iter()
        .filter_map(|(_, op)| match op {
            Op::Text { x, text, .. } if !text.starts_with('—') => Some(*x),
            _ => None,
        })
        .fold(f32::MAX, f32::min);
    assert!((left - 28.0 * MM).abs() <= MM, "left edge {} mm", left / MM);
    let Op::Text { y, size, .. } = page1[0].1 else {
        unreachable!()
    };
    let top = y - size * 1.1;
    assert!((top - 37.0 * MM).abs() <= MM, "top edge {} mm", top / MM);

    // A full line of body text holds 28 characters, the paragraph's first 26 (two in).
    let full: Vec<_> = lay
        .pages
        .iter()
        .flat_map(|p| p.lines.iter())
        .filter(|l| !l.text.is_empty() && l.text.chars().all(|c| c == '协'))
        .collect();
    assert_eq!(full[0].text.chars().count(), 26, "{:?}", full[0]);
    assert!(full[1..full.len() - 1]
        .iter()
        .all(|l| l.text.chars().count() == 28));
    // Its last character, 16 pt wide (0.25 pt more than it advances), ends inside the
    // 156 mm measure.
    let last_end = full[1].right + 0.25;
    assert!(
        last_end <= left + 156.0 * MM,
        "the 28th character ends {} mm past the measure",
        (last_end - left) / MM - 156.0
    );
    // A page filled with body text holds 22 lines (its page number aside).
    let page = lay
        .pages
        .iter()
        .find(|p| p.lines.iter().filter(|l| l.text.starts_with('协')).count() > 20)
        .expect("a full page");
    let body_lines = page
        .lines
        .iter()
        .filter(|l| !l.text.starts_with('—'))
        .count();
    assert_eq!(body_lines, 22);
}

#[test]
fn official_page_numbers_stand_on_the_outer_side() {
    let mut payload = example(DocumentKind::MeetingMinutes);
    payload["discussions"][0]["summary"] = json!("协".repeat(28 * 30));
    let lay = laid_out(DocumentKind::MeetingMinutes, &payload, Profile::Official);
    assert!(lay.pages.len() >= 3);
    let centre = lay.width / 2.0;
    for (i, page) in lay.pages.iter().enumerate() {
        let n = page
            .lines
            .iter()
            .find(|l| l.text == format!("— {} —", i + 1))
            .unwrap_or_else(|| panic!("page {} has no number", i + 1));
        if i % 2 == 0 {
            assert!(n.x > centre, "odd page {} numbered on the left", i + 1);
        } else {
            assert!(
                n.right < centre,
                "even page {} numbered on the right",
                i + 1
            );
        }
    }
}

#[actix_web::test]
async fn the_official_docx_carries_the_page_set_up_grid_faces_and_footers() {
    let payload = example(DocumentKind::MeetingMinutes);
    let r = post(
        "/v1/documents/meeting-minutes?format=docx&style=official",
        serde_json::to_vec(&payload).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let doc = zip_part(&r.body, "word/document.xml").unwrap();
    for needle in [
        r#"w:top="2098""#,
        r#"w:left="1587""#,
        r#"<w:docGrid w:type="lines" w:linePitch="579"/>"#,
        r#"w:footerReference w:type="even""#,
        r#"w:firstLineChars="200""#,
        r#"w:color w:val="E60012""#,
    ] {
        assert!(doc.contains(needle), "document.xml lacks {needle}");
    }
    let styles = zip_part(&r.body, "word/styles.xml").unwrap();
    for needle in [
        r#"w:eastAsia="仿宋_GB2312""#,
        r#"w:eastAsia="黑体""#,
        r#"w:eastAsia="楷体_GB2312""#,
        r#"w:eastAsia="方正小标宋简体""#,
        r#"<w:spacing w:val="-5"/><w:sz w:val="32"/>"#,
    ] {
        assert!(styles.contains(needle), "styles.xml lacks {needle}");
    }
    let fonts = zip_part(&r.body, "word/fontTable.xml").unwrap();
    assert!(fonts.contains(r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>"#));
    assert!(zip_part(&r.body, "word/settings.xml")
        .unwrap()
        .contains("<w:evenAndOddHeaders/>"));
    assert!(zip_part(&r.body, "word/footer1.xml")
        .unwrap()
        .contains(r#"<w:jc w:val="right"/>"#));
    assert!(zip_part(&r.body, "word/footer2.xml")
        .unwrap()
        .contains(r#"<w:jc w:val="left"/>"#));
    // Every value of the payload is still there.
    let text = docx_text(&r.body).0.all();
    for name in ["李明", "王芳", "Q3新产品上市推广方案协调会"] {
        assert!(text.contains(name), "{name}");
    }
}

#[actix_web::test]
async fn the_standard_docx_and_html_indent_body_text_and_name_the_faces() {
    let (_, r) = render_example(DocumentKind::Agreement, "docx").await;
    let doc = zip_part(&r.body, "word/document.xml").unwrap();
    assert!(doc.contains(r#"<w:ind w:firstLineChars="200" w:firstLine="420"/>"#));
    assert!(doc.contains(r#"w:eastAsia="宋体""#) && doc.contains(r#"w:eastAsia="黑体""#));
    let (_, r) = render_example(DocumentKind::Agreement, "html").await;
    let html = String::from_utf8(r.body).unwrap();
    assert!(html.contains("p.body{text-indent:2em}") && html.contains(r#"<p class="body""#));
}

#[actix_web::test]
async fn the_style_is_checked_per_kind_and_per_value() {
    let body = serde_json::to_vec(&example(DocumentKind::Agreement)).unwrap();
    let r = post(
        "/v1/documents/agreement?format=pdf&style=official",
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    let detail = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    for kind in ["meeting-minutes", "meeting-notice", "collaboration-memo"] {
        assert!(detail.contains(kind), "{detail}");
    }
    let r = post("/v1/documents/agreement?format=pdf&style=fancy", body).await;
    assert_eq!(r.status, 400);
    // Every kind with the official profile renders in it, in every format.
    for kind in DocumentKind::ALL
        .iter()
        .filter(|k| k.official_template().is_some())
    {
        for format in ["pdf", "docx", "xlsx", "html"] {
            let r = post(
                &format!(
                    "/v1/documents/{}?format={format}&style=official",
                    kind.slug()
                ),
                serde_json::to_vec(&example(*kind)).unwrap(),
            )
            .await;
            assert_eq!(
                r.status,
                200,
                "{kind} {format}: {}",
                String::from_utf8_lossy(&r.body)
            );
        }
    }
}

#[actix_web::test]
async fn a_batch_item_carries_its_style_and_a_bad_one_is_named() {
    let item = |kind: DocumentKind, style: &str| json!({"kind": kind.slug(), "format": "pdf", "style": style, "data": example(kind)});
    let r = post(
        "/v1/batch",
        serde_json::to_vec(&json!({"items": [item(DocumentKind::MeetingMinutes, "fancy")]}))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.error_paths(), ["/items/0/style"]);
    // A kind without the official profile is reported in the manifest; the other renders.
    let r = post(
        "/v1/batch",
        serde_json::to_vec(&json!({"items": [
            item(DocumentKind::MeetingMinutes, "official"),
            item(DocumentKind::Agreement, "official"),
        ]}))
        .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let manifest = zip_part(&r.body, "manifest.json").unwrap();
    assert!(manifest.contains("style=official is for"), "{manifest}");
}
