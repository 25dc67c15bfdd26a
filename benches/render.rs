//! Render time per document, in process: each kind's example in each format, a signed
//! agreement, a meeting record with 200 action items, and a 500-task weekly sheet parsed
//! (payload types only), validated (with the derived view), laid out and rendered; the
//! meeting-minutes example filled into the shipped Word template (letterhead minutes); the
//! 500-task weekly sheet filled into the shipped Excel template (周进展表). Results
//! go to BENCHMARKS.md.

use std::hint::black_box;

use collabdocs::engine::{Engine, EngineOptions};
use collabdocs::kinds::DocumentKind;
use collabdocs::render::OutputFormat;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

fn long_minutes(rows: usize) -> Value {
    let mut m: Value = serde_json::from_str(DocumentKind::MeetingMinutes.example()).unwrap();
    let items: Vec<Value> = (0..rows)
        .map(|i| json!({"task": format!("第{i}项任务：完成渠道数据核对与汇总，并提交分析报告"), "owner": "李明", "department": "市场部", "due": "2026-08-10", "deliverable": format!("交付物{i}"), "status": "in_progress"}))
        .collect();
    m["action_items"] = json!(items);
    m
}

fn weekly(tasks: usize) -> Value {
    let mut w: Value = serde_json::from_str(DocumentKind::WeeklyProgress.example()).unwrap();
    let statuses = [
        "not_started",
        "in_progress",
        "done",
        "need_support",
        "at_risk",
        "delayed",
    ];
    let items: Vec<Value> = (0..tasks)
        .map(|i| {
            let (status, risk) = (statuses[i % 6], ["high", "medium", "low"][i % 3]);
            json!({"task": format!("任务{i}：页面与渠道协同推进"), "owner": "王芳", "department": "市场部", "status": status, "progress": (i * 7) % 101, "risk": risk, "due": "2026-06-03", "note": "按计划推进"})
        })
        .collect();
    w["tasks"] = json!(items);
    w
}

fn benches(c: &mut Criterion) {
    let engine = Engine::new(EngineOptions::default()).unwrap();
    let formats: Vec<OutputFormat> = OutputFormat::ALL.to_vec();
    for kind in DocumentKind::ALL {
        let payload: Value = serde_json::from_str(kind.example()).unwrap();
        for f in &formats {
            c.bench_function(&format!("{}/{}", kind.slug(), f.extension()), |b| {
                b.iter(|| {
                    black_box(
                        engine
                            .render(*kind, black_box(&payload), *f)
                            .unwrap()
                            .bytes
                            .len(),
                    )
                })
            });
        }
    }
    let many = weekly(500);
    c.bench_function("weekly-progress-500-tasks/validate-only", |b| {
        b.iter(|| {
            black_box(
                engine
                    .validate(DocumentKind::WeeklyProgress, black_box(&many))
                    .unwrap()
                    .warnings
                    .len(),
            )
        })
    });
    c.bench_function("weekly-progress-500-tasks/parse-only", |b| {
        b.iter(|| {
            let mut cx = collabdocs::input::Cx::new(collabdocs::budget::Limits::default());
            let parsed = collabdocs::input::parse::<
                collabdocs::kinds::weekly_progress::WeeklyProgress,
            >(black_box(&many), "", &mut cx);
            black_box((parsed.is_some(), cx.errors.len()))
        })
    });
    let weekly_request = collabdocs::engine::Request::new(
        &engine,
        DocumentKind::WeeklyProgress,
        OutputFormat::Pdf,
        collabdocs::values::Profile::Standard,
        false,
    )
    .unwrap();
    c.bench_function("weekly-progress-500-tasks/layout-only", |b| {
        b.iter(|| {
            black_box(
                engine
                    .document(black_box(&weekly_request), black_box(&many))
                    .unwrap()
                    .0
                    .blocks
                    .len(),
            )
        })
    });
    c.bench_function("weekly-progress-500-tasks/xlsx", |b| {
        b.iter(|| {
            black_box(
                engine
                    .render(
                        DocumentKind::WeeklyProgress,
                        black_box(&many),
                        OutputFormat::Xlsx,
                    )
                    .unwrap()
                    .bytes
                    .len(),
            )
        })
    });
    let (key, cert) = collabdocs::sign::dev_cert("华东零售集团").unwrap();
    let signing = Engine::new(EngineOptions {
        signer: Some(std::sync::Arc::new(
            collabdocs::sign::Signer::from_pem(&key, &cert).unwrap(),
        )),
        ..EngineOptions::default()
    })
    .unwrap();
    let agreement: Value = serde_json::from_str(DocumentKind::Agreement.example()).unwrap();
    c.bench_function("agreement/pdf-signed", |b| {
        b.iter(|| {
            black_box(
                signing
                    .render_signed(DocumentKind::Agreement, black_box(&agreement))
                    .unwrap()
                    .bytes
                    .len(),
            )
        })
    });
    // The PDF/A-3b copy (the payload attached) against the plain PDF above.
    let archival = Engine::new(EngineOptions {
        archive: collabdocs::engine::ArchiveFormat::Pdfa,
        ..EngineOptions::default()
    })
    .unwrap();
    for kind in [DocumentKind::MeetingMinutes, DocumentKind::Agreement] {
        let payload: Value = serde_json::from_str(kind.example()).unwrap();
        c.bench_function(&format!("{}/pdf-a", kind.slug()), |b| {
            b.iter(|| {
                black_box(
                    archival
                        .render(kind, black_box(&payload), OutputFormat::Pdf)
                        .unwrap()
                        .bytes
                        .len(),
                )
            })
        });
    }
    let big = long_minutes(200);
    for f in &formats {
        c.bench_function(
            &format!("meeting-minutes-200-rows/{}", f.extension()),
            |b| {
                b.iter(|| {
                    black_box(
                        engine
                            .render(DocumentKind::MeetingMinutes, black_box(&big), *f)
                            .unwrap()
                            .bytes
                            .len(),
                    )
                })
            },
        );
    }
}

fn word_templates(c: &mut Criterion) {
    let engine = Engine::new(EngineOptions {
        templates_dir: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/templates").into()),
        ..Default::default()
    })
    .unwrap();
    let payload: Value = serde_json::from_str(DocumentKind::MeetingMinutes.example()).unwrap();
    let request = collabdocs::engine::Request::new(
        &engine,
        DocumentKind::MeetingMinutes,
        OutputFormat::Docx,
        collabdocs::values::Profile::Standard,
        false,
    )
    .unwrap()
    .with_template(&engine, "letterhead-minutes")
    .unwrap();
    c.bench_function("meeting-minutes/word-template", |b| {
        b.iter(|| {
            black_box(
                engine
                    .run(&request, black_box(&payload))
                    .unwrap()
                    .bytes
                    .len(),
            )
        })
    });
    // The same template laid out as a PDF (3 pages), beside meeting-minutes/pdf.
    let pdf = collabdocs::engine::Request::new(
        &engine,
        DocumentKind::MeetingMinutes,
        OutputFormat::Pdf,
        collabdocs::values::Profile::Standard,
        false,
    )
    .unwrap()
    .with_template(&engine, "letterhead-minutes")
    .unwrap();
    c.bench_function("meeting-minutes/word-template-pdf", |b| {
        b.iter(|| black_box(engine.run(&pdf, black_box(&payload)).unwrap().bytes.len()))
    });
    let template = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/templates/word/letterhead-minutes/template.docx"
    ))
    .unwrap();
    c.bench_function("meeting-minutes/word-template-uploaded", |b| {
        b.iter(|| {
            black_box(
                engine
                    .fill_uploaded(
                        template.clone(),
                        Some(DocumentKind::MeetingMinutes),
                        &payload,
                        OutputFormat::Docx,
                    )
                    .unwrap()
                    .bytes
                    .len(),
            )
        })
    });
}

fn excel_templates(c: &mut Criterion) {
    let engine = Engine::new(EngineOptions::default()).unwrap();
    let template = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/templates/excel/weekly-progress/template.xlsx"
    ))
    .unwrap();
    let template = collabdocs::excel::ExcelTemplate::load(template, Default::default()).unwrap();
    let payload = weekly(500);
    c.bench_function("weekly-progress-500-tasks/excel-template", |b| {
        b.iter(|| {
            let view = engine
                .validate(DocumentKind::WeeklyProgress, black_box(&payload))
                .unwrap()
                .prepared
                .context;
            black_box(template.fill(&view).unwrap().len())
        })
    });
}

criterion_group! {
    name = render;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = benches, word_templates, excel_templates
}
criterion_main!(render);
