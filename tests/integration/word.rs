//! Word templates: `.docx` files built here the way Word and WPS save them — tags split over
//! runs by formatting, spell-check marks, bookmarks and language changes, curly quotes, tags in
//! a header, a footer, a footnote and a text box, loops over rows, groups of rows, paragraphs
//! and runs, nested loops, a vertical merge across repeated rows, a picture placeholder — filled
//! and read back: every value present, rows counted, untouched parts byte for byte, ids unique.

use std::io::{Cursor, Read, Write};

use collabdocs::word::{Fault, PackageLimits, TagKind, WordTemplate};
use serde_json::{json, Value};

pub const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:w14=\"http://schemas.microsoft.com/office/word/2010/wordml\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\" xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\" xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"";

/// A `.docx` package of these parts (name, content), with the content types and package
/// relationships Word writes, its body wrapped in `w:document`/`w:body` when `body` is given.
pub fn docx(body: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<w:document {W}><w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1800\" w:bottom=\"1440\" w:left=\"1800\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    );
    let mut parts: Vec<(String, String)> = vec![
        ("[Content_Types].xml".into(), "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/><Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/><Override PartName=\"/word/footnotes.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml\"/></Types>".into()),
        ("_rels/.rels".into(), "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".into()),
        ("word/document.xml".into(), document),
        ("word/_rels/document.xml.rels".into(), "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>".into()),
        ("word/styles.xml".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<w:styles {W}><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:eastAsia=\"宋体\"/><w:sz w:val=\"24\"/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>")),
    ];
    for (name, content) in extra {
        match parts.iter_mut().find(|(n, _)| n == name) {
            Some(p) => p.1 = content.to_string(),
            None => parts.push((name.to_string(), content.to_string())),
        }
    }
    crate::common::package(&parts)
}

/// A paragraph of runs, each `(properties, text)`.
pub fn p(runs: &[(&str, &str)]) -> String {
    let runs: String = runs
        .iter()
        .map(|(rpr, t)| {
            let rpr = if rpr.is_empty() {
                String::new()
            } else {
                format!("<w:rPr>{rpr}</w:rPr>")
            };
            format!("<w:r>{rpr}<w:t xml:space=\"preserve\">{t}</w:t></w:r>")
        })
        .collect();
    format!("<w:p w14:paraId=\"1A2B3C4D\" w14:textId=\"77777777\">{runs}</w:p>")
}

/// A table cell holding these paragraphs.
pub fn tc(paras: &str) -> String {
    format!("<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/></w:tcPr>{paras}</w:tc>")
}

pub fn tr(cells: &[String]) -> String {
    format!("<w:tr w14:paraId=\"0A0B0C0D\">{}</w:tr>", cells.concat())
}

pub fn tbl(rows: &[String]) -> String {
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"2000\"/><w:gridCol w:w=\"2000\"/><w:gridCol w:w=\"2000\"/></w:tblGrid>{}</w:tbl>",
        rows.concat()
    )
}

/// A part of a package, inflated.
pub fn part(docx: &[u8], name: &str) -> Option<String> {
    let mut z = zip::ZipArchive::new(Cursor::new(docx)).ok()?;
    let mut f = z.by_name(name).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).ok()?;
    Some(s)
}

/// The text of each paragraph of a part (`w:t` joined, `w:br` as a newline).
pub fn paragraphs(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<w:p") {
        let after = &rest[i + 4..];
        if !(after.starts_with(' ') || after.starts_with('>')) {
            rest = after;
            continue;
        }
        let end = after.find("</w:p>").unwrap_or(after.len());
        out.push(text_of(&after[..end]));
        rest = &after[end..];
    }
    out
}

/// The text of XML: every `w:t`'s text, `w:br` a newline.
pub fn text_of(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    loop {
        let t = rest.find("<w:t");
        let br = rest.find("<w:br/>");
        match (t, br) {
            (Some(t), br) if br.is_none_or(|b| t < b) => {
                let after = &rest[t + 4..];
                if !(after.starts_with('>') || after.starts_with(' ')) {
                    rest = after;
                    continue;
                }
                let open = after.find('>').unwrap();
                if after[..open].ends_with('/') {
                    rest = &after[open..];
                    continue;
                }
                let close = after.find("</w:t>").unwrap();
                out.push_str(&collabdocs::word::xml::unescape(&after[open + 1..close]));
                rest = &after[close..];
            }
            (_, Some(b)) => {
                out.push('\n');
                rest = &rest[b + 7..];
            }
            _ => break,
        }
    }
    out
}

fn load(bytes: Vec<u8>) -> WordTemplate {
    WordTemplate::load(bytes, PackageLimits::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn fill(t: &WordTemplate, view: &Value) -> Vec<u8> {
    let out = t.fill(view, 8_000_000).unwrap_or_else(|e| panic!("{e}"));
    keep(&out);
    out
}

/// With `COLLABDOCS_WORD_OUT` set, a filled file is also written there (named by its
/// digest), for CI to open each one in LibreOffice (`.ci/word_check.py`).
pub fn keep(docx: &[u8]) {
    if let Ok(dir) = std::env::var("COLLABDOCS_WORD_OUT") {
        use sha2::Digest;
        let name = collabdocs::values::hex(&sha2::Sha256::digest(docx)[..8]);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.docx")),
            docx,
        )
        .unwrap();
    }
}

#[test]
fn a_tag_split_over_runs_by_word_is_joined_and_takes_its_first_characters_formatting() {
    // As Word saves a tag typed with a spell-check mark, a bookmark and a language change.
    let body = format!(
        "<w:p w14:paraId=\"11111111\"><w:r><w:rPr><w:b/><w:color w:val=\"C00000\"/></w:rPr><w:t>标题：{{{{</w:t></w:r><w:proofErr w:type=\"spellStart\"/><w:r><w:t>doc.</w:t></w:r><w:bookmarkStart w:id=\"3\" w:name=\"标题\"/><w:r><w:rPr><w:lang w:val=\"en-US\"/></w:rPr><w:t>ti</w:t></w:r><w:bookmarkEnd w:id=\"3\"/><w:proofErr w:type=\"spellEnd\"/><w:r><w:t>tle}}}}。</w:t></w:r></w:p>{}",
        p(&[("", "共{{doc.count}}项；{{join doc.names “、”}}")])
    );
    let t = load(docx(&body, &[]));
    let kinds: Vec<_> = t.tags().iter().map(|t| t.text.clone()).collect();
    assert_eq!(
        kinds,
        ["{{doc.title}}", "{{doc.count}}", "{{join doc.names “、”}}"]
    );
    let out = fill(
        &t,
        &json!({"doc": {"title": "X1 新品 & <推广>", "count": 3, "names": ["市场部", "研发部"]}}),
    );
    let xml = part(&out, "word/document.xml").unwrap();
    let ps = paragraphs(&xml);
    assert_eq!(ps[0], "标题：X1 新品 & <推广>。");
    assert_eq!(ps[1], "共3项；市场部、研发部");
    // The value is in the first run, bold and red as the tag's first character was.
    let first_run = &xml[xml.find("<w:r>").unwrap()..xml.find("</w:r>").unwrap()];
    assert!(
        first_run.contains("<w:b/>") && first_run.contains("X1 新品 &amp; &lt;推广&gt;"),
        "{first_run}"
    );
    // The bookmark is still there.
    assert!(xml.contains("w:name=\"标题\""));
}

#[test]
fn untouched_parts_are_copied_byte_for_byte_and_the_same_data_gives_the_same_bytes() {
    let styles = format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<w:styles {W}><!-- the author's own --></w:styles>");
    let template = docx(&p(&[("", "{{doc.a}}")]), &[("word/styles.xml", &styles)]);
    let t = load(template.clone());
    let out = fill(&t, &json!({"doc": {"a": "值"}}));
    assert_eq!(part(&out, "word/styles.xml").unwrap(), styles);
    // The entry itself is copied as it was compressed.
    let raw = |bytes: &[u8], name: &str| {
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let f = z.by_name(name).unwrap();
        (f.compressed_size(), f.crc32())
    };
    assert_eq!(
        raw(&out, "word/styles.xml"),
        raw(&template, "word/styles.xml")
    );
    assert_eq!(fill(&t, &json!({"doc": {"a": "值"}})), out);
}

#[test]
fn a_loop_over_one_row_repeats_the_row() {
    let rows = tbl(&[
        tr(&[
            tc(&p(&[("<w:b/>", "任务")])),
            tc(&p(&[("<w:b/>", "负责人")])),
            tc(&p(&[("<w:b/>", "截止")])),
        ]),
        tr(&[
            tc(&p(&[("", "{{#each doc.items}}{{inc @index}}. {{task}}")])),
            tc(&p(&[("", "{{owner}}")])),
            tc(&p(&[("", "{{date due}}{{/each}}")])),
        ]),
        tr(&[
            tc(&p(&[("", "合计")])),
            tc(&p(&[("", "{{doc.total}} 项")])),
            tc(&p(&[("", "")])),
        ]),
    ]);
    let t = load(docx(&rows, &[]));
    let items: Vec<Value> = (0..5)
        .map(|i| json!({"task": format!("任务{i}"), "owner": format!("负责人{i}"), "due": "2026-08-10"}))
        .collect();
    let out = fill(&t, &json!({"doc": {"items": items, "total": 5}}));
    let xml = part(&out, "word/document.xml").unwrap();
    assert_eq!(
        xml.matches("<w:tr ").count(),
        7,
        "header, five items, the total"
    );
    let ps = paragraphs(&xml);
    assert!(
        ps.contains(&"1. 任务0".to_string()) && ps.contains(&"5. 任务4".to_string()),
        "{ps:?}"
    );
    assert!(ps.contains(&"负责人3".to_string()));
    assert_eq!(ps.iter().filter(|p| *p == "2026年8月10日").count(), 5);
    assert!(ps.contains(&"5 项".to_string()));
    // Each copy of a paragraph has its own id.
    let ids: Vec<&str> = xml
        .split("w14:paraId=\"")
        .skip(1)
        .map(|s| &s[..8])
        .collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
}

/// A cell with a vertical merge (`restart` or continue) and these paragraphs.
fn merged(restart: bool, paras: &str) -> String {
    let v = if restart {
        "<w:vMerge w:val=\"restart\"/>"
    } else {
        "<w:vMerge/>"
    };
    format!("<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/>{v}</w:tcPr>{paras}</w:tc>")
}

#[test]
fn a_vertical_merge_spans_every_repeated_row() {
    // 类别 starts a merge in the repeated row that goes on in the row after the loop: one
    // cell beside every item and the subtotal. A merge that starts above the loop and goes on
    // inside it stays one merge too.
    let rows = tbl(&[
        tr(&[
            merged(true, &p(&[("", "{{@root.doc.group}}")])),
            tc(&p(&[("", "{{#each doc.items}}{{task}}")])),
            tc(&p(&[("", "{{owner}}{{/each}}")])),
        ]),
        tr(&[
            merged(false, &p(&[("", "")])),
            tc(&p(&[("", "小计")])),
            tc(&p(&[("", "{{doc.total}}")])),
        ]),
        tr(&[
            merged(true, &p(&[("", "附注")])),
            tc(&p(&[("", "说明")])),
            tc(&p(&[("", "")])),
        ]),
        tr(&[
            merged(false, &p(&[("", "")])),
            tc(&p(&[("", "{{#each doc.notes}}{{this}}")])),
            tc(&p(&[("", "{{/each}}")])),
        ]),
    ]);
    let t = load(docx(&rows, &[]));
    let out = fill(
        &t,
        &json!({"doc": {"group": "研发部", "total": 3, "notes": ["甲", "乙"],
            "items": [{"task": "接口", "owner": "张三"}, {"task": "测试", "owner": "李四"}, {"task": "上线", "owner": "王五"}]}}),
    );
    let xml = part(&out, "word/document.xml").unwrap();
    let rows: Vec<&str> = xml.split("<w:tr ").skip(1).collect();
    assert_eq!(
        rows.len(),
        3 + 1 + 1 + 2,
        "three items, the subtotal, the note's head, two notes"
    );
    let first_cell = |r: &str| {
        let tc = &r[..r.find("</w:tc>").unwrap()];
        if tc.contains("w:val=\"restart\"") {
            "restart"
        } else if tc.contains("<w:vMerge/>") {
            "continue"
        } else {
            "none"
        }
    };
    let merges: Vec<&str> = rows.iter().map(|r| first_cell(r)).collect();
    assert_eq!(
        merges,
        ["restart", "continue", "continue", "continue", "restart", "continue", "continue"]
    );
    let ps = paragraphs(&xml);
    for v in ["研发部", "接口", "李四", "上线", "3", "甲", "乙"] {
        assert!(ps.contains(&v.to_string()), "{v}: {ps:?}");
    }
    assert_eq!(
        ps.iter().filter(|p| *p == "研发部").count(),
        1,
        "the group is written once"
    );
}

#[test]
fn a_field_named_like_a_helper_is_the_field() {
    let t = load(docx(
        &p(&[(
            "",
            "{{#each doc.rows}}{{date}}/{{join}}/{{date date}}；{{/each}}",
        )]),
        &[],
    ));
    let out = fill(
        &t,
        &json!({"doc": {"rows": [{"date": "2026-08-01", "join": "是"}]}}),
    );
    assert_eq!(
        paragraphs(&part(&out, "word/document.xml").unwrap())[0],
        "2026-08-01/是/2026年8月1日；"
    );
}

#[test]
fn a_table_inside_a_cell_repeats_its_rows_inside_a_repeated_row() {
    // A department per outer row; in its second cell, a table of its people, a row each.
    let inner = tbl(&[tr(&[
        tc(&p(&[("", "{{#each people}}{{name}}")])),
        tc(&p(&[("", "{{role}}{{/each}}")])),
    ])]);
    let body = tbl(&[
        tr(&[tc(&p(&[("<w:b/>", "部门")])), tc(&p(&[("<w:b/>", "人员")]))]),
        tr(&[
            tc(&p(&[("", "{{#each doc.departments}}{{name}}")])),
            tc(&format!("{inner}{}", p(&[("", "{{name}}完{{/each}}")]))),
        ]),
    ]);
    let t = load(docx(&body, &[]));
    let out = fill(
        &t,
        &json!({"doc": {"departments": [
            {"name": "市场部", "people": [{"name": "李明", "role": "经理"}, {"name": "王芳", "role": "专员"}]},
            {"name": "研发部", "people": [{"name": "陈静", "role": "负责人"}]},
        ]}}),
    );
    let xml = part(&out, "word/document.xml").unwrap();
    assert_eq!(
        xml.matches("<w:tbl>").count(),
        3,
        "the outer table and one inner table per department"
    );
    assert_eq!(
        xml.matches("<w:tr ").count(),
        1 + 2 + 3,
        "header, two departments, three people"
    );
    let ps = paragraphs(&xml);
    for v in [
        "市场部",
        "李明",
        "专员",
        "研发部",
        "陈静",
        "负责人",
        "市场部完",
        "研发部完",
    ] {
        assert!(ps.contains(&v.to_string()), "{v}: {ps:?}");
    }
}

#[test]
fn a_loop_over_rows_paragraphs_and_runs_and_nested_loops() {
    let body = [
        p(&[("", "{{#each doc.groups}}")]),
        p(&[("<w:b/>", "{{name}}")]),
        tbl(&[tr(&[
            tc(&p(&[("", "{{#each members}}{{this}}")])),
            tc(&p(&[("", "组员{{/each}}")])),
        ])]),
        p(&[("", "{{/each}}")]),
        p(&[
            ("", "参会："),
            ("<w:i/>", "{{#each doc.people}}"),
            ("<w:u w:val=\"single\"/>", "{{name}}"),
            ("", "{{#unless @last}}、{{/unless}}{{/each}}"),
        ]),
        p(&[("", "{{#if doc.urgent}}紧急{{else}}一般{{/if}}")]),
    ]
    .concat();
    let t = load(docx(&body, &[]));
    let out = fill(
        &t,
        &json!({"doc": {
            "groups": [{"name": "甲组", "members": ["张", "王"]}, {"name": "乙组", "members": ["李"]}],
            "people": [{"name": "陈静"}, {"name": "李明"}, {"name": "张伟"}],
            "urgent": false
        }}),
    );
    let xml = part(&out, "word/document.xml").unwrap();
    let ps = paragraphs(&xml);
    assert_eq!(
        ps,
        [
            "甲组",
            "张",
            "组员",
            "王",
            "组员",
            "乙组",
            "李",
            "组员",
            "参会：陈静、李明、张伟",
            "一般"
        ],
        "the tag-only paragraphs are gone, the rest repeated"
    );
    assert_eq!(
        xml.matches("<w:tbl>").count(),
        2,
        "the table repeats with its section"
    );
    assert_eq!(
        xml.matches("<w:u w:val=\"single\"/>").count(),
        3,
        "the runs between the tags repeat with their formatting"
    );
}

#[test]
fn headers_footers_footnotes_and_text_boxes_are_filled_and_line_breaks_kept() {
    let header = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<w:hdr {W}>{}</w:hdr>",
        p(&[("", "{{page.organization.name}}")])
    );
    let footer = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<w:ftr {W}>{}</w:ftr>",
        p(&[("", "编号 {{page.document_no}}")])
    );
    let notes = format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<w:footnotes {W}><w:footnote w:id=\"1\">{}</w:footnote></w:footnotes>", p(&[("", "注：{{doc.note}}")]));
    let text_box = format!(
        "<w:p><w:r><w:drawing><wp:anchor><wp:extent cx=\"914400\" cy=\"457200\"/><wp:docPr id=\"5\" name=\"文本框 5\"/><a:graphic><a:graphicData uri=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\"><wps:wsp><wps:txbx><w:txbxContent>{}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r></w:p>",
        p(&[("", "框内：{{doc.boxed}}")])
    );
    let body = format!("{text_box}{}", p(&[("", "{{doc.lines}}")]));
    let t = load(docx(
        &body,
        &[
            ("word/header1.xml", &header),
            ("word/footer1.xml", &footer),
            ("word/footnotes.xml", &notes),
        ],
    ));
    let out = fill(
        &t,
        &json!({"doc": {"note": "以财务部口径为准", "boxed": "框中值", "lines": "第一行\n第二行"}, "page": {"organization": {"name": "华远科技有限公司"}, "document_no": "XY-2026-012"}}),
    );
    assert_eq!(
        paragraphs(&part(&out, "word/header1.xml").unwrap()),
        ["华远科技有限公司"]
    );
    assert_eq!(
        paragraphs(&part(&out, "word/footer1.xml").unwrap()),
        ["编号 XY-2026-012"]
    );
    assert_eq!(
        paragraphs(&part(&out, "word/footnotes.xml").unwrap()),
        ["注：以财务部口径为准"]
    );
    let xml = part(&out, "word/document.xml").unwrap();
    assert!(text_of(&xml).contains("框内：框中值"));
    assert!(
        xml.contains("第一行</w:t><w:br/><w:t xml:space=\"preserve\">第二行"),
        "{xml}"
    );
}

#[test]
fn values_never_become_markup_fields_or_pictures() {
    let body = p(&[("", "{{doc.a}}")]);
    let t = load(docx(&body, &[]));
    let hostile = "</w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe</w:instrText> \u{E000}0\u{E001} {{doc.b}}";
    let out = fill(&t, &json!({"doc": {"a": hostile, "b": "x"}}));
    let xml = part(&out, "word/document.xml").unwrap();
    assert!(
        !xml.contains("<w:fldChar") && !xml.contains("<w:instrText"),
        "{xml}"
    );
    assert!(!xml.contains('\u{E000}') && !xml.contains("<w:drawing"));
    assert_eq!(paragraphs(&xml)[0], hostile);
}

/// A data URI of a PNG of `w` × `h` grey pixels.
pub fn png(w: u32, h: u32) -> String {
    use base64::Engine as _;
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w, h);
    e.set_color(png::ColorType::Rgb);
    let mut wr = e.write_header().unwrap();
    wr.write_image_data(&vec![200u8; (w * h * 3) as usize])
        .unwrap();
    drop(wr);
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(out)
    )
}

#[test]
fn a_picture_tag_fills_its_placeholders_box_or_the_size_it_names() {
    let placeholder = "<w:p><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"1440000\" cy=\"1440000\"/><wp:docPr id=\"1\" name=\"图片 1\" descr=\"{{image doc.logo}}\"/><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"0\" name=\"seal.png\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"rId9\"/></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"1440000\" cy=\"1440000\"/></a:xfrm></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>";
    let body = format!(
        "{placeholder}{}",
        p(&[("", "签字：{{image doc.signature width=30mm}}（签）")])
    );
    let t = load(docx(&body, &[]));
    let out = fill(
        &t,
        &json!({"doc": {"logo": png(200, 100), "signature": png(60, 20)}}),
    );
    let xml = part(&out, "word/document.xml").unwrap();
    // The placeholder's 40 mm box keeps the logo's 2:1 aspect: 40 × 20 mm.
    assert!(
        xml.contains("<wp:extent cx=\"1440000\" cy=\"720000\"/>"),
        "{xml}"
    );
    assert!(
        !xml.contains("{{image"),
        "the tag is gone from the alternative text"
    );
    // The signature at 30 mm wide, 10 mm high, between the text around it.
    assert!(xml.contains("cx=\"1080000\" cy=\"360000\""), "{xml}");
    assert_eq!(paragraphs(&xml)[1], "签字：（签）");
    let rels = part(&out, "word/_rels/document.xml.rels").unwrap();
    assert_eq!(rels.matches("relationships/image").count(), 2);
    let types = part(&out, "[Content_Types].xml").unwrap();
    assert!(types.contains("Extension=\"png\""));
    let mut z = zip::ZipArchive::new(Cursor::new(&out[..])).unwrap();
    let mut media = Vec::new();
    z.by_name("word/media/collabdocs-1.png")
        .unwrap()
        .read_to_end(&mut media)
        .unwrap();
    assert!(media.starts_with(b"\x89PNG"));
    // No picture given: the placeholder goes, the rest stays.
    let out = fill(&t, &json!({"doc": {"logo": null, "signature": null}}));
    assert!(!part(&out, "word/document.xml")
        .unwrap()
        .contains("<w:drawing"));
}

#[test]
fn mistakes_are_named_with_their_part_paragraph_and_tag() {
    let cases: Vec<(String, &str)> = vec![
        (p(&[("", "{{#each doc.items}}{{name}}")]), "never closed"),
        (p(&[("", "{{#each doc.items}}{{/if}}")]), "with {{/if}}"),
        (p(&[("", "{{doc.title")]), "not closed"),
        (p(&[("", "｛｛doc.title｝｝")]), "full-width"),
        (p(&[("", "{{#loop doc.items}}{{/loop}}")]), "not one of"),
        (
            format!(
                "{}{}",
                tbl(&[tr(&[
                    tc(&p(&[("", "{{#each doc.items}}")])),
                    tc(&p(&[("", "x")]))
                ])]),
                p(&[("", "{{/each}}")])
            ),
            "cannot be repeated",
        ),
        (
            "<w:p><w:ins w:id=\"1\" w:author=\"王\"><w:r><w:t>{{doc.a}}</w:t></w:r></w:ins></w:p>"
                .into(),
            "tracked changes",
        ),
    ];
    for (body, what) in cases {
        let e = WordTemplate::load(docx(&body, &[]), PackageLimits::default()).unwrap_err();
        assert!(e.to_string().contains(what), "{what}: {e}");
        assert!(e.to_string().contains("word/document.xml"), "{e}");
    }
    // A field the data does not have, with the nearest one.
    let t = load(docx(&p(&[("", "会议：{{doc.titel}}")]), &[]));
    let e = t.fill(&json!({"doc": {"title": "x"}}), 1000).unwrap_err();
    let Fault::Tag {
        part,
        paragraph,
        tag,
        message,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(
        (part.as_str(), tag.as_str()),
        ("word/document.xml", "{{doc.titel}}")
    );
    assert!(paragraph.contains("会议："), "{paragraph}");
    assert!(message.contains("did you mean doc.title"), "{message}");
    // A helper that does not exist, named with the ones that do.
    let e = WordTemplate::load(
        docx(&p(&[("", "标题：{{upper doc.title}}")]), &[]),
        PackageLimits::default(),
    )
    .and_then(|t| t.fill(&json!({"doc": {"title": "x"}}), 1000))
    .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("{{upper doc.title}}") && text.contains("upper"),
        "{text}"
    );
    assert!(
        text.contains("date") && text.contains("join"),
        "the helpers there are: {text}"
    );
}

#[test]
fn hostile_packages_are_refused_before_they_are_inflated() {
    let limits = PackageLimits::default();
    // A ZIP bomb: a part that inflates thousands of times.
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let zeros = vec![b' '; 8 * 1024 * 1024];
    z.write_all(&zeros).unwrap();
    let bomb = z.finish().unwrap().into_inner();
    assert!(WordTemplate::load(bomb, limits)
        .unwrap_err()
        .to_string()
        .contains("ZIP bomb"));
    // Too many entries.
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..2100 {
        z.start_file(format!("x/{i}"), zip::write::SimpleFileOptions::default())
            .unwrap();
    }
    let many = z.finish().unwrap().into_inner();
    assert!(WordTemplate::load(many, limits)
        .unwrap_err()
        .to_string()
        .contains("entries"));
    // Macros, a DTD, a .doc, not a ZIP.
    let macros = docx(&p(&[("", "x")]), &[("word/vbaProject.bin", "VBA")]);
    assert!(WordTemplate::load(macros, limits)
        .unwrap_err()
        .to_string()
        .contains("macros"));
    let dtd = docx(
        "",
        &[(
            "word/document.xml",
            "<!DOCTYPE w [<!ENTITY a \"{{doc.a}}\">]><w:document><w:body>&a;</w:body></w:document>",
        )],
    );
    assert!(WordTemplate::load(dtd, limits)
        .unwrap_err()
        .to_string()
        .contains("DTD"));
    assert!(
        WordTemplate::load(vec![0xD0, 0xCF, 0x11, 0xE0, 0, 0], limits)
            .unwrap_err()
            .to_string()
            .contains(".doc")
    );
    assert!(WordTemplate::load(b"hello".to_vec(), limits)
        .unwrap_err()
        .to_string()
        .contains("not a .docx"));
}

#[test]
fn the_tags_of_a_template_are_listed_with_what_they_bind() {
    let t = load(docx(
        &format!(
            "{}{}",
            p(&[("", "{{doc.title}}{{! a note }}")]),
            p(&[("", "{{#each doc.items}}{{name}}{{/each}}")])
        ),
        &[],
    ));
    let tags: Vec<(String, Option<String>)> = t
        .tags()
        .iter()
        .map(|t| (t.text.clone(), t.kind.binds().map(str::to_string)))
        .collect();
    assert_eq!(
        tags,
        [
            ("{{doc.title}}".to_string(), Some("doc.title".to_string())),
            ("{{! a note }}".into(), None),
            ("{{#each doc.items}}".into(), Some("doc.items".into())),
            ("{{name}}".into(), Some("name".into())),
            ("{{/each}}".into(), None),
        ]
    );
    assert!(matches!(t.tags()[2].kind, TagKind::Open { .. }));
}
