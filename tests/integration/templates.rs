//! Operator templates: a mistake stops start-up with the template's name and position.

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
            collabdocs::kinds::DocumentKind::RaciMatrix,
            &v,
            collabdocs::document::Profile::Standard,
        )
        .unwrap();
    assert_eq!(doc.all_text(), ["自定义 618大促活动"]);
}
