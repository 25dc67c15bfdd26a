//! Excel templates, the engine: workbooks built here as Excel saves them (shared strings, a
//! merged title, a task row with a merge across two columns, a SUM under the table, a second
//! sheet and a chart that read the table, a data validation, a conditional format, a defined
//! name, calcChain) filled and read back: values typed, rows repeated, every reference grown or
//! moved, untouched parts byte for byte.

use std::io::Cursor;

use calamine::{Data, Reader};
use collabdocs::excel::ExcelTemplate;
use collabdocs::word::Fault;
use serde_json::{json, Value};

use crate::common::zip_part;

const MAIN: &str = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";
const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n";

/// A workbook: the shared strings, sheet 1's rows and extra XML after `sheetData`, sheet 2's rows.
pub(crate) fn workbook(strings: &[&str], rows1: &str, after1: &str, rows2: &str) -> Vec<u8> {
    book(
        "周进展",
        "<definedNames><definedName name=\"任务区\">周进展!$A$4:$F$4</definedName></definedNames>",
        strings,
        ("", rows1, after1),
        rows2,
    )
}

/// A workbook with its first sheet's name, its workbook XML around the sheet list (`<bookViews>`
/// before it goes in `names` with a `|` between), sheet 1's XML before `sheetData`, its rows,
/// after, and sheet 2's rows.
fn book(
    name: &str,
    names: &str,
    strings: &[&str],
    (head1, rows1, after1): (&str, &str, &str),
    rows2: &str,
) -> Vec<u8> {
    let (views, names) = names.split_once('|').unwrap_or(("", names));
    let sst: String = strings
        .iter()
        .map(|s| format!("<si><t xml:space=\"preserve\">{s}</t></si>"))
        .collect();
    let parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", format!("{DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/worksheets/sheet2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/><Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/><Override PartName=\"/xl/calcChain.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml\"/><Override PartName=\"/xl/charts/chart1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.drawingml.chart+xml\"/></Types>")),
        ("_rels/.rels", format!("{DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")),
        ("xl/workbook.xml", format!("{DECL}<workbook {MAIN}>{views}<sheets><sheet name=\"{name}\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"汇总\" sheetId=\"2\" r:id=\"rId2\"/></sheets>{names}<calcPr calcId=\"191029\"/></workbook>")),
        ("xl/_rels/workbook.xml.rels", format!("{DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet2.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/><Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain\" Target=\"calcChain.xml\"/></Relationships>")),
        ("xl/styles.xml", format!("{DECL}<styleSheet {MAIN}><numFmts count=\"1\"><numFmt numFmtId=\"176\" formatCode=\"yyyy/m/d\"/></numFmts><fonts count=\"1\"><font><sz val=\"11\"/><name val=\"等线\"/></font></fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills><borders count=\"1\"><border/></borders><cellStyleXfs count=\"1\"><xf/></cellStyleXfs><cellXfs count=\"2\"><xf/><xf numFmtId=\"176\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>")),
        ("xl/sharedStrings.xml", format!("{DECL}<sst {MAIN} count=\"{0}\" uniqueCount=\"{0}\">{sst}</sst>", strings.len())),
        ("xl/worksheets/sheet1.xml", format!("{DECL}<worksheet {MAIN}><dimension ref=\"A1:F6\"/>{head1}<sheetData>{rows1}</sheetData>{after1}</worksheet>")),
        ("xl/worksheets/sheet2.xml", format!("{DECL}<worksheet {MAIN}><dimension ref=\"A1:B2\"/><sheetData>{rows2}</sheetData></worksheet>")),
        ("xl/calcChain.xml", format!("{DECL}<calcChain {MAIN}><c r=\"D6\" i=\"1\"/></calcChain>")),
        ("xl/charts/chart1.xml", format!("{DECL}<c:chartSpace xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\"><c:chart><c:plotArea><c:barChart><c:ser><c:cat><c:strRef><c:f>周进展!$A$4:$A$4</c:f></c:strRef></c:cat><c:val><c:numRef><c:f>周进展!$D$4:$D$4</c:f></c:numRef></c:val></c:ser></c:barChart></c:plotArea></c:chart></c:chartSpace>")),
    ];
    let parts: Vec<(String, String)> = parts.into_iter().map(|(n, c)| (n.to_string(), c)).collect();
    crate::common::package(&parts)
}

/// A cell with shared string `i`.
pub(crate) fn s(r: &str, i: usize) -> String {
    format!("<c r=\"{r}\" t=\"s\"><v>{i}</v></c>")
}

/// The weekly report: a merged title, a header row, a task row between a loop's tags (a merge
/// across E:F), an empty row, a total.
fn weekly() -> Vec<u8> {
    let strings = [
        "{{doc.project}} 第{{doc.week}}周进展", // 0
        "任务",                                 // 1
        "负责人",                               // 2
        "{{#each doc.tasks}}{{task}}",          // 3
        "{{owner}}",                            // 4
        "{{status}}",                           // 5
        "{{progress}}",                         // 6
        "{{due}}{{/each}}",                     // 7
        "合计",                                 // 8
        "进度",                                 // 9
        "截止",                                 // 10
        "状态",                                 // 11
    ];
    let rows1 = [
        format!("<row r=\"1\">{}</row>", s("A1", 0)),
        format!("<row r=\"3\">{}{}{}{}{}</row>", s("A3", 1), s("B3", 2), s("C3", 11), s("D3", 9), s("E3", 10)),
        format!(
            "<row r=\"4\" ht=\"20\" customHeight=\"1\">{}{}{}{}<c r=\"E4\" s=\"1\" t=\"s\"><v>7</v></c><c r=\"F4\"><f>D4*2</f><v>0</v></c></row>",
            s("A4", 3), s("B4", 4), s("C4", 5), s("D4", 6)
        ),
        format!("<row r=\"6\">{}<c r=\"D6\"><f>SUM(D4:D4)</f><v>0</v></c></row>", s("A6", 8)),
    ]
    .concat();
    let after1 = "<mergeCells count=\"2\"><mergeCell ref=\"A1:F1\"/><mergeCell ref=\"E4:F4\"/></mergeCells><conditionalFormatting sqref=\"D4:D4\"><cfRule type=\"cellIs\" dxfId=\"0\" priority=\"1\" operator=\"lessThan\"><formula>50</formula></cfRule></conditionalFormatting><dataValidations count=\"1\"><dataValidation type=\"list\" sqref=\"C4:C4\"><formula1>\"未开始,进行中,已完成\"</formula1></dataValidation></dataValidations>";
    let rows2 = "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>总进度</t></is></c><c r=\"B2\"><f>SUM(周进展!D4:D4)</f><v>0</v></c></row>";
    workbook(&strings, &rows1, after1, rows2)
}

fn data(n: usize) -> Value {
    let tasks: Vec<Value> = (0..n)
        .map(|i| json!({"task": format!("任务{i}"), "owner": format!("负责人{i}"), "status": "进行中", "progress": i * 10, "due": "2026-08-10"}))
        .collect();
    json!({"doc": {"project": "Q3新品上市", "week": 32, "tasks": tasks}})
}

fn fill(template: &[u8], view: &Value) -> Vec<u8> {
    let t = ExcelTemplate::load(template.to_vec(), Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let out = t.fill(view).unwrap_or_else(|e| panic!("{e}"));
    // With COLLABDOCS_WORD_OUT set, kept for CI to open in LibreOffice like the Word ones.
    if let Ok(dir) = std::env::var("COLLABDOCS_WORD_OUT") {
        use sha2::Digest;
        let name = collabdocs::values::hex(&sha2::Sha256::digest(&out)[..8]);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.xlsx")),
            &out,
        )
        .unwrap();
    }
    out
}

#[test]
fn a_task_row_repeats_and_everything_below_and_around_follows() {
    let out = fill(&weekly(), &data(3));
    let mut book =
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(out.clone())).unwrap();
    let sheet = book.worksheet_range("周进展").unwrap();
    let at = |r: u32, c: u32| sheet.get_value((r - 1, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(at(1, 0), Data::String("Q3新品上市 第32周进展".into()));
    for i in 0..3u32 {
        assert_eq!(at(4 + i, 0), Data::String(format!("任务{i}")));
        assert_eq!(at(4 + i, 1), Data::String(format!("负责人{i}")));
        assert_eq!(
            at(4 + i, 3),
            Data::Float(f64::from(i * 10)),
            "a number cell, typed"
        );
    }
    assert_eq!(
        at(8, 0),
        Data::String("合计".into()),
        "the total moved down by two"
    );
    let xml = zip_part(&out, "xl/worksheets/sheet1.xml").unwrap();
    // The due date: a date serial in the cell's own date format.
    assert!(
        xml.contains("<c r=\"E5\" s=\"1\"><v>46244</v></c>"),
        "{xml}"
    );
    // Formulas: the total grows over the rows, the row's own formula follows its copy.
    assert!(xml.contains("<f>SUM(D4:D6)</f>"), "{xml}");
    assert!(xml.contains("<c r=\"F6\"><f>D6*2</f></c>"), "{xml}");
    // Merges: the title stays, the row's merge is repeated; ranges grow.
    for m in ["A1:F1", "E4:F4", "E5:F5", "E6:F6"] {
        assert!(
            xml.contains(&format!("<mergeCell ref=\"{m}\"/>")),
            "{m}: {xml}"
        );
    }
    assert!(xml.contains("<mergeCells count=\"4\">"));
    assert!(
        xml.contains("sqref=\"D4:D6\"") && xml.contains("sqref=\"C4:C6\""),
        "{xml}"
    );
    assert!(xml.contains("<dimension ref=\"A1:F8\"/>"), "{xml}");
    // The other sheet, the chart, the defined name follow; calcChain is gone, recalculation on.
    assert!(zip_part(&out, "xl/worksheets/sheet2.xml")
        .unwrap()
        .contains("SUM(周进展!D4:D6)"));
    let chart = zip_part(&out, "xl/charts/chart1.xml").unwrap();
    assert!(
        chart.contains("周进展!$D$4:$D$6") && chart.contains("周进展!$A$4:$A$6"),
        "{chart}"
    );
    let wb = zip_part(&out, "xl/workbook.xml").unwrap();
    assert!(
        wb.contains("周进展!$A$4:$F$6") && wb.contains("fullCalcOnLoad=\"1\""),
        "{wb}"
    );
    assert!(zip_part(&out, "xl/calcChain.xml").is_none());
    assert!(!zip_part(&out, "[Content_Types].xml")
        .unwrap()
        .contains("calcChain"));
    assert!(!zip_part(&out, "xl/_rels/workbook.xml.rels")
        .unwrap()
        .contains("calcChain"));
    // Untouched parts byte for byte; the same data, the same bytes.
    for p in ["xl/styles.xml", "xl/sharedStrings.xml"] {
        assert_eq!(zip_part(&out, p), zip_part(&weekly(), p), "{p}");
    }
    assert_eq!(fill(&weekly(), &data(3)), out);
}

#[test]
fn no_items_keep_the_row_emptied_and_many_items_grow_every_range() {
    let out = fill(&weekly(), &data(0));
    let xml = zip_part(&out, "xl/worksheets/sheet1.xml").unwrap();
    assert!(xml.contains("<f>SUM(D4:D4)</f>"), "{xml}");
    assert!(!xml.contains("{{"), "no tag is left: {xml}");
    let out = fill(&weekly(), &data(500));
    let xml = zip_part(&out, "xl/worksheets/sheet1.xml").unwrap();
    assert!(xml.contains("<f>SUM(D4:D503)</f>"));
    assert_eq!(xml.matches("<row ").count(), 3 + 500);
}

#[test]
fn data_never_becomes_a_formula_or_markup() {
    let mut view = data(1);
    view["doc"]["tasks"][0]["task"] = json!("=HYPERLINK(\"http://x\",\"y\")");
    view["doc"]["tasks"][0]["owner"] = json!("<b>&\u{0}\u{E012}");
    let out = fill(&weekly(), &view);
    let xml = zip_part(&out, "xl/worksheets/sheet1.xml").unwrap();
    assert!(
        xml.contains("<is><t xml:space=\"preserve\">=HYPERLINK(\"http://x\",\"y\")</t></is>"),
        "{xml}"
    );
    assert!(xml.contains("&lt;b&gt;&amp;"));
    let mut book =
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(out)).unwrap();
    let formulas = book.worksheet_formula("周进展").unwrap();
    assert!(formulas
        .used_cells()
        .all(|(_, _, f)| !f.contains("HYPERLINK")));
}

#[test]
fn mistakes_are_named() {
    let bad = |strings: &[&str], rows: &str| {
        ExcelTemplate::load(workbook(strings, rows, "", ""), Default::default()).unwrap_err()
    };
    let e = bad(
        &["{{#each doc.tasks}}{{task}}"],
        &format!("<row r=\"4\">{}</row>", s("A4", 0)),
    );
    assert!(
        matches!(&e, Fault::Tag { message, .. } if message.contains("never closed")),
        "{e}"
    );
    let e = bad(
        &["{{/each}}"],
        &format!("<row r=\"4\">{}</row>", s("A4", 0)),
    );
    assert!(e.to_string().contains("never opened"), "{e}");
    let e = bad(
        &["｛｛doc.a｝｝"],
        &format!("<row r=\"4\">{}</row>", s("A4", 0)),
    );
    assert!(e.to_string().contains("full-width"), "{e}");
    let e = ExcelTemplate::load(b"\xD0\xCF\x11\xE0rest".to_vec(), Default::default()).unwrap_err();
    assert!(e.to_string().contains(".xls"), "{e}");
}

/// Row `r` of a sheet's XML, its start tag to its end.
fn row_of(xml: &str, r: u32) -> String {
    xml.split("<row ")
        .skip(1)
        .find(|p| {
            p[..p.find('>').unwrap_or(0)].contains(&format!(" r=\"{r}\""))
                || p.starts_with(&format!("r=\"{r}\""))
        })
        .map(|p| p[..p.find("</row>").unwrap_or(p.len())].to_string())
        .unwrap_or_else(|| panic!("row {r}: {xml}"))
}

/// A loop over two rows (a task row, a note row shown only when the task has a note) with a
/// shared formula across them, a risk block outside the loop shown only when there are risks,
/// and whole-row references.
fn conditional() -> Vec<u8> {
    let strings = [
        "{{#each doc.tasks}}{{inc @index}}", // 0
        "{{task}}",                          // 1
        "{{#if note}}备注",                  // 2
        "{{note}}{{/if}}{{/each}}",          // 3
        "{{#if doc.risks}}风险",             // 4
        "{{doc.risks}}{{/if}}",              // 5
        "合计",                              // 6
    ];
    let rows1 = [
        format!(
            "<row r=\"4\">{}{}<c r=\"D4\"><f t=\"shared\" ref=\"D4:D5\" si=\"0\">LEN(B4)&amp;\"字\"</f><v>2</v></c></row>",
            s("A4", 0),
            s("B4", 1)
        ),
        format!(
            "<row r=\"5\">{}{}<c r=\"D5\"><f t=\"shared\" si=\"0\"/><v>0</v></c></row>",
            s("A5", 2),
            s("B5", 3)
        ),
        format!("<row r=\"7\">{}{}</row>", s("A7", 4), s("B7", 5)),
        format!(
            "<row r=\"8\">{}<c r=\"B8\"><f>COUNTA(4:5)</f></c></row>",
            s("A8", 6)
        ),
    ]
    .concat();
    workbook(&strings, &rows1, "", "")
}

#[test]
fn conditions_hide_rows_shared_formulas_are_written_out_and_whole_rows_follow() {
    let mut view = data(3);
    view["doc"]["tasks"][0]["note"] = json!("等待法务意见");
    let out = fill(&conditional(), &view);
    let xml = zip_part(&out, "xl/worksheets/sheet1.xml").unwrap();
    let row = |r: u32| -> String { row_of(&xml, r) };
    // Rows in order, as Excel requires.
    let order: Vec<u32> = xml
        .split("<row ")
        .skip(1)
        .filter_map(|p| {
            p[..p.find('>')?]
                .split("r=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    assert_eq!(order, [4, 5, 6, 7, 8, 9, 11, 12], "{xml}");
    // Item 1 has a note: its note row is shown; items 2 and 3 have none: hidden.
    assert!(
        !row(5).contains("hidden") && row(5).contains("等待法务意见"),
        "{}",
        row(5)
    );
    for r in [7, 9] {
        assert!(row(r).contains("hidden=\"1\""), "{}", row(r));
    }
    // No risks: the risk row (7 → 11) is hidden; the total moved to 12 and its rows grew.
    assert!(
        row(11).contains("hidden=\"1\"") && !row(11).contains("风险"),
        "{}",
        row(11)
    );
    assert!(row(12).contains("<f>COUNTA(4:9)</f>"), "{}", row(12));
    // The shared formula: each cell its own, as it reads there; no shared master repeated.
    assert!(!xml.contains("t=\"shared\""), "{xml}");
    for r in 4..=9 {
        assert!(
            xml.contains(&format!("<f>LEN(B{r})&amp;\"字\"</f>")),
            "row {r}: {xml}"
        );
    }
    assert!(!xml.contains("{{"), "{xml}");
    // The index written by a helper is a number.
    let mut book =
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(out)).unwrap();
    let sheet = book.worksheet_range("周进展").unwrap();
    let at = |r: u32, c: u32| sheet.get_value((r - 1, c)).cloned().unwrap_or(Data::Empty);
    for (k, r) in [4u32, 6, 8].into_iter().enumerate() {
        assert_eq!(at(r, 0), Data::Float(k as f64 + 1.0));
        assert_eq!(at(r, 1), Data::String(format!("任务{k}")));
    }
    // The preview: the rows shown (4, the note row 5, 6, 8, the total 12), not the hidden
    // ones, which leave no gap; the index a number, right-aligned; a formula whose saved
    // result may be stale shown as its text.
    let html = collabdocs::excel::preview::html(fill(&conditional(), &view), "预览").unwrap();
    let rows: Vec<&str> = html.split("<tr>").skip(1).collect();
    assert_eq!(rows.len(), 5, "{html}");
    assert!(
        rows[1].contains("等待法务意见") && rows[0].contains("<td class=\"n\">1</td>"),
        "{html}"
    );
    assert!(
        !html.contains("gap\"></td></tr>") && rows[0].contains("=LEN(B4)"),
        "{html}"
    );
    // With risks, the risk row shows them.
    view["doc"]["risks"] = json!("渠道备货不足");
    let out = fill(&conditional(), &view);
    let xml = zip_part(&out, "xl/worksheets/sheet1.xml").unwrap();
    let r11 = row_of(&xml, 11);
    assert!(
        !r11.contains("hidden") && r11.contains("渠道备货不足"),
        "{r11}"
    );
    let described = ExcelTemplate::load(conditional(), Default::default())
        .unwrap()
        .describe();
    let conds: Vec<(&str, &str)> = described
        .conditions
        .iter()
        .map(|c| (c.rows.as_str(), c.when.as_str()))
        .collect();
    assert_eq!(conds, [("5:5", "note"), ("7:7", "doc.risks")]);
    // Mistakes in conditions over rows are named.
    let bad = |strings: &[&str], rows: &str| {
        ExcelTemplate::load(workbook(strings, rows, "", ""), Default::default()).unwrap_err()
    };
    let e = bad(
        &["{{#if doc.x}}a"],
        &format!("<row r=\"4\">{}</row>", s("A4", 0)),
    );
    assert!(e.to_string().contains("never closed"), "{e}");
    let e = bad(
        &[
            "{{#if doc.x}}a",
            "{{#each doc.tasks}}b",
            "{{/if}}",
            "{{/each}}",
        ],
        &format!(
            "<row r=\"3\">{}</row><row r=\"4\">{}</row><row r=\"5\">{}</row><row r=\"6\">{}</row>",
            s("A3", 0),
            s("A4", 1),
            s("A5", 2),
            s("A6", 3)
        ),
    );
    assert!(e.to_string().contains("overlaps the loop"), "{e}");
    let e = bad(
        &["a {{#if doc.x}}b"],
        &format!("<row r=\"4\">{}</row>", s("A4", 0)),
    );
    assert!(e.to_string().contains("at the start of the cell"), "{e}");
}

#[test]
fn a_sheet_repeats_per_department_named_from_the_data() {
    let template = "{{#each doc.departments}}{{name}}";
    let strings = [
        "{{name}} 第{{@root.doc.week}}周", // 0
        "{{#each tasks}}{{task}}",         // 1
        "{{progress}}{{/each}}",           // 2
        "合计",                            // 3
    ];
    let rows1 = [
        format!("<row r=\"1\">{}</row>", s("A1", 0)),
        format!("<row r=\"3\">{}{}</row>", s("A3", 1), s("B3", 2)),
        format!(
            "<row r=\"5\">{}<c r=\"B5\"><f>SUM(B3:B3)</f><v>0</v></c></row>",
            s("A5", 3)
        ),
    ]
    .concat();
    let names = format!(
        "<bookViews><workbookView activeTab=\"1\"/></bookViews>|<definedNames><definedName name=\"_xlnm.Print_Area\" localSheetId=\"0\">'{template}'!$A$1:$B$5</definedName><definedName name=\"_xlnm.Print_Titles\" localSheetId=\"1\">汇总!$1:$1</definedName></definedNames>"
    );
    let rows2 = format!("<row r=\"2\"><c r=\"A2\"><f>'{template}'!B5</f><v>0</v></c></row>");
    let head = "<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\"/></sheetViews>";
    let template_book = book(template, &names, &strings, (head, &rows1, ""), &rows2);
    let tasks = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"task": format!("任务{i}"), "progress": (i + 1) * 10}))
            .collect()
    };
    let view = json!({"doc": {"week": 32, "departments": [
        {"name": "市场部", "tasks": tasks(2)},
        {"name": "研发部", "tasks": tasks(3)},
        {"name": "市场部", "tasks": []},
    ]}});
    let out = fill(&template_book, &view);
    let mut wb =
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(out.clone())).unwrap();
    assert_eq!(wb.sheet_names(), ["市场部", "研发部", "市场部 (2)", "汇总"]);
    for (name, n) in [("市场部", 2usize), ("研发部", 3)] {
        let sheet = wb.worksheet_range(name).unwrap();
        let at = |r: u32, c: u32| sheet.get_value((r - 1, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(at(1, 0), Data::String(format!("{name} 第32周")));
        for i in 0..n {
            assert_eq!(at(3 + i as u32, 0), Data::String(format!("任务{i}")));
            assert_eq!(at(3 + i as u32, 1), Data::Float((i as f64 + 1.0) * 10.0));
        }
        let f = wb.worksheet_formula(name).unwrap();
        let total = f
            .get_value(((3 + n) as u32, 1))
            .cloned()
            .unwrap_or_default();
        assert_eq!(total, format!("SUM(B3:B{})", 2 + n), "{name}");
    }
    let xml = |p: &str| zip_part(&out, p).unwrap_or_else(|| panic!("{p}"));
    let wbx = xml("xl/workbook.xml");
    for (i, name) in ["市场部", "研发部", "市场部 (2)"].iter().enumerate() {
        assert!(
            wbx.contains(&format!("localSheetId=\"{i}\">'{name}'!$A$1:$B$")),
            "the print area of copy {i}: {wbx}"
        );
    }
    assert!(wbx.contains("'市场部'!$A$1:$B$6"), "{wbx}");
    assert!(wbx.contains("'研发部'!$A$1:$B$7"), "{wbx}");
    assert!(wbx.contains("localSheetId=\"3\">汇总!$1:$1"), "{wbx}");
    assert!(wbx.contains("activeTab=\"3\""), "{wbx}");
    let ids: Vec<&str> = wbx
        .split("sheetId=\"")
        .skip(1)
        .map(|p| &p[..p.find('"').unwrap()])
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((ids.len(), unique.len()), (4, 4), "{wbx}");
    // The new parts: their content types and relationships; one selected tab.
    let types = xml("[Content_Types].xml");
    let rels = xml("xl/_rels/workbook.xml.rels");
    for p in ["xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"] {
        assert!(types.contains(&format!("PartName=\"/{p}\"")), "{types}");
        let target = p.strip_prefix("xl/").unwrap();
        assert!(rels.contains(&format!("Target=\"{target}\"")), "{rels}");
        assert!(!xml(p).contains("tabSelected"), "{p}");
        assert!(!xml(p).contains("{{"), "{p}");
    }
    assert!(xml("xl/worksheets/sheet1.xml").contains("tabSelected=\"1\""));
    // The summary's reference to the template sheet reads its first copy, moved.
    assert!(
        xml("xl/worksheets/sheet2.xml").contains("<f>'市场部'!B6</f>"),
        "{}",
        xml("xl/worksheets/sheet2.xml")
    );
    assert_eq!(fill(&template_book, &view), out, "the same bytes");
    let described = ExcelTemplate::load(template_book.clone(), Default::default())
        .unwrap()
        .describe();
    let r = &described.repeated_sheets[0];
    assert_eq!(
        (r.over.as_str(), r.name.as_deref()),
        ("doc.departments", Some("{{name}}"))
    );
    // No departments: the sheet once, emptied.
    let out = fill(
        &template_book,
        &json!({"doc": {"week": 32, "departments": []}}),
    );
    let wb = calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(out)).unwrap();
    assert_eq!(wb.sheet_names(), ["表1", "汇总"]);
    // More departments than a workbook may hold sheets: refused.
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({"name": format!("部门{i}")}))
        .collect();
    let t = ExcelTemplate::load(template_book, Default::default()).unwrap();
    let e = t.fill(&json!({"doc": {"departments": many}})).unwrap_err();
    assert!(e.to_string().contains("1000 sheets"), "{e}");
}

/// `book` (a package) with these parts added or replaced, and `edit` applied to each part.
fn with_parts(
    book: &[u8],
    parts: &[(&str, String)],
    edit: &dyn Fn(&str, String) -> String,
) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(book.to_vec())).unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut f, &mut text).unwrap();
        let name = f.name().unwrap().to_string();
        out.push((name.clone(), edit(&name, text)));
    }
    for (name, text) in parts {
        match out.iter_mut().find(|(n, _)| n == name) {
            Some(p) => p.1 = text.clone(),
            None => out.push((name.to_string(), text.clone())),
        }
    }
    crate::common::package(&out)
}

#[test]
fn tables_filters_two_loops_and_external_links_follow_the_rows() {
    let strings = [
        "任务",
        "负责人",
        "{{#each doc.tasks}}{{task}}",
        "{{owner}}{{/each}}",
        "{{#each doc.risks}}{{this}}{{/each}}",
    ];
    let rows = [
        format!("<row r=\"3\">{}{}</row>", s("A3", 0), s("B3", 1)),
        format!("<row r=\"4\">{}{}</row>", s("A4", 2), s("B4", 3)),
        format!("<row r=\"6\">{}</row>", s("A6", 4)),
    ]
    .concat();
    let after = "<autoFilter ref=\"A3:B4\"/><tableParts count=\"1\"><tablePart r:id=\"rId1\"/></tableParts>";
    let rel = |id: &str, kind: &str, target: &str, external: bool| {
        format!(
            "<Relationship Id=\"{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}\" Target=\"{target}\"{}/>",
            if external { " TargetMode=\"External\"" } else { "" }
        )
    };
    let rels = |list: String| {
        format!("{DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{list}</Relationships>")
    };
    let external = rels(rel(
        "rId1",
        "externalLinkPath",
        "http://127.0.0.1:9/budget.xlsx",
        true,
    ));
    let template = with_parts(
        &workbook(&strings, &rows, after, ""),
        &[
            ("xl/worksheets/_rels/sheet1.xml.rels", rels(rel("rId1", "table", "../tables/table1.xml", false))),
            ("xl/tables/table1.xml", format!("{DECL}<table {MAIN} id=\"1\" name=\"任务表\" displayName=\"任务表\" ref=\"A3:B4\"><autoFilter ref=\"A3:B4\"/><tableColumns count=\"2\"><tableColumn id=\"1\" name=\"任务\"/><tableColumn id=\"2\" name=\"负责人\"/></tableColumns></table>")),
            ("xl/externalLinks/externalLink1.xml", format!("{DECL}<externalLink {MAIN}><externalBook r:id=\"rId1\"/></externalLink>")),
            ("xl/externalLinks/_rels/externalLink1.xml.rels", external.clone()),
        ],
        &|name, text| match name {
            "xl/worksheets/sheet1.xml" => text.replace("A1:F6", "A1:XFD1048576"),
            "xl/_rels/workbook.xml.rels" => text.replace("</Relationships>", &format!("{}</Relationships>", rel("rId9", "externalLink", "externalLinks/externalLink1.xml", false))),
            "[Content_Types].xml" => text.replace("</Types>", "<Override PartName=\"/xl/tables/table1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml\"/><Override PartName=\"/xl/externalLinks/externalLink1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml\"/></Types>"),
            _ => text,
        },
    );
    let mut view = data(3);
    view["doc"]["risks"] = json!(["渠道备货不足", "物流延迟"]);
    let out = fill(&template, &view);
    let xml = zip_part(&out, "xl/worksheets/sheet1.xml").unwrap();
    // Two loops in one sheet: the tasks on rows 4–6, the risks below them on 8–9.
    for (r, text) in [
        (4, "任务0"),
        (6, "任务2"),
        (8, "渠道备货不足"),
        (9, "物流延迟"),
    ] {
        assert!(row_of(&xml, r).contains(text), "row {r}: {xml}");
    }
    // The filter and the table grow over the copies; the sheet's dimension stays on the sheet.
    assert!(xml.contains("<autoFilter ref=\"A3:B6\"/>"), "{xml}");
    assert!(xml.contains("<dimension ref=\"A1:XFD1048576\"/>"), "{xml}");
    let table = zip_part(&out, "xl/tables/table1.xml").unwrap();
    assert!(
        table.contains("ref=\"A3:B6\"><autoFilter ref=\"A3:B6\"/>"),
        "{table}"
    );
    // The external link is kept as it was and nothing is fetched (port 9 answers nothing).
    assert_eq!(
        zip_part(&out, "xl/externalLinks/_rels/externalLink1.xml.rels").unwrap(),
        external
    );
    assert_eq!(
        zip_part(&out, "xl/externalLinks/externalLink1.xml"),
        zip_part(&template, "xl/externalLinks/externalLink1.xml")
    );
    // A loop that would push the sheet's rows past its last row is refused.
    let far = format!("{rows}<row r=\"1048570\">{}</row>", s("A1048570", 0));
    let t = ExcelTemplate::load(workbook(&strings, &far, "", ""), Default::default()).unwrap();
    let e = t.fill(&data(20)).unwrap_err();
    assert!(e.to_string().contains("past the 1048576 rows"), "{e}");
}

#[test]
fn the_shipped_weekly_report_workbook_fills_with_a_weekly_progress_payload() {
    let template = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/templates/excel/weekly-progress/template.xlsx"
    ))
    .unwrap();
    let kind = collabdocs::kinds::DocumentKind::WeeklyProgress;
    let payload = crate::common::example(kind);
    let view = crate::common::engine()
        .validate(kind, &payload)
        .unwrap()
        .prepared
        .context;
    let out = fill(&template, &view);
    let tasks = payload["tasks"].as_array().unwrap();
    let n = tasks.len() as u32;
    let mut book =
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(out.clone())).unwrap();
    let sheet = book.worksheet_range("周进展").unwrap();
    let at = |r: u32, c: u32| sheet.get_value((r - 1, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(
        at(1, 0),
        Data::String("618大促活动 周进展表（2026年6月1日—2026年6月5日）".into())
    );
    for (i, t) in tasks.iter().enumerate() {
        let r = 5 + i as u32;
        assert_eq!(at(r, 0), Data::Float(i as f64 + 1.0), "序号 is a number");
        assert_eq!(at(r, 1), Data::String(t["task"].as_str().unwrap().into()));
        assert_eq!(
            at(r, 3),
            Data::String(t["department"].as_str().unwrap().into())
        );
        let progress = t["progress"].as_f64().unwrap() / 100.0;
        assert_eq!(
            at(r, 5),
            Data::Float(progress),
            "the progress is a number (0%)"
        );
        assert!(
            matches!(at(r, 6), Data::DateTime(_) | Data::Float(_)),
            "the due date is a date: {:?}",
            at(r, 6)
        );
    }
    assert_eq!(at(7 + n - 1, 0), Data::String("合计".into()));
    let xml = zip_part(&out, "xl/worksheets/sheet1.xml").unwrap();
    let last = 4 + n;
    assert!(
        xml.contains(&format!("COUNTA(B5:B{last})"))
            && xml.contains(&format!("AVERAGE(F5:F{last})")),
        "{xml}"
    );
    assert!(
        xml.contains(&format!("sqref=\"F5:F{last}\""))
            && xml.contains(&format!("sqref=\"E5:E{last}\"")),
        "{xml}"
    );
    let summary = zip_part(&out, "xl/worksheets/sheet2.xml").unwrap();
    assert!(
        summary.contains(&format!("COUNTA(周进展!B5:B{last})")),
        "{summary}"
    );
    let chart = zip_part(&out, "xl/charts/chart1.xml").unwrap();
    assert!(chart.contains(&format!("$F$5:$F${last}")), "{chart}");
    for p in [
        "xl/styles.xml",
        "xl/theme/theme1.xml",
        "xl/drawings/drawing1.xml",
    ] {
        assert_eq!(zip_part(&out, p), zip_part(&template, p), "{p}");
    }
}

#[test]
fn hostile_workbooks_get_an_error_or_a_bounded_fill() {
    let started = std::time::Instant::now();
    // 200,000 empty styled rows under the table and a shared
    // strings table of 200,000 entries.
    let empty: String = (10..200_010)
        .map(|r| format!("<row r=\"{r}\" s=\"1\" customFormat=\"1\"/>"))
        .collect();
    let mut strings: Vec<String> = vec!["{{#each doc.tasks}}{{task}}{{/each}}".into()];
    strings.extend((0..200_000).map(|i| format!("串{i}")));
    let refs: Vec<&str> = strings.iter().map(String::as_str).collect();
    let rows = format!("<row r=\"4\">{}</row>{empty}", s("A4", 0));
    let book = workbook(&refs, &rows, "", "");
    match ExcelTemplate::load(book, Default::default()) {
        Ok(t) => {
            let out = t.fill(&data(50));
            match out {
                Ok(bytes) => assert!(bytes.starts_with(b"PK")),
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    // A loop asked to repeat a row 150,000 times: refused before any row is written.
    let t = ExcelTemplate::load(weekly(), Default::default()).unwrap();
    let e = t.fill(&data(150_000)).unwrap_err();
    assert!(e.to_string().contains("more than the 100000"), "{e}");
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}
