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
    collabdocs::input::clean_text(s)
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
