//! DOCX: every payload value comes back out of the file, with the structure Word needs.

use collabdocs::kinds::DocumentKind;
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn every_kind_renders_to_a_docx_holding_every_payload_value() {
    for kind in DocumentKind::ALL {
        let (payload, r) = render_example(*kind, "docx").await;
        let (body, furniture) = docx_text(&r.body);
        let text = format!("{}\n{}", body.all(), furniture);
        assert_all_present(kind.slug(), "docx", &payload, &text);
        assert!(
            furniture.contains("第 ") && furniture.contains(" 页 / 共 "),
            "{kind}: footer is {furniture:?}"
        );
    }
}

#[actix_web::test]
async fn the_footer_numbers_pages_with_fields_and_the_header_names_the_organisation() {
    let r = render(
        "meeting-minutes",
        "docx",
        &example(DocumentKind::MeetingMinutes),
    )
    .await;
    let footer = zip_part(&r.body, "word/footer1.xml").unwrap();
    assert!(
        footer.contains("PAGE") && footer.contains("NUMPAGES"),
        "{footer}"
    );
    let header = word_text(&zip_part(&r.body, "word/header1.xml").unwrap()).all();
    assert!(
        header.contains("华远科技有限公司") && header.contains("编号：HY-2026-0728-01"),
        "{header}"
    );
}

#[actix_web::test]
async fn headings_use_real_heading_styles_and_runs_name_an_east_asian_font() {
    let r = render(
        "meeting-minutes",
        "docx",
        &example(DocumentKind::MeetingMinutes),
    )
    .await;
    let styles = zip_part(&r.body, "word/styles.xml").unwrap();
    assert!(styles.contains(r#"w:styleId="Heading1""#) && styles.contains("heading 1"));
    let doc = zip_part(&r.body, "word/document.xml").unwrap();
    assert!(
        doc.contains(r#"<w:pStyle w:val="Heading1" />"#)
            || doc.contains(r#"<w:pStyle w:val="Heading1"/>"#)
    );
    assert!(doc.contains(r#"w:eastAsia="宋体""#));
}

#[actix_web::test]
async fn table_header_rows_repeat_on_every_page() {
    let r = render(
        "meeting-minutes",
        "docx",
        &example(DocumentKind::MeetingMinutes),
    )
    .await;
    let doc = zip_part(&r.body, "word/document.xml").unwrap();
    assert!(doc.contains("<w:tblHeader"), "no repeating header row");
    assert!(
        !doc.contains(r#"w:val="1" w:hRule="atLeast""#),
        "a build-time marker leaked into the file"
    );
}

#[actix_web::test]
async fn each_raci_letter_stands_in_its_partys_cell() {
    let payload = example(DocumentKind::RaciMatrix);
    let r = render("raci-matrix", "docx", &payload).await;
    let (body, _) = docx_text(&r.body);
    let parties: Vec<&str> = payload["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let grid = body
        .tables
        .iter()
        .find(|t| {
            t.first().is_some_and(|h| h.iter().any(|c| c == "任务"))
                && t[0].iter().any(|c| c == parties[0])
        })
        .expect("the RACI grid");
    let header = &grid[0];
    for task in payload["tasks"].as_array().unwrap() {
        let name = task["task"].as_str().unwrap();
        let row = grid
            .iter()
            .find(|r| r.iter().any(|c| c == name))
            .unwrap_or_else(|| panic!("no row for {name}"));
        for party in &parties {
            let col = header.iter().position(|h| h == party).unwrap();
            let want = task["assignments"]
                .get(*party)
                .and_then(|l| l.as_str())
                .unwrap_or("");
            assert_eq!(row[col], want, "{name} / {party}");
        }
    }
}

#[actix_web::test]
async fn the_same_payload_gives_the_same_bytes() {
    for kind in DocumentKind::ALL {
        let payload = example(*kind);
        let a = render(kind.slug(), "docx", &payload).await.body;
        let b = render(kind.slug(), "docx", &payload).await.body;
        assert!(a == b, "{kind}: two renders differ");
    }
}

#[actix_web::test]
async fn parts_are_deflated_with_a_fixed_timestamp() {
    let r = render("agreement", "docx", &example(DocumentKind::Agreement)).await;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&r.body)).unwrap();
    for i in 0..z.len() {
        let f = z.by_index(i).unwrap();
        // Parts under 2 KB are stored: a deflate stream costs more to set up than they save.
        let expected = if f.size() < 2048 {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        assert_eq!(f.compression(), expected, "{}", f.name().unwrap());
        let t = f.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day()),
            (1980, 1, 1),
            "{}",
            f.name().unwrap()
        );
    }
    assert!(
        zip::ZipArchive::new(std::io::Cursor::new(&r.body))
            .unwrap()
            .by_name("word/document.xml")
            .unwrap()
            .compression()
            == zip::CompressionMethod::Deflated
    );
    let core = zip_part(&r.body, "docProps/core.xml").unwrap();
    assert!(
        core.contains("<dc:title>X1新产品研发项目跨部门沟通协议</dc:title>"),
        "{core}"
    );
    assert!(
        !core.contains("dcterms:created"),
        "no clock time in the file"
    );
}

#[actix_web::test]
async fn an_unsigned_agreement_carries_a_draft_mark_and_a_signed_one_does_not() {
    let mut payload = example(DocumentKind::Agreement);
    let signed = render("agreement", "docx", &payload).await;
    assert!(!docx_text(&signed.body).1.contains("草案"));
    payload["signatories"][1]["signed_on"] = json!(null);
    let draft = render("agreement", "docx", &payload).await;
    assert_eq!(draft.status, 200);
    assert!(docx_text(&draft.body).1.contains("草案 / DRAFT"));
    // The header, drawn on every page, carries a diagonal watermark as Word writes one.
    let header = zip_part(&draft.body, "word/header1.xml").unwrap();
    let parsed = quick_xml_parses(&header);
    assert!(parsed, "the header with the watermark is well-formed XML");
    assert!(header.contains(r#"xmlns:v="urn:schemas-microsoft-com:vml""#));
    assert!(header.contains(r#"xmlns:o="urn:schemas-microsoft-com:office:office""#));
    let shape = header
        .split("<v:shape ")
        .nth(1)
        .expect("a VML shape in the header");
    assert!(shape.contains("rotation:315") && shape.contains("type=\"#_x0000_t136\""));
    assert!(shape.contains(r#"string="草案 / DRAFT""#), "{shape}");
    assert!(!zip_part(&signed.body, "word/header1.xml")
        .unwrap()
        .contains("<v:shape "));
}

fn quick_xml_parses(xml: &str) -> bool {
    let mut r = quick_xml::Reader::from_str(xml);
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

/// A 3×2 blue PNG.
pub const PNG_BLUE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAD0lEQVR4nGNgYPgPQzAWADXeBfvilmCeAAAAAElFTkSuQmCC";

/// A 2×2 red PNG.
pub const PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==";

#[actix_web::test]
async fn a_signature_image_is_embedded_and_numbered_from_one() {
    let mut payload = example(DocumentKind::Agreement);
    payload["signatories"][0]["signature_image"] = json!(PNG);
    payload["signatories"][2]["signature_image"] = json!(PNG_BLUE);
    let a = render("agreement", "docx", &payload).await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let names = zip_names(&a.body);
    assert!(
        names.iter().any(|n| n.starts_with("word/media/")),
        "{names:?}"
    );
    let doc = zip_part(&a.body, "word/document.xml").unwrap();
    assert!(
        doc.contains("rIdImage1") && doc.contains("rIdImage2"),
        "picture ids are not 1 and 2"
    );
    assert!(
        doc.contains(r#"docPr id="1""#) && doc.contains(r#"docPr id="2""#),
        "drawing ids are not unique"
    );
    let b = render("agreement", "docx", &payload).await;
    assert!(a.body == b.body, "renders with images differ");
}

#[actix_web::test]
async fn the_organisation_logo_is_printed_in_every_format() {
    let mut payload = example(DocumentKind::MeetingMinutes);
    payload["organization"]["logo"] = json!(PNG_BLUE);
    let docx = render("meeting-minutes", "docx", &payload).await.body;
    let header = zip_part(&docx, "word/header1.xml").unwrap();
    assert!(
        header.contains("<w:drawing>") && header.contains("r:embed=\"rIdImage1\""),
        "{header}"
    );
    assert!(zip_part(&docx, "word/_rels/header1.xml.rels")
        .unwrap()
        .contains("media/image1.png"));
    let html = String::from_utf8(render("meeting-minutes", "html", &payload).await.body).unwrap();
    assert!(html.contains("class=\"logo\""));
    let pdf = render("meeting-minutes", "pdf", &payload).await.body;
    assert!(
        String::from_utf8_lossy(&pdf).contains("/Subtype/Image"),
        "no image in the PDF"
    );
}

#[actix_web::test]
async fn merged_cells_span_columns_and_rows() {
    // Column spans from the built-in template: 会议主题 spans the key-value row, 合计 three columns.
    let r = render(
        "meeting-minutes",
        "docx",
        &example(DocumentKind::MeetingMinutes),
    )
    .await;
    let xml = zip_part(&r.body, "word/document.xml").unwrap();
    assert!(xml.contains(r#"<w:gridSpan w:val="3"/>"#), "no column span");
    // Row spans through the markup.
    let bytes = render_markup(
        r#"<document><table name="t"><col/><col/><thead><tr><th>阶段</th><th>任务</th></tr></thead>
           <tr><td rowspan="2">准备期</td><td>活动页面设计</td></tr><tr><td>库存盘点</td></tr></table></document>"#,
        collabdocs::render::OutputFormat::Docx,
    );
    let xml = zip_part(&bytes, "word/document.xml").unwrap();
    assert!(
        xml.contains(r#"<w:vMerge w:val="restart"/>"#) && xml.contains("<w:vMerge/>"),
        "no row span"
    );
    let rows = &word_text(&xml).tables[0];
    assert_eq!(rows[1], ["准备期", "活动页面设计"]);
    assert_eq!(
        rows[2],
        ["", "库存盘点"],
        "the merged cell continues, the second cell keeps its column"
    );
}
