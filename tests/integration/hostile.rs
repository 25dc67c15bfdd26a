//! Hostile text: markup characters, control characters, emoji, rare CJK, template syntax and
//! very long words must never break a file or lose text.

use collabdocs::kinds::DocumentKind;
use serde_json::{json, Value};

use crate::common::*;

/// Strings a careless generator would choke on.
pub fn hostile_strings() -> Vec<String> {
    vec![
        "A&B <c> \"d\" 'e' =SUM(A1:A9) +1 -2 @x".to_string(),
        "null\u{0}byte\u{1}start\u{b}tab".to_string(),
        "emoji 🚀👩‍💻 and rare 𠮷𩸽".to_string(),
        "line one\r\nline two\rline three".to_string(),
        "{{title}} {{{doc.title}}} {{#each x}}".to_string(),
        "</w:t></w:r><w:r><w:t>injected".to_string(),
        "]]><![CDATA[ <!-- --> &amp; &#0;".to_string(),
        "长".repeat(3000),
    ]
}

/// What the text must look like once forbidden characters are removed and newlines normalised.
pub fn expected(s: &str) -> String {
    collabdocs::values::clean_text(s)
}

pub fn hostile_minutes() -> Value {
    let h = hostile_strings();
    let mut m = example(DocumentKind::MeetingMinutes);
    m["title"] = json!(h[0]);
    m["objective"] = json!(h[7]);
    m["meeting"]["location"] = json!(h[1]);
    m["attendees"][0] = json!({"name": "李明", "department": h[2]});
    m["decisions"] = json!([h[3], h[4]]);
    m["action_items"][0]["task"] = json!(h[5]);
    m["action_items"][0]["deliverable"] = json!(h[6]);
    m["cc"] = json!(h);
    m
}

#[actix_web::test]
async fn hostile_text_gives_a_docx_that_parses_and_holds_all_the_text() {
    let r = render("meeting-minutes", "docx", &hostile_minutes()).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let (body, _) = docx_text(&r.body); // parses strictly or panics
    let text = body.all();
    for s in hostile_strings() {
        assert!(
            text.contains(&expected(&s)),
            "missing {:?}",
            expected(&s).chars().take(60).collect::<String>()
        );
    }
    // Nothing from the data became markup.
    let xml = zip_part(&r.body, "word/document.xml").unwrap();
    assert!(
        !xml.contains("<w:t>injected"),
        "data was interpreted as markup"
    );
    assert!(!xml.contains('\u{0}') && !xml.contains('\u{1}') && !xml.contains('\u{b}'));
}

#[actix_web::test]
async fn hostile_text_gives_an_html_preview_with_all_the_text_and_no_markup_from_data() {
    let r = render("meeting-minutes", "html", &hostile_minutes()).await;
    assert_eq!(r.status, 200);
    let html = String::from_utf8(r.body).unwrap();
    assert!(
        !html.contains("<c>") && !html.contains("</w:t>"),
        "data reached the page unescaped"
    );
    let text = html_text(&html);
    for s in hostile_strings() {
        assert!(
            text.contains(&expected(&s)),
            "missing {:?}",
            expected(&s).chars().take(60).collect::<String>()
        );
    }
}

#[actix_web::test]
async fn template_syntax_in_data_is_printed_not_evaluated() {
    let r = render("meeting-minutes", "html", &hostile_minutes()).await;
    let text = html_text(&String::from_utf8(r.body).unwrap());
    assert!(text.contains("{{title}} {{{doc.title}}} {{#each x}}"));
}

#[actix_web::test]
async fn a_string_over_the_length_limit_is_a_422_naming_it() {
    let mut m = example(DocumentKind::MeetingMinutes);
    m["objective"] = json!("x".repeat(20_001));
    let r = render("meeting-minutes", "docx", &m).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_paths(), ["/objective"]);
}

/// Tables a template author could write by mistake or on purpose: spans past the last column
/// or row, spans in the header, more cells than columns, and rows joined by a span taller
/// than a page. Every format renders them and keeps every cell's text that has a column.
#[test]
fn odd_spans_render_in_every_format_and_keep_their_text() {
    let tall = "很长的内容".repeat(400);
    let tables = [
        r#"<tr><td rowspan="9">跨到表尾</td><td>甲</td></tr><tr><td>乙</td></tr>"#.to_string(),
        r#"<tr><td colspan="9">跨过所有列</td></tr><tr><td>丙</td><td>丁</td><td>戊</td></tr>"#.to_string(),
        r#"<tr><td rowspan="2" colspan="2">二乘二</td><td>己</td></tr><tr><td>庚</td></tr><tr><td>辛</td><td>壬</td><td>癸</td></tr>"#.to_string(),
        r#"<tr><td>子</td><td>丑</td><td>寅</td><td>卯多出的一格</td></tr>"#.to_string(),
        format!(r#"<tr><td rowspan="2">{tall}</td><td>辰</td><td>巳</td></tr><tr><td>午</td><td>未</td></tr>"#),
    ];
    for (i, body) in tables.iter().enumerate() {
        let markup = format!(
            r#"<document><title>表{i}</title><table name="表{i}"><col/><col/><col/>
               <thead><tr><th rowspan="2">列一</th><th colspan="2">列二三</th></tr><tr><th>二</th><th>三</th></tr></thead>
               {body}</table></document>"#
        );
        let expect: Vec<String> = ["列一", "列二三", "二", "三"]
            .iter()
            .map(|s| s.to_string())
            .chain(
                body.split(['<', '>'])
                    .filter(|t| {
                        !t.is_empty()
                            && !t.contains('=')
                            && !t.starts_with('/')
                            && *t != "tr"
                            && *t != "td"
                    })
                    .filter(|t| !t.contains("多出"))
                    .map(str::to_string),
            )
            .collect();
        for format in [
            collabdocs::render::OutputFormat::Pdf,
            collabdocs::render::OutputFormat::Docx,
            collabdocs::render::OutputFormat::Xlsx,
            collabdocs::render::OutputFormat::Html,
            collabdocs::render::OutputFormat::Ofd,
        ] {
            let bytes = render_markup(&markup, format);
            let text = match format {
                collabdocs::render::OutputFormat::Pdf => {
                    // The file parses; the text is read from the layout, where the lines of
                    // a cell split over pages are not interleaved with the page furniture.
                    crate::pdf::pdf_text(&bytes);
                    let doc = collabdocs::markup::parse(&markup).unwrap();
                    let lay = collabdocs::render::pdf::layout(
                        &doc,
                        collabdocs::render::fonts::FontSet::builtin(),
                    )
                    .unwrap();
                    let lines: Vec<&str> = lay
                        .pages
                        .iter()
                        .flat_map(|p| &p.lines)
                        .map(|l| l.text.as_str())
                        .collect();
                    let (long, short): (Vec<&str>, Vec<&str>) = lines
                        .iter()
                        .partition(|t| t.chars().all(|c| "很长的内容".contains(c)));
                    format!("{}\n{}", long.concat(), short.join("\n"))
                }
                collabdocs::render::OutputFormat::Docx => docx_text(&bytes).0.all(),
                collabdocs::render::OutputFormat::Xlsx => {
                    let mut all = String::new();
                    for part in zip_names(&bytes) {
                        if part.starts_with("xl/") && part.ends_with(".xml") {
                            all.push_str(&zip_part(&bytes, &part).unwrap());
                        }
                    }
                    all
                }
                collabdocs::render::OutputFormat::Html => {
                    html_text(&String::from_utf8(bytes).unwrap())
                }
                collabdocs::render::OutputFormat::Ofd => {
                    // The tall cell's lines run over pages, between the page furniture.
                    let codes = crate::ofd::Ofd::open(&bytes).codes();
                    let (long, short): (Vec<&str>, Vec<&str>) = codes
                        .iter()
                        .map(String::as_str)
                        .partition(|t| t.chars().all(|c| "很长的内容".contains(c)));
                    format!("{}\n{}", long.concat(), short.join("\n"))
                }
            };
            for t in &expect {
                assert!(
                    text.contains(t.as_str()),
                    "table {i} {format:?} lost {:.20}…",
                    t
                );
            }
        }
    }
}
