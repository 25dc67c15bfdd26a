//! Operator templates: a mistake stops start-up with the template's name and position.

use collabdocs::engine::Request;
use collabdocs::engine::{Engine, EngineOptions};

fn engine_with(files: &[(&str, &str)]) -> Result<Engine, String> {
    // Tests run in parallel: every call gets its own directory.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("collabdocs-tpl-{}-{n}", std::process::id()));
    std::fs::create_dir_all(dir.join("partials")).unwrap();
    for (name, src) in files {
        std::fs::write(dir.join(name), src).unwrap();
    }
    let r = Engine::new(EngineOptions {
        templates_dir: Some(dir.clone()),
        ..EngineOptions::default()
    })
    .map_err(|e| e.to_string());
    std::fs::remove_dir_all(&dir).ok();
    r
}

#[test]
fn a_handlebars_syntax_error_names_the_template_and_its_line() {
    let err = engine_with(&[(
        "meeting-minutes.hbs",
        "<document>\n<p>{{#if doc.title}}</p>\n</document>",
    )])
    .err()
    .expect("start-up must fail");
    assert!(err.contains("meeting-minutes.hbs"), "{err}");
    assert!(err.contains('2') || err.contains("line"), "{err}");
}

#[test]
fn a_markup_error_names_the_template_line_and_column() {
    let err = engine_with(&[(
        "raci-matrix.hbs",
        "<document title=\"{{doc.project.name}}\">\n  <p>ok</p>\n  <para>oops</para>\n</document>",
    )])
    .err()
    .expect("start-up must fail");
    assert!(
        err.contains("raci-matrix.hbs")
            && err.contains("line 3, column 3")
            && err.contains("<para>"),
        "{err}"
    );
}

#[test]
fn a_missing_variable_in_strict_mode_stops_start_up() {
    let err = engine_with(&[(
        "agreement.hbs",
        "<document>\n<p>{{doc.no_such_field}}</p>\n</document>",
    )])
    .err()
    .expect("start-up must fail");
    assert!(err.contains("agreement.hbs"), "{err}");
}

#[test]
fn a_replacement_template_is_used() {
    let engine = engine_with(&[(
        "raci-matrix.hbs",
        "<document title=\"x\"><title>自定义 {{doc.project.name}}</title></document>",
    )])
    .expect("loads");
    let v: serde_json::Value =
        serde_json::from_str(collabdocs::kinds::DocumentKind::RaciMatrix.example()).unwrap();
    let (doc, _) = engine
        .document(
            &standard(&engine, collabdocs::kinds::DocumentKind::RaciMatrix),
            &v,
        )
        .unwrap();
    assert_eq!(doc.all_text(), ["自定义 618大促活动"]);
}

/// A request for a kind's PDF in the standard style.
fn standard(engine: &Engine, kind: collabdocs::kinds::DocumentKind) -> Request {
    Request::new(
        engine,
        kind,
        collabdocs::render::OutputFormat::Pdf,
        collabdocs::values::Profile::Standard,
        false,
    )
    .unwrap()
}

/// A templates directory of the test's own, kept while the engine reads it.
fn template_dir(tag: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("collabdocs-watch-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(dir.join("partials")).unwrap();
    for (name, src) in files {
        std::fs::write(dir.join(name), src).unwrap();
    }
    dir
}

const RACI_TITLE: &str =
    "<document title=\"x\"><title>{{marker}} {{doc.project.name}}</title></document>";

fn raci_title(engine: &Engine) -> Vec<String> {
    let kind = collabdocs::kinds::DocumentKind::RaciMatrix;
    let v: serde_json::Value = serde_json::from_str(kind.example()).unwrap();
    let (doc, _) = engine.document(&standard(engine, kind), &v).unwrap();
    doc.all_text()
}

#[test]
fn a_reload_takes_a_changed_template_and_a_broken_one_keeps_the_last_good() {
    let dir = template_dir(
        "reload",
        &[(
            "raci-matrix.hbs",
            &RACI_TITLE.replace("{{marker}}", "第一版"),
        )],
    );
    let engine = Engine::new(EngineOptions {
        templates_dir: Some(dir.clone()),
        ..EngineOptions::default()
    })
    .unwrap();
    assert_eq!(raci_title(&engine), ["第一版 618大促活动"]);
    assert_eq!(engine.template_status().generation, 1);

    std::fs::write(
        dir.join("raci-matrix.hbs"),
        RACI_TITLE.replace("{{marker}}", "第二版"),
    )
    .unwrap();
    assert_eq!(engine.reload_templates().unwrap(), 2);
    assert_eq!(raci_title(&engine), ["第二版 618大促活动"]);

    // A syntax error: named with its line and column; the second version stays in force.
    std::fs::write(
        dir.join("raci-matrix.hbs"),
        "<document title=\"x\">\n<title>{{#if doc.project}}第三版</title>\n</document>",
    )
    .unwrap();
    assert!(engine.reload_templates().is_err());
    let status = engine.template_status();
    assert_eq!(status.generation, 2);
    let problem = status.error.expect("the error is kept");
    assert_eq!(problem.template, "raci-matrix.hbs");
    assert!(
        problem.line.is_some() && problem.column.is_some(),
        "{problem:?}"
    );
    assert_eq!(raci_title(&engine), ["第二版 618大促活动"]);

    // A template that parses but fails on the example (strict mode) is refused the same way.
    std::fs::write(
        dir.join("raci-matrix.hbs"),
        "<document><p>{{doc.nothing}}</p></document>",
    )
    .unwrap();
    assert!(engine.reload_templates().is_err());
    assert_eq!(raci_title(&engine), ["第二版 618大促活动"]);

    // Mended: in force again, the error cleared.
    std::fs::write(
        dir.join("raci-matrix.hbs"),
        RACI_TITLE.replace("{{marker}}", "第四版"),
    )
    .unwrap();
    assert_eq!(engine.reload_templates().unwrap(), 3);
    assert!(engine.template_status().error.is_none());
    assert_eq!(raci_title(&engine), ["第四版 618大促活动"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_watcher_reloads_a_template_changed_on_disk() {
    let dir = template_dir(
        "watch",
        &[("raci-matrix.hbs", &RACI_TITLE.replace("{{marker}}", "旧"))],
    );
    let engine = std::sync::Arc::new(
        Engine::new(EngineOptions {
            templates_dir: Some(dir.clone()),
            ..EngineOptions::default()
        })
        .unwrap(),
    );
    collabdocs::watch::spawn(engine.clone()).unwrap();
    std::fs::write(
        dir.join("raci-matrix.hbs"),
        RACI_TITLE.replace("{{marker}}", "新"),
    )
    .unwrap();
    // Bounded wait for the watcher (it looks every 200 ms); not a timing assertion.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while engine.template_status().generation < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(raci_title(&engine), ["新 618大促活动"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn watching_needs_a_templates_directory() {
    let engine = std::sync::Arc::new(Engine::new(EngineOptions::default()).unwrap());
    let err = collabdocs::watch::spawn(engine).unwrap_err();
    assert!(err.contains("COLLABDOCS_TEMPLATES_DIR"), "{err}");
}
