//! Running it for real: overload, timeouts, panics, auth, request ids, metrics, draining.

use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_web::test::TestRequest;
use collabdocs::http::AppState;
use collabdocs::kinds::DocumentKind;
use serde_json::json;

use crate::common::*;

fn state() -> AppState {
    AppState::new(engine())
}

fn minutes_titled(title: &str) -> Vec<u8> {
    let mut m = example(DocumentKind::MeetingMinutes);
    m["title"] = json!(title);
    serde_json::to_vec(&m).unwrap()
}

fn render_req(body: Vec<u8>) -> TestRequest {
    TestRequest::post()
        .uri("/v1/documents/meeting-minutes?format=html")
        .set_payload(body)
}

#[actix_web::test]
async fn more_renders_than_allowed_are_refused_at_once_with_retry_after() {
    let st = AppState {
        slots: std::sync::Arc::new(collabdocs::http::Slots::new(0)),
        ..state()
    };
    let slots = st.slots.clone();
    let r = call_with(st, render_req(minutes_titled("周会"))).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("content-type"), "application/problem+json");
    assert_eq!(r.header("retry-after"), "1");
    assert_eq!(slots.refused(), 1);
}

#[actix_web::test]
async fn a_render_past_the_timeout_is_a_503_and_frees_its_slot_when_done() {
    let st = AppState {
        render_timeout: Duration::from_millis(50),
        ..state()
    };
    let slots = st.slots.clone();
    let r = call_with(st, render_req(minutes_titled("__collabdocs_fault_slow__"))).await;
    assert_eq!((r.status, r.header("retry-after").as_str()), (503, "1"));
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(slots.in_flight(), 0, "the slot was not freed");
}

#[actix_web::test]
async fn a_panic_in_a_render_is_a_safe_500_and_the_next_request_succeeds() {
    let r = call(render_req(minutes_titled("__collabdocs_fault_panic__"))).await;
    assert_eq!(r.status, 500);
    let p = r.json();
    assert_eq!(p["status"], json!(500));
    assert!(
        !p["detail"].as_str().unwrap().contains("fault injected"),
        "the cause leaked: {p}"
    );
    assert_eq!(call(render_req(minutes_titled("周会"))).await.status, 200);
}

#[actix_web::test]
async fn api_keys_guard_v1_routes_and_leave_health_open() {
    let keyed = || AppState {
        api_keys: vec!["k-1".into(), "k-2".into()],
        ..state()
    };
    let r = call_with(keyed(), TestRequest::get().uri("/v1/kinds")).await;
    assert_eq!(
        (r.status, r.header("content-type").as_str()),
        (401, "application/problem+json")
    );
    let r = call_with(
        keyed(),
        TestRequest::get()
            .uri("/v1/kinds")
            .insert_header(("authorization", "Bearer nope")),
    )
    .await;
    assert_eq!(r.status, 401);
    let r = call_with(
        keyed(),
        TestRequest::get()
            .uri("/v1/kinds")
            .insert_header(("authorization", "Bearer k-2")),
    )
    .await;
    assert_eq!(r.status, 200);
    for open in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            call_with(keyed(), TestRequest::get().uri(open))
                .await
                .status,
            200,
            "{open}"
        );
    }
    assert_eq!(
        call(TestRequest::get().uri("/v1/kinds")).await.status,
        200,
        "no keys configured: open"
    );
}

#[actix_web::test]
async fn the_request_id_is_echoed_or_made() {
    let r = call(
        TestRequest::get()
            .uri("/healthz")
            .insert_header(("x-request-id", "abc-123")),
    )
    .await;
    assert_eq!(r.header("x-request-id"), "abc-123");
    let r = call(TestRequest::get().uri("/nowhere")).await;
    assert!(!r.header("x-request-id").is_empty());
}

#[actix_web::test]
async fn metrics_count_requests_renders_and_bytes() {
    let st = state();
    let slots = st.slots.clone();
    let app =
        actix_web::test::init_service(collabdocs::http::app(actix_web::web::Data::new(st))).await;
    let res =
        actix_web::test::call_service(&app, render_req(minutes_titled("周会")).to_request()).await;
    assert_eq!(res.status(), 200);
    let res =
        actix_web::test::call_service(&app, TestRequest::get().uri("/metrics").to_request()).await;
    let text = String::from_utf8(actix_web::test::read_body(res).await.to_vec()).unwrap();
    assert!(text.contains(r#"collabdocs_requests_total{method="POST",route="/v1/documents/{kind}",status="200"} 1"#), "{text}");
    assert!(
        text.contains(
            r#"collabdocs_render_duration_seconds_count{kind="meeting-minutes",format="html"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"collabdocs_output_bytes_total{kind="meeting-minutes",format="html"}"#));
    assert_eq!(slots.in_flight(), 0);
}

#[actix_web::test]
async fn readiness_drops_while_draining() {
    let st = state();
    st.draining.store(true, Ordering::Relaxed);
    assert_eq!(
        call_with(st, TestRequest::get().uri("/readyz"))
            .await
            .status,
        503
    );
}

#[actix_web::test]
async fn json_nested_too_deep_is_a_400() {
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let r = post("/v1/documents/meeting-minutes", deep).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["detail"].as_str().unwrap().contains("recursion"));
}

#[actix_web::test]
async fn an_array_over_its_limit_is_a_422_naming_it() {
    let mut m = example(DocumentKind::MeetingMinutes);
    let item = m["action_items"][0].clone();
    m["action_items"] = json!(vec![item; 2001]);
    let body = serde_json::to_vec(&m).unwrap();
    let st = AppState {
        body_limit: 4 * 1024 * 1024,
        ..state()
    };
    let r = call_with(st, render_req(body)).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_paths(), ["/action_items"]);
}
