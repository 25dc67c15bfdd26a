//! PDF: every payload value extracted back from the file; Chinese typeset by the rules.

use collabdocs::document::Document;
use collabdocs::kinds::DocumentKind;
use collabdocs::render::fonts::FontSet;
use collabdocs::render::pdf::layout;
use collabdocs::render::pdf::layout::Layout;
use serde_json::{json, Value};

use crate::common::*;

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The extracted text, with the quarter-em set between Chinese and Latin letters or digits
/// (which extraction reads as a space) taken out again.
pub fn pdf_text(bytes: &[u8]) -> String {
    let text =
        pdf_extract::extract_text_from_mem(bytes).expect("the PDF parses and its text extracts");
    without_cjk_latin_gaps(&text)
}

/// The payload's values the PDF's text does not hold (`pointer = value`), line breaks aside.
pub fn missing_from_pdf(bytes: &[u8], payload: &Value) -> Vec<String> {
    let text = squash(&pdf_text(bytes));
    expected_texts(payload)
        .into_iter()
        .filter(|(_, t)| !text.contains(&squash(t)))
        .map(|(p, t)| format!("{p} = {t:?}"))
        .collect()
}

/// `2026 年 7 月` → `2026年7月`: one space between a CJK character and an ASCII letter or
/// digit (either way round) is the typesetter's quarter-em, not the payload's.
pub fn without_cjk_latin_gaps(text: &str) -> String {
    let cjk = |c: char| ('\u{3400}'..='\u{9FFF}').contains(&c);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && i + 1 < chars.len() {
            let (a, b) = (chars[i - 1], chars[i + 1]);
            if (cjk(a) && b.is_ascii_alphanumeric()) || (a.is_ascii_alphanumeric() && cjk(b)) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Extracted text without the page header and footer (`第N页/共M页`), which interleave with
/// a row that runs over a page break.
pub(crate) fn body_text(bytes: &[u8]) -> String {
    let t: Vec<char> = squash(&pdf_text(bytes))
        .replace("华远科技有限公司", "")
        .replace("编号：HY-2026-0728-01", "")
        .chars()
        .collect();
    let digits = |i: usize| t[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let at = |i: usize, s: &str| s.chars().enumerate().all(|(k, c)| t.get(i + k) == Some(&c));
    let mut out = String::new();
    let mut i = 0;
    while i < t.len() {
        if t[i] == '第' {
            let n = digits(i + 1);
            if n > 0 && at(i + 1 + n, "页/共") {
                let m = digits(i + 4 + n);
                if m > 0 && at(i + 4 + n + m, "页") {
                    i += 5 + n + m;
                    continue;
                }
            }
        }
        out.push(t[i]);
        i += 1;
    }
    out
}

fn document(kind: DocumentKind, payload: &Value) -> Document {
    let engine = engine();
    let request = collabdocs::engine::Request::new(
        &engine,
        kind,
        collabdocs::render::OutputFormat::Pdf,
        collabdocs::values::Profile::Standard,
        false,
    )
    .unwrap();
    engine.document(&request, payload).expect("valid payload").0
}

pub(crate) fn laid_out(kind: DocumentKind, payload: &Value) -> Layout {
    layout(&document(kind, payload), FontSet::builtin()).unwrap()
}

#[actix_web::test]
async fn every_kind_renders_to_a_pdf_holding_every_payload_value() {
    for kind in DocumentKind::ALL {
        let (payload, r) = render_example(*kind, "pdf").await;
        assert!(r.body.starts_with(b"%PDF-"));
        let missing = missing_from_pdf(&r.body, &payload);
        assert!(
            missing.is_empty(),
            "{kind} pdf is missing:\n{}",
            missing.join("\n")
        );
        let text = squash(&pdf_text(&r.body));
        assert!(text.contains("第1页/共"), "{kind}: no page numbers");
        assert!(
            r.header("collabdocs-missing-glyphs").is_empty(),
            "{kind}: {}",
            r.header("collabdocs-missing-glyphs")
        );
    }
}

#[actix_web::test]
async fn pdf_is_the_default_format() {
    let r = post(
        "/v1/documents/raci-matrix",
        serde_json::to_vec(&example(DocumentKind::RaciMatrix)).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "application/pdf");
    assert!(
        r.header("content-disposition")
            .contains("filename=\"raci-matrix-618.pdf\""),
        "{}",
        r.header("content-disposition")
    );
}

#[actix_web::test]
async fn the_same_payload_gives_the_same_pdf_bytes_and_the_minutes_stay_small() {
    for kind in DocumentKind::ALL {
        let payload = example(*kind);
        let a = render(kind.slug(), "pdf", &payload).await.body;
        let b = render(kind.slug(), "pdf", &payload).await.body;
        assert!(a == b, "{kind}: two PDFs differ");
        if *kind == DocumentKind::MeetingMinutes {
            assert!(a.len() < 150 * 1024, "minutes PDF is {} bytes", a.len());
        }
    }
}

#[test]
fn no_line_in_any_example_starts_with_a_closing_mark_or_passes_the_margin() {
    for kind in DocumentKind::ALL {
        let lay = laid_out(*kind, &example(*kind));
        for (n, page) in lay.pages.iter().enumerate() {
            for line in &page.lines {
                let first = line.text.chars().next().unwrap_or(' ');
                assert!(
                    !"。，、；：？！）》」』】".contains(first),
                    "{kind} page {}: line starts with {first}: {:?}",
                    n + 1,
                    line.text
                );
                assert!(
                    line.right <= line.limit + 0.01,
                    "{kind} page {}: {:?} ends at {} past {}",
                    n + 1,
                    line.text,
                    line.right,
                    line.limit
                );
            }
        }
    }
}

/// Minutes with a 3,000-character paragraph without a space and 200 action items.
fn long_minutes() -> Value {
    let mut m = example(DocumentKind::MeetingMinutes);
    let long: String = "跨部门协作需要明确目标与职责，保证信息传递准确、行动责任明确。"
        .chars()
        .cycle()
        .take(3000)
        .collect();
    m["objective"] = json!(long);
    let items: Vec<Value> = (0..200)
        .map(|i| json!({"task": format!("第{i}项任务：完成渠道数据核对与汇总"), "owner": "李明", "department": "市场部", "due": "2026-08-10", "deliverable": format!("交付物{i}"), "status": "open"}))
        .collect();
    m["action_items"] = json!(items);
    m
}

#[test]
fn a_long_paragraph_and_a_200_row_table_keep_every_character_inside_the_margins() {
    let lay = laid_out(DocumentKind::MeetingMinutes, &long_minutes());
    assert!(lay.pages.len() > 5, "{} pages", lay.pages.len());
    let mut all = String::new();
    for page in &lay.pages {
        for line in &page.lines {
            if line.text.starts_with("第 ")
                || line.text == "华远科技有限公司"
                || line.text.starts_with("编号：")
            {
                continue; // page furniture
            }
            assert!(
                line.right <= line.limit + 0.01,
                "{:?} passes the margin",
                line.text
            );
            assert!(line.x >= 56.0, "{:?} starts left of the margin", line.text);
            all.push_str(&line.text);
        }
    }
    let long = long_minutes()["objective"].as_str().unwrap().to_string();
    assert!(
        all.contains(&long),
        "the 3,000-character paragraph lost characters"
    );
    for i in 0..200 {
        assert!(all.contains(&format!("第{i}项任务")), "row {i} missing");
    }
    // The action table's header row stands on every page the table runs over.
    let pages_with_rows: Vec<usize> = lay
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.lines.iter().any(|l| l.text.contains("项任务")))
        .map(|(i, _)| i)
        .collect();
    assert!(pages_with_rows.len() > 3);
    for i in pages_with_rows {
        assert!(
            lay.pages[i].lines.iter().any(|l| l.text == "交付物"),
            "page {} has rows but no header row",
            i + 1
        );
    }
}

#[actix_web::test]
async fn the_long_minutes_pdf_extracts_completely() {
    let payload = long_minutes();
    let r = render("meeting-minutes", "pdf", &payload).await;
    assert_eq!(r.status, 200);
    let text = body_text(&r.body);
    assert!(text.contains(&squash(payload["objective"].as_str().unwrap())));
    assert!(text.contains("第199项任务"));
}

#[actix_web::test]
async fn hostile_text_gives_a_valid_pdf_and_names_the_characters_no_font_has() {
    let payload = crate::hostile::hostile_minutes();
    let r = render("meeting-minutes", "pdf", &payload).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let text = body_text(&r.body);
    for s in [
        "A&B<c>\"d\"'e'=SUM(A1:A9)+1-2@x",
        "{{title}}{{{doc.title}}}{{#eachx}}",
        "</w:t></w:r><w:r><w:t>injected",
        "nullbytestarttab",
    ] {
        assert!(text.contains(s), "missing {s}");
    }
    assert!(text.contains(&"长".repeat(3000)));
    let missing = r.header("collabdocs-missing-glyphs");
    assert!(
        missing.contains("U+1F680"),
        "the rocket emoji is not reported: {missing:?}"
    );
}

#[actix_web::test]
async fn an_unsigned_agreement_pdf_carries_the_draft_mark_on_every_page() {
    let mut payload = example(DocumentKind::Agreement);
    payload["approver"]["signed_on"] = json!(null);
    let lay = laid_out(DocumentKind::Agreement, &payload);
    for page in &lay.pages {
        assert!(page.ops.iter().any(|op| matches!(op, collabdocs::render::pdf::layout::Op::Mark { text } if text == "草案 / DRAFT")));
    }
    let signed = laid_out(DocumentKind::Agreement, &example(DocumentKind::Agreement));
    assert!(!signed.pages.iter().any(|p| p
        .ops
        .iter()
        .any(|op| matches!(op, collabdocs::render::pdf::layout::Op::Mark { .. }))));
}

#[actix_web::test]
async fn the_pdf_names_its_subject_and_creator() {
    let r = render(
        "meeting-minutes",
        "pdf",
        &example(DocumentKind::MeetingMinutes),
    )
    .await;
    let raw = String::from_utf8_lossy(&r.body);
    assert!(raw.contains("/Subject(meeting-minutes)"), "no subject");
    assert!(raw.contains("/Creator(collabdocs)"), "no creator");
    assert!(!raw.contains("/CreationDate"), "no clock time in the file");
}

#[test]
fn no_page_ends_with_a_section_heading() {
    for kind in DocumentKind::ALL {
        let lay = laid_out(*kind, &example(*kind));
        for (n, page) in lay
            .pages
            .iter()
            .enumerate()
            .take(lay.pages.len().saturating_sub(1))
        {
            let body: Vec<&str> = page
                .lines
                .iter()
                .map(|l| l.text.as_str())
                .filter(|t| {
                    !t.starts_with("第 ") && *t != "华远科技有限公司" && !t.starts_with("编号：")
                })
                .collect();
            let last = body.last().copied().unwrap_or_default();
            let numbered = last.split_once('、').is_some_and(|(n, _)| {
                !n.is_empty() && n.chars().all(|c| "一二三四五六七八九十".contains(c))
            });
            assert!(
                !numbered,
                "{kind} page {} ends with the heading {last:?}",
                n + 1
            );
        }
    }
}

#[test]
fn a_cell_spanning_rows_is_drawn_once_over_them_and_the_next_cells_keep_their_columns() {
    let doc = collabdocs::markup::parse(
        r#"<document><table name="t"><col width="1"/><col width="3"/><thead><tr><th>阶段</th><th>任务</th></tr></thead>
           <tr><td rowspan="3">准备期</td><td>活动页面设计</td></tr><tr><td>库存盘点</td></tr><tr><td>渠道沟通</td></tr>
           <tr><td>执行期</td><td>上线</td></tr></table></document>"#,
    )
    .unwrap();
    let lay = layout(&doc, FontSet::builtin()).unwrap();
    let page = &lay.pages[0];
    let x_of = |t: &str| {
        page.lines
            .iter()
            .find(|l| l.text == t)
            .unwrap_or_else(|| panic!("{t} not set"))
            .x
    };
    // The second column starts a quarter of the way across; the cells under the span stay there.
    let second = x_of("活动页面设计");
    assert!(second > x_of("准备期") + 50.0);
    for t in ["库存盘点", "渠道沟通", "上线"] {
        assert!(
            (x_of(t) - second).abs() < 0.01,
            "{t} moved out of its column"
        );
    }
    assert!(
        x_of("执行期") < second,
        "the row after the span starts in the first column"
    );
    assert_eq!(page.lines.iter().filter(|l| l.text == "准备期").count(), 1);
    // The spanning cell's box is as tall as the three rows beside it.
    let rects: Vec<(f32, f32, f32)> = page
        .ops
        .iter()
        .filter_map(|op| match op {
            collabdocs::render::pdf::layout::Op::Rect { x, y, h, .. } => Some((*x, *y, *h)),
            _ => None,
        })
        .collect();
    let left = rects.iter().map(|r| r.0).fold(f32::MAX, f32::min);
    let first_col: Vec<_> = rects.iter().filter(|r| (r.0 - left).abs() < 0.01).collect();
    let right_col: Vec<_> = rects.iter().filter(|r| r.0 > left + 1.0).collect();
    // header, the span, 执行期 / header, four rows
    assert_eq!((first_col.len(), right_col.len()), (3, 5));
    let three_rows: f32 = right_col[1..4].iter().map(|r| r.2).sum();
    assert!((first_col[1].2 - three_rows).abs() < 0.01);
    assert!((first_col[2].1 - right_col[4].1).abs() < 0.01);
}

#[test]
fn a_signature_table_stays_on_one_page_with_the_line_before_it() {
    for kind in DocumentKind::ALL {
        let doc = document(*kind, &example(*kind));
        let Some(i) = doc
            .blocks
            .iter()
            .position(|b| matches!(b, collabdocs::document::Block::Signatures(s) if !s.is_empty()))
        else {
            continue;
        };
        let lay = layout(&doc, FontSet::builtin()).unwrap();
        // The 签字 column head stands once on every page the table runs over.
        let pages: Vec<usize> = (0..lay.pages.len())
            .filter(|&p| lay.pages[p].lines.iter().any(|l| l.text == "签字"))
            .collect();
        assert_eq!(
            pages.len(),
            1,
            "{kind}: the signature table runs over pages {pages:?}"
        );
        if let Some(collabdocs::document::Block::Paragraph { text, .. }) = doc.blocks.get(i - 1) {
            let intro = collabdocs::document::plain_text(text);
            let page = &lay.pages[pages[0]];
            let set: String = page.lines.iter().map(|l| l.text.as_str()).collect();
            assert!(
                set.contains(&intro),
                "{kind}: {intro:?} is not on the signatures' page"
            );
        }
    }
}
