//! XLSX: read every workbook back (calamine and the sheet XML) and find the payload in cells.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use collabdocs::kinds::DocumentKind;
use collabdocs::values::Date;
use serde_json::json;

use crate::common::*;

/// Every cell of every sheet: (sheet, row, col, value).
fn cells(bytes: &[u8]) -> Vec<(String, u32, u32, Data)> {
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("the workbook opens");
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("the sheet reads");
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if *v != Data::Empty {
                    out.push((name.clone(), r0 + r as u32, c0 + c as u32, v.clone()));
                }
            }
        }
    }
    out
}

/// A date serial (days since 1899-12-30) as 2026年7月28日.
fn serial_to_zh(serial: f64) -> String {
    let days = serial.floor() as i64 - 25569; // days since 1970-01-01
    let (mut y, mut m, mut d) = (1970, 1, 1);
    let mut left = days;
    loop {
        let date = Date {
            year: y,
            month: m,
            day: d,
        };
        let next_month = if m == 12 {
            Date {
                year: y + 1,
                month: 1,
                day: 1,
            }
        } else {
            Date {
                year: y,
                month: m + 1,
                day: 1,
            }
        };
        let span = next_month.days() - date.days();
        if left >= span {
            left -= span;
            (y, m, d) = (next_month.year, next_month.month, 1);
        } else {
            d += left as u32;
            break;
        }
    }
    Date {
        year: y,
        month: m,
        day: d,
    }
    .zh()
}

/// What a cell shows, as the checks compare it (numbers also as percent).
fn shown(v: &Data) -> Vec<String> {
    match v {
        Data::String(s) => vec![s.clone()],
        Data::Float(f) => {
            let n = if f.fract() == 0.0 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            };
            let pct = f * 100.0;
            vec![
                n,
                collabdocs::values::format_amount(*f),
                if pct.fract() == 0.0 {
                    format!("{}", pct as i64)
                } else {
                    pct.to_string()
                },
            ]
        }
        Data::Int(i) => vec![i.to_string()],
        Data::DateTime(d) => vec![serial_to_zh(d.as_f64())],
        Data::Bool(b) => vec![b.to_string()],
        other => vec![format!("{other:?}")],
    }
}

#[actix_web::test]
async fn every_kind_renders_to_a_workbook_holding_every_payload_value() {
    for kind in DocumentKind::ALL {
        let (payload, r) = render_example(*kind, "xlsx").await;
        let text: String = cells(&r.body)
            .iter()
            .flat_map(|(_, _, _, v)| shown(v))
            .collect::<Vec<_>>()
            .join("\n");
        assert_all_present(kind.slug(), "xlsx", &payload, &text);
    }
}

#[actix_web::test]
async fn dates_are_date_cells_and_tables_have_autofilters_dropdowns_and_frozen_headers() {
    let r = render(
        "meeting-minutes",
        "xlsx",
        &example(DocumentKind::MeetingMinutes),
    )
    .await;
    let all = cells(&r.body);
    let due: Vec<&Data> = all
        .iter()
        .filter(|(s, _, c, _)| s == "行动项" && *c == 4)
        .map(|(_, _, _, v)| v)
        .collect();
    assert!(
        due.iter()
            .filter(|v| matches!(v, Data::DateTime(_)))
            .count()
            == 4,
        "due dates are not date cells: {due:?}"
    );
    assert!(all.iter().any(|(s, _, _, v)| s == "行动项"
        && matches!(v, Data::DateTime(d) if serial_to_zh(d.as_f64()) == "2026年8月10日")));
    let names = zip_names(&r.body);
    let table = names
        .iter()
        .find(|n| n.starts_with("xl/tables/"))
        .expect("an Excel table");
    let t = zip_part(&r.body, table).unwrap();
    assert!(t.contains("<autoFilter ref="), "{t}");
    let sheets: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .map(|n| zip_part(&r.body, n).unwrap())
        .collect();
    assert!(
        sheets
            .iter()
            .any(|s| s.contains(r#"type="list""#) && s.contains("未开始,进行中,已完成")),
        "no status dropdown"
    );
    assert!(
        sheets.iter().any(|s| s.contains(r#"state="frozen""#)),
        "no frozen header"
    );
    assert!(
        sheets.iter().any(|s| s.contains("<conditionalFormatting")),
        "no colours"
    );
}

#[actix_web::test]
async fn the_weekly_summary_sheet_has_counts_and_a_chart() {
    let r = render(
        "weekly-progress",
        "xlsx",
        &example(DocumentKind::WeeklyProgress),
    )
    .await;
    let all = cells(&r.body);
    let summary: Vec<String> = all
        .iter()
        .filter(|(s, _, _, _)| s == "汇总")
        .flat_map(|(_, _, _, v)| shown(v))
        .collect();
    for want in [
        "完成率",
        "状态统计",
        "风险统计",
        "逾期任务",
        "延期风险",
        "活动页面设计",
    ] {
        assert!(
            summary.iter().any(|s| s == want),
            "汇总 lacks {want}: {summary:?}"
        );
    }
    assert!(
        zip_names(&r.body)
            .iter()
            .any(|n| n.starts_with("xl/charts/chart")),
        "no chart"
    );
    let sheets = zip_names(&r.body);
    let progress = sheets
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .map(|n| zip_part(&r.body, n).unwrap())
        .find(|s| s.contains("<dataBar"))
        .expect("a data bar on progress");
    assert!(progress.contains("<dataBar"));
}

#[actix_web::test]
async fn the_raci_workbook_has_the_grid_legend_and_counts() {
    let payload = example(DocumentKind::RaciMatrix);
    let r = render("raci-matrix", "xlsx", &payload).await;
    let all = cells(&r.body);
    let sheet_names: Vec<&str> = all.iter().map(|(s, _, _, _)| s.as_str()).collect();
    for s in ["概要", "责任矩阵", "图例", "职责统计"] {
        assert!(sheet_names.contains(&s), "no sheet {s}");
    }
    let grid: Vec<&(String, u32, u32, Data)> =
        all.iter().filter(|(s, _, _, _)| s == "责任矩阵").collect();
    let header_row = grid
        .iter()
        .find(|(_, _, _, v)| *v == Data::String("任务".into()))
        .unwrap()
        .1;
    let col_of = |name: &str| {
        grid.iter()
            .find(|(_, r, _, v)| *r == header_row && *v == Data::String(name.into()))
            .unwrap()
            .2
    };
    let row_of = |task: &str| {
        grid.iter()
            .find(|(_, _, _, v)| *v == Data::String(task.into()))
            .unwrap()
            .1
    };
    let at = |r: u32, c: u32| {
        grid.iter()
            .find(|(_, rr, cc, _)| *rr == r && *cc == c)
            .map(|x| x.3.clone())
            .unwrap_or(Data::Empty)
    };
    assert_eq!(
        at(row_of("活动页面设计"), col_of("产品部")),
        Data::String("A".into())
    );
    assert_eq!(
        at(row_of("TOP10 SKU库存盘点"), col_of("产品部")),
        Data::String("A/R".into())
    );
}

#[actix_web::test]
async fn hostile_text_opens_and_formula_like_strings_stay_strings() {
    let mut payload = crate::hostile::hostile_minutes();
    payload["action_items"][1]["task"] = json!("=HYPERLINK(\"http://evil\",\"x\")");
    payload["action_items"][2]["task"] = json!("+1+1");
    payload["action_items"][3]["task"] = json!("@SUM(A1)");
    let r = render("meeting-minutes", "xlsx", &payload).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let all = cells(&r.body);
    for s in ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "@SUM(A1)"] {
        assert!(
            all.iter().any(|(_, _, _, v)| *v == Data::String(s.into())),
            "{s} is not a string cell"
        );
    }
    for name in zip_names(&r.body)
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
    {
        assert!(
            !zip_part(&r.body, name).unwrap().contains("<f>"),
            "{name} has a formula"
        );
    }
    let text: String = all
        .iter()
        .flat_map(|(_, _, _, v)| shown(v))
        .collect::<Vec<_>>()
        .join("\n");
    for s in crate::hostile::hostile_strings() {
        assert!(
            text.contains(&crate::hostile::expected(&s)),
            "missing {:?}",
            s.chars().take(40).collect::<String>()
        );
    }
}

#[actix_web::test]
async fn the_same_payload_gives_the_same_workbook_bytes_with_fixed_properties() {
    for kind in DocumentKind::ALL {
        let payload = example(*kind);
        let a = render(kind.slug(), "xlsx", &payload).await.body;
        let b = render(kind.slug(), "xlsx", &payload).await.body;
        assert!(a == b, "{kind}: two workbooks differ");
    }
    let r = render("agreement", "xlsx", &example(DocumentKind::Agreement)).await;
    let core = zip_part(&r.body, "docProps/core.xml").unwrap();
    assert!(
        core.contains("X1新产品研发项目跨部门沟通协议") && core.contains("2000-01-01T00:00:00Z"),
        "{core}"
    );
    let app = zip_part(&r.body, "docProps/app.xml").unwrap();
    assert!(app.contains("华远科技有限公司"), "company not set: {app}");
}

#[test]
fn a_cell_spanning_rows_repeats_its_value_and_the_next_cells_keep_their_columns() {
    let bytes = render_markup(
        r#"<document><title>阶段计划</title><table name="计划"><col/><col/><thead><tr><th>阶段</th><th>任务</th></tr></thead>
           <tr><td rowspan="2">准备期</td><td>活动页面设计</td></tr><tr><td>库存盘点</td></tr>
           <tr><td>执行期</td><td>上线</td></tr></table></document>"#,
        collabdocs::render::OutputFormat::Xlsx,
    );
    let all = cells(&bytes);
    let at = |text: &str| -> Vec<(u32, u32)> {
        all.iter()
            .filter(|(s, _, _, v)| s == "计划" && *v == Data::String(text.into()))
            .map(|(_, r, c, _)| (*r, *c))
            .collect()
    };
    let (header, _) = at("阶段")[0];
    assert_eq!(at("任务"), [(header, 1)]);
    // Excel tables cannot merge: the spanning value stands in each row it covers.
    assert_eq!(at("准备期"), [(header + 1, 0), (header + 2, 0)]);
    assert_eq!(at("库存盘点"), [(header + 2, 1)]);
    assert_eq!(at("执行期"), [(header + 3, 0)]);
    assert_eq!(at("上线"), [(header + 3, 1)]);
}

#[actix_web::test]
async fn amounts_are_numbers_shown_grouped_with_two_decimals() {
    let r = render(
        "resource-request",
        "xlsx",
        &example(DocumentKind::ResourceRequest),
    )
    .await;
    let all = cells(&r.body);
    let amount = |n: f64| {
        all.iter()
            .any(|(s, _, _, v)| s != "概要" && *v == Data::Float(n))
    };
    assert!(amount(50000.0) && amount(12000.5) && amount(62000.5));
    assert!(!all
        .iter()
        .any(|(_, _, _, v)| *v == Data::String("50,000.00".into())));
    let styles = zip_part(&r.body, "xl/styles.xml").unwrap();
    assert!(styles.contains(r##"formatCode="#,##0.00""##), "{styles}");
}
