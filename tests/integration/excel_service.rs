//! Excel templates in the service: a kind filled into a named workbook (`?template=`, batch,
//! sent with the request, the command line), the tags listed, and a kind of its own defined by
//! an Excel folder (`excel/duty-list/`: one sheet per department) on every route.

use std::path::Path;

use actix_web::test::TestRequest;
use serde_json::{json, Value};

use crate::common::{example, zip_part};
use crate::word::{docx, part};
use crate::word_service::{batch, call, render_sample, upload_at, zip_file, SAMPLES};
use collabdocs::kinds::DocumentKind;

#[test]
fn the_command_line_fills_an_excel_template_named_or_from_a_file() {
    let bin = env!("CARGO_BIN_EXE_collabdocs");
    let input = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/weekly-progress.json");
    let payload: Value = serde_json::from_slice(&std::fs::read(input).unwrap()).unwrap();
    let project = payload["project"]["name"].as_str().unwrap().to_string();
    let file = Path::new(SAMPLES).join("excel/weekly-progress/template.xlsx");
    for (i, how) in [
        vec!["--templates-dir", SAMPLES, "--template", "weekly-progress"],
        vec!["--excel-template", file.to_str().unwrap()],
    ]
    .into_iter()
    .enumerate()
    {
        let out = std::env::temp_dir().join(format!(
            "collabdocs-excel-cli-{}-{i}.xlsx",
            std::process::id()
        ));
        let mut args = vec![
            "render",
            "weekly-progress",
            "-i",
            input,
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend(how);
        let o = std::process::Command::new(bin)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // An xlsx without asking, the project's name in its title cell.
        let book = std::fs::read(&out).unwrap();
        assert!(book.starts_with(b"PK"));
        let sheet = zip_part(&book, "xl/worksheets/sheet1.xml").unwrap();
        assert!(sheet.contains(&project), "{args:?}");
        std::fs::remove_file(&out).ok();
    }
    let o = std::process::Command::new(bin)
        .args([
            "render",
            "weekly-progress",
            "-i",
            input,
            "--excel-template",
            file.to_str().unwrap(),
            "-f",
            "pdf",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
}

#[actix_web::test]
async fn a_kind_is_filled_into_a_named_excel_template() {
    let payload = example(DocumentKind::WeeklyProgress);
    let post = |uri: &str| {
        TestRequest::post()
            .uri(uri)
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(&payload).unwrap())
    };
    // Named, the format follows the template: a workbook.
    let r = call(post(
        "/v1/documents/weekly-progress?template=weekly-progress",
    ))
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(r.header("content-disposition").contains(".xlsx"));
    let sheet = part(&r.body, "xl/worksheets/sheet1.xml").unwrap();
    for t in payload["tasks"].as_array().unwrap() {
        assert!(sheet.contains(t["task"].as_str().unwrap()), "{sheet}");
    }
    let last = 4 + payload["tasks"].as_array().unwrap().len();
    assert!(sheet.contains(&format!("AVERAGE(F5:F{last})")));
    // The total carries the data's value for viewers that do not calculate.
    let tasks = payload["tasks"].as_array().unwrap();
    let mean = tasks
        .iter()
        .map(|t| t["progress"].as_f64().unwrap() / 100.0)
        .sum::<f64>()
        / tasks.len() as f64;
    let cached = sheet
        .split(&format!("AVERAGE(F5:F{last})</f><v>"))
        .nth(1)
        .and_then(|v| v.split("</v>").next())
        .and_then(|v| v.parse::<f64>().ok())
        .expect("a cached average");
    assert!((cached - mean).abs() < 1e-9, "{cached} vs {mean}");
    // Listed; the wrong library, kind or format named.
    let r = call(TestRequest::get().uri("/v1/templates/excel")).await;
    let listed = r.json();
    let weekly = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "weekly-progress")
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(weekly["kind"], "weekly-progress");
    // Its cells and loops, with what each reads.
    let r = call(TestRequest::get().uri("/v1/templates/excel/weekly-progress")).await;
    assert_eq!(r.status, 200);
    let tags = r.json();
    let loops = tags["loops"].as_array().unwrap();
    assert_eq!(loops.len(), 1, "{tags}");
    assert_eq!(loops[0]["rows"], "5:5");
    assert_eq!(loops[0]["over"], "doc.tasks");
    let cell = |at: &str| {
        tags["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["sheet"] == "周进展" && c["cell"] == at)
            .unwrap_or_else(|| panic!("{at} in {tags}"))
            .clone()
    };
    assert_eq!(cell("C5")["binds"], json!(["doc.tasks[].owner.display"]));
    assert_eq!(cell("F5")["typed"], true);
    assert_eq!(
        cell("A1")["binds"],
        json!(["doc.project.name", "doc.week.start", "doc.week.end"])
    );
    assert_eq!(
        call(TestRequest::get().uri("/v1/templates/excel/none"))
            .await
            .status,
        404
    );
    assert_eq!(
        call(post(
            "/v1/documents/weekly-progress?template=weekly-progress&format=docx"
        ))
        .await
        .status,
        400
    );
    assert_eq!(
        call(post(
            "/v1/documents/weekly-progress?template=letterhead-minutes&format=xlsx"
        ))
        .await
        .status,
        400
    );
    assert_eq!(
        call(post(
            "/v1/documents/weekly-progress?template=nothing&format=xlsx"
        ))
        .await
        .status,
        404
    );
    // In a batch item, and sent with the request.
    let (zip, manifest) = batch(&json!({"items": [
        {"kind": "weekly-progress", "format": "xlsx", "template": "weekly-progress", "filename": "周报", "data": payload},
    ]}))
    .await;
    assert_eq!(manifest[0]["status"], "ok", "{manifest}");
    assert!(
        part(&zip_file(&zip, "周报.xlsx"), "xl/worksheets/sheet1.xml")
            .unwrap()
            .contains("活动页面设计")
    );
    let template =
        std::fs::read(Path::new(SAMPLES).join("excel/weekly-progress/template.xlsx")).unwrap();
    let data = serde_json::to_vec(&payload).unwrap();
    let r = upload_at(
        "/v1/render?format=xlsx",
        &[
            ("template", &template),
            ("data", &data),
            ("kind", b"weekly-progress"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(part(&r.body, "xl/worksheets/sheet1.xml")
        .unwrap()
        .contains("活动页面设计"));
    // Shown as a page of tables: named, and sent with the request (told from a Word template
    // by its workbook part).
    let r = call(post(
        "/v1/documents/weekly-progress?template=weekly-progress&format=html",
    ))
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.header("content-type").starts_with("text/html"));
    let named_html = String::from_utf8(r.body).unwrap();
    for t in payload["tasks"].as_array().unwrap() {
        assert!(
            named_html.contains(t["task"].as_str().unwrap()),
            "{named_html}"
        );
    }
    let r = upload_at(
        "/v1/render?format=html",
        &[
            ("template", &template),
            ("data", &data),
            ("kind", b"weekly-progress"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(String::from_utf8(r.body).unwrap(), named_html);
    // What a workbook reads, told before it is used; a broken one named.
    let inspect = |body: Vec<u8>| {
        TestRequest::post()
            .uri("/v1/templates/excel/inspect")
            .insert_header((
                "content-type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ))
            .set_payload(body)
    };
    let r = call(inspect(template.clone())).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["loops"][0]["over"], "doc.tasks");
    let r = call(inspect(b"PK\x03\x04 not a workbook".to_vec())).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["path"], "/template");
    // A macro-enabled workbook is refused.
    let xlsm = docx("", &[("xl/vbaProject.bin", "x")]);
    let r = upload_at(
        "/v1/render?format=xlsx",
        &[("template", &xlsm), ("data", &data)],
    )
    .await;
    assert_eq!(r.status, 422);
}

fn duty_example() -> Value {
    serde_json::from_slice(
        &std::fs::read(Path::new(SAMPLES).join("excel/duty-list/example.json")).unwrap(),
    )
    .unwrap()
}

/// Every department of a duty list on a sheet of its own, named after it; every duty in its
/// row, its date a date; the summary's rows one per department; a remark row only where a
/// department has remarks.
fn assert_duties_filled(payload: &Value, book: &[u8]) {
    use calamine::{Data, Reader};
    let mut wb = calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(
        book.to_vec(),
    ))
    .unwrap();
    let departments = payload["departments"].as_array().unwrap();
    let mut names = vec!["汇总".to_string()];
    names.extend(
        departments
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_string()),
    );
    assert_eq!(wb.sheet_names(), names);
    let summary = wb.worksheet_range("汇总").unwrap();
    let at = |r: &calamine::Range<Data>, row: u32, col: u32| {
        r.get_value((row - 1, col)).cloned().unwrap_or(Data::Empty)
    };
    assert_eq!(
        at(&summary, 1, 0),
        Data::String(format!(
            "{} 部门职责清单",
            payload["project"].as_str().unwrap()
        ))
    );
    for (i, d) in departments.iter().enumerate() {
        let r = 5 + i as u32;
        assert_eq!(at(&summary, r, 0), Data::Float(i as f64 + 1.0));
        assert_eq!(
            at(&summary, r, 1),
            Data::String(d["name"].as_str().unwrap().into())
        );
        assert_eq!(
            at(&summary, r, 2),
            Data::String(d["head"].as_str().unwrap().into())
        );
        let n = d["duties"].as_array().unwrap().len();
        assert_eq!(
            at(&summary, r, 3),
            Data::Float(n as f64),
            "任务数 is a number"
        );
        let sheet = wb.worksheet_range(d["name"].as_str().unwrap()).unwrap();
        assert_eq!(
            at(&sheet, 1, 0),
            Data::String(format!("{} 职责清单", d["name"].as_str().unwrap()))
        );
        for (k, duty) in d["duties"].as_array().unwrap().iter().enumerate() {
            let row = 5 + k as u32;
            assert_eq!(
                at(&sheet, row, 1),
                Data::String(duty["task"].as_str().unwrap().into())
            );
            assert_eq!(
                at(&sheet, row, 2),
                Data::String(duty["deliverable"].as_str().unwrap().into())
            );
            assert!(
                matches!(at(&sheet, row, 3), Data::DateTime(_)),
                "the deadline is a date: {:?}",
                at(&sheet, row, 3)
            );
            if let Some(note) = duty["note"].as_str() {
                assert_eq!(at(&sheet, row, 4), Data::String(note.into()));
            }
        }
    }
    // The remark row: shown under 市场部 (it has remarks), hidden under the others.
    let parts: Vec<String> = (0..departments.len())
        .map(|i| {
            let part = if i == 0 {
                "xl/worksheets/sheet2.xml".to_string()
            } else {
                format!("xl/worksheets/sheet{}.xml", i + 2)
            };
            zip_part(book, &part).unwrap_or_else(|| panic!("{part}"))
        })
        .collect();
    for (d, xml) in departments.iter().zip(&parts) {
        let remark_row = 5 + d["duties"].as_array().unwrap().len() + 2;
        let row = xml
            .split("<row ")
            .find(|r| r.contains(&format!("r=\"{remark_row}\"")))
            .unwrap_or_else(|| panic!("row {remark_row}: {xml}"));
        let start = &row[..row.find('>').unwrap()];
        match d["remarks"].as_str() {
            Some(text) => assert!(!start.contains("hidden") && row.contains(text), "{row}"),
            None => assert!(start.contains("hidden=\"1\""), "{row}"),
        }
    }
}

#[actix_web::test]
async fn an_excel_folder_defines_a_kind_of_its_own() {
    let r = call(TestRequest::get().uri("/v1/kinds")).await;
    let kinds = r.json();
    let duty = kinds
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "duty-list")
        .expect("listed with the built-in kinds")
        .clone();
    assert_eq!(duty["title_zh"], "部门职责清单");
    assert_eq!(duty["formats"], json!(["xlsx", "html"]));
    assert_eq!(duty["excel_template"], "duty-list");
    assert!(duty.get("word_template").is_none());
    let r = call(TestRequest::get().uri("/v1/kinds/duty-list/example")).await;
    assert_eq!(r.json(), duty_example());

    let payload = duty_example();
    let post = |uri: &str, body: &Value| {
        TestRequest::post()
            .uri(uri)
            .insert_header(("content-type", "application/json"))
            .set_payload(serde_json::to_vec(body).unwrap())
    };
    // A workbook without asking.
    let r = call(post("/v1/documents/duty-list", &payload)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(r.header("content-disposition").contains("duty-list.xlsx"));
    assert_duties_filled(&payload, &r.body);
    let book = r.body.clone();
    // Checked by its schema; validated alone; other formats and options refused.
    let mut bad = payload.clone();
    bad["departments"][1]["duties"][0]["due"] = json!("下周");
    bad["issued_on"] = json!(7);
    let r = call(post("/v1/documents/duty-list", &bad)).await;
    assert_eq!(r.status, 422);
    let errors = r.json()["errors"].to_string();
    assert!(
        errors.contains("/departments/1/duties/0/due") && errors.contains("/issued_on"),
        "{errors}"
    );
    let r = call(post("/v1/documents/duty-list/validate", &payload)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = call(post("/v1/documents/duty-list?format=pdf", &payload)).await;
    assert_eq!(r.status, 406);
    assert!(String::from_utf8_lossy(&r.body).contains("an Excel template"));
    let r = call(post("/v1/documents/duty-list?style=official", &payload)).await;
    assert_eq!(r.status, 400);
    let r = call(post("/v1/documents/duty-list?archive=pdfa", &payload)).await;
    assert_eq!(r.status, 400);
    assert!(String::from_utf8_lossy(&r.body).contains("archive"));
    // Its preview: every department and duty in a table under its sheet's name.
    let r = call(post("/v1/documents/duty-list?format=html", &payload)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let html = String::from_utf8(r.body).unwrap();
    for d in payload["departments"].as_array().unwrap() {
        assert!(
            html.contains(&format!("<h2>{}</h2>", d["name"].as_str().unwrap())),
            "{html}"
        );
        for duty in d["duties"].as_array().unwrap() {
            assert!(html.contains(duty["task"].as_str().unwrap()));
            assert!(
                html.contains(duty["due"].as_str().unwrap()),
                "the date as a date"
            );
        }
    }
    assert!(html.contains("推广预算待上级审批后执行。") && !html.contains("{{"));
    // Its tags: the repeated sheet and the remark condition.
    let r = call(TestRequest::get().uri("/v1/templates/excel/duty-list")).await;
    let tags = r.json();
    assert_eq!(
        tags["repeated_sheets"][0]["over"], "doc.departments",
        "{tags}"
    );
    assert_eq!(tags["conditions"][0]["when"], "remarks", "{tags}");
    // In the API document, with its own schema.
    let r = call(TestRequest::get().uri("/openapi.json")).await;
    let doc = r.json();
    assert_eq!(
        doc["components"]["schemas"]["ExcelKindDutyList"]["properties"]["project"]["title"],
        "项目名称"
    );
    assert!(
        doc["paths"]["/v1/documents/duty-list"]["post"]["responses"]["200"]["content"]
            ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
            .is_object()
    );
    // In a batch; from the command line, the same bytes.
    let (zip, manifest) = batch(&json!({"items": [
        {"kind": "duty-list", "format": "xlsx", "data": payload},
        {"kind": "duty-list", "format": "docx", "data": payload},
        {"kind": "duty-list", "format": "xlsx", "data": {"project": 1}},
    ]}))
    .await;
    let status: Vec<&str> = manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["ok", "error", "error"], "{manifest}");
    assert_eq!(
        zip_file(&zip, manifest[0]["filename"].as_str().unwrap()),
        book
    );
    assert_eq!(
        render_sample("duty-list", "excel/duty-list/example.json", "xlsx"),
        book,
        "the same data, the same bytes"
    );
}

#[test]
fn a_kind_two_folders_define_stops_start_up() {
    let dir = std::env::temp_dir().join(format!("collabdocs-two-kinds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to).unwrap();
        for f in std::fs::read_dir(from).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
    };
    copy(
        &Path::new(SAMPLES).join("excel/duty-list"),
        &dir.join("excel/duty-list"),
    );
    copy(
        &Path::new(SAMPLES).join("word/travel-request"),
        &dir.join("word/duty-list"),
    );
    let e = collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
        templates_dir: Some(dir.clone()),
        ..Default::default()
    })
    .err()
    .expect("refused");
    assert!(e.to_string().contains("word/duty-list/ defines too"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[actix_web::test]
async fn hostile_workbooks_sent_with_the_request_get_a_422_and_the_service_stays() {
    use crate::excel::{s, workbook};
    let data = br#"{"tasks": []}"#;
    let started = std::time::Instant::now();
    // Millions of empty styled rows: refused by count before the sheet is held in memory.
    let empty: String = (10..600_010)
        .map(|r| format!("<row r=\"{r}\" s=\"1\" customFormat=\"1\"/>"))
        .collect();
    let rows = format!("<row r=\"4\">{}</row>{empty}", s("A4", 0));
    let many_rows = workbook(&["{{doc.title}}"], &rows, "", "");
    // An entity declared in a sheet (an XML bomb).
    let bomb = {
        let parts = vec![(
                "xl/worksheets/sheet1.xml".to_string(),
                "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><worksheet><sheetData>&b;</sheetData></worksheet>".to_string(),
            ),
            ("xl/workbook.xml".into(), "<workbook xmlns:r=\"r\"><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".into()),
            ("xl/_rels/workbook.xml.rels".into(), "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>".into()),
            ("[Content_Types].xml".into(), "<Types/>".into()),
        ];
        crate::common::package(&parts)
    };
    // A ZIP bomb: one part that inflates a thousandfold.
    let zip_bomb = crate::common::package(&[
        ("[Content_Types].xml".to_string(), "<Types/>".to_string()),
        ("xl/workbook.xml".to_string(), " ".repeat(40 * 1024 * 1024)),
    ]);
    let cases: [(&str, &[u8], &str); 5] = [
        ("empty rows", &many_rows, "at most 500000"),
        ("entities", &bomb, "DTD"),
        ("zip bomb", &zip_bomb, ""),
        (
            "xls",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 an old workbook",
            ".xls",
        ),
        ("xlsm", &docx("", &[("xl/vbaProject.bin", "x")]), ""),
    ];
    for (what, template, says) in cases {
        let r = upload_at(
            "/v1/render?format=xlsx",
            &[("template", template), ("data", data)],
        )
        .await;
        assert_eq!(
            r.status,
            422,
            "{what}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let problem = r.json();
        assert_eq!(
            problem["errors"][0]["path"], "/template",
            "{what}: {problem}"
        );
        assert!(problem.to_string().contains(says), "{what}: {problem}");
    }
    assert!(
        started.elapsed().as_secs() < 30,
        "bounded: {:?}",
        started.elapsed()
    );
    // The service still answers.
    let r = call(TestRequest::get().uri("/healthz")).await;
    assert_eq!(r.status, 200);
}
