//! HTML preview: one self-contained page holding every payload value.

use collabdocs::kinds::DocumentKind;

use crate::common::*;

#[actix_web::test]
async fn every_kind_renders_to_a_self_contained_html_page_holding_every_value() {
    for kind in DocumentKind::ALL {
        let (payload, r) = render_example(*kind, "html").await;
        let html = String::from_utf8(r.body.clone()).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        for banned in ["http://", "https://", "<script", "<link", "@import"] {
            assert!(
                !html.contains(banned),
                "{kind}: the preview must not reference {banned}"
            );
        }
        assert_all_present(kind.slug(), "html", &payload, &html_text(&html));
        let again = render(kind.slug(), "html", &payload).await;
        assert!(again.body == r.body, "{kind}: html differs between renders");
    }
}
