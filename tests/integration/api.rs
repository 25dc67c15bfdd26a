//! The HTTP contract: discovery, negotiation, headers and every kind of error.

use collabdocs::kinds::DocumentKind;
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn kinds_are_listed_with_their_example_urls_and_the_examples_validate() {
    let r = call(actix_web::test::TestRequest::get().uri("/v1/kinds")).await;
    assert_eq!(r.status, 200);
    let kinds = r.json();
    let slugs: Vec<&str> = kinds
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    let registered: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.slug()).collect();
    assert_eq!(
        slugs, registered,
        "every kind the service has, in its order"
    );
    for k in kinds.as_array().unwrap() {
        let url = k["example_url"].as_str().unwrap();
        let ex = call(actix_web::test::TestRequest::get().uri(url)).await;
        assert_eq!(ex.status, 200);
        let v = post(
            &format!("/v1/documents/{}/validate", k["kind"].as_str().unwrap()),
            ex.body,
        )
        .await;
        assert_eq!(v.status, 200, "{}", String::from_utf8_lossy(&v.body));
        assert_eq!(v.json()["valid"], json!(true));
    }
}

#[actix_web::test]
async fn a_file_comes_with_a_utf8_filename_and_a_content_digest() {
    let r = render(
        "meeting-minutes",
        "docx",
        &example(DocumentKind::MeetingMinutes),
    )
    .await;
    let cd = r.header("content-disposition");
    assert!(
        cd.starts_with("attachment; filename=\"meeting-minutes-2026-07-28.docx\""),
        "{cd}"
    );
    // 会议纪要-2026-07-28.docx, percent-encoded
    assert!(
        cd.contains("filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81-2026-07-28.docx"),
        "{cd}"
    );
    assert_eq!(
        r.header("content-digest"),
        format!("sha-256=:{}:", sha256_b64(&r.body))
    );
}

#[actix_web::test]
async fn the_format_can_come_from_the_accept_header_and_the_query_wins() {
    let payload = serde_json::to_vec(&example(DocumentKind::RaciMatrix)).unwrap();
    let by_accept = call(
        actix_web::test::TestRequest::post()
            .uri("/v1/documents/raci-matrix")
            .insert_header(("accept", "text/html"))
            .set_payload(payload.clone()),
    )
    .await;
    assert_eq!(by_accept.status, 200);
    assert_eq!(by_accept.header("content-type"), "text/html; charset=utf-8");
    let query_wins = call(
        actix_web::test::TestRequest::post()
            .uri("/v1/documents/raci-matrix?format=docx")
            .insert_header(("accept", "text/html"))
            .set_payload(payload),
    )
    .await;
    assert_eq!(
        query_wins.header("content-type"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
}

#[actix_web::test]
async fn an_unknown_format_is_a_406_problem() {
    let payload = example(DocumentKind::RaciMatrix);
    for format in ["xyz", "doc"] {
        let r = render("raci-matrix", format, &payload).await;
        assert_eq!(r.status, 406, "{format}");
        assert_eq!(r.header("content-type"), "application/problem+json");
        assert!(r.json()["detail"].as_str().unwrap().contains("docx"));
    }
    let r = call(
        actix_web::test::TestRequest::post()
            .uri("/v1/documents/raci-matrix")
            .insert_header(("accept", "image/png"))
            .set_payload(serde_json::to_vec(&payload).unwrap()),
    )
    .await;
    assert_eq!(r.status, 406);
}

#[actix_web::test]
async fn malformed_json_is_a_400_problem_naming_the_position() {
    let r = post(
        "/v1/documents/meeting-minutes?format=docx",
        "{\"title\": \"周会\",}",
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), "application/problem+json");
    let p = r.json();
    assert_eq!(p["status"], json!(400));
    assert!(p["detail"].as_str().unwrap().contains("line 1"), "{p}");
    assert_eq!(
        post("/v1/documents/meeting-minutes?format=docx", "")
            .await
            .status,
        400
    );
}

#[actix_web::test]
async fn every_problem_in_one_payload_is_reported_together_by_pointer() {
    let mut raci = example(DocumentKind::RaciMatrix);
    raci["titel"] = json!("typo");
    raci["prepard_by"] = json!("李明");
    raci["project"] = json!({});
    raci["prepared_on"] = json!("2026-13-01");
    raci["tasks"][0]["assignments"]["产品部"] = json!("A");
    raci["tasks"][0]["assignments"]["市场部"] = json!("A");
    raci["tasks"][1]["assignments"]["市场部"] = json!("X");
    raci["tasks"][2]["assignments"]["法务部"] = json!("C");
    let r = render("raci-matrix", "docx", &raci).await;
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), "application/problem+json");
    let paths = r.error_paths();
    for want in [
        "/titel",
        "/project/name",
        "/prepared_on",
        "/tasks/0/assignments",
        "/tasks/1/assignments/市场部",
        "/tasks/2/assignments/法务部",
    ] {
        assert!(
            paths.iter().any(|p| p == want),
            "missing {want} in {paths:?}"
        );
    }
    let problem = r.json();
    let titel = &problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "/prepard_by")
        .unwrap()["message"];
    assert!(
        titel
            .as_str()
            .unwrap()
            .contains("did you mean \"prepared_by\""),
        "{titel}"
    );
}

#[actix_web::test]
async fn meeting_minutes_errors_cover_missing_fields_bad_dates_and_bad_enums() {
    let mut m = example(DocumentKind::MeetingMinutes);
    m["meeting"].as_object_mut().unwrap().remove("host");
    m["action_items"][2]["due"] = json!("next friday");
    m["action_items"][1]["status"] = json!("finished");
    m["agenda"][0]["kind"] = json!("需决策"); // a Chinese alias is fine
    m["action_items"][0]["status"] = json!("进行中");
    let r = render("meeting-minutes", "docx", &m).await;
    assert_eq!(r.status, 422);
    let mut paths = r.error_paths();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/action_items/1/status",
            "/action_items/2/due",
            "/meeting/host"
        ]
    );
}

#[actix_web::test]
async fn a_raci_task_needs_one_a_and_at_least_one_r() {
    let mut raci = example(DocumentKind::RaciMatrix);
    raci["tasks"][0]["assignments"] = json!({"市场部": "C", "产品部": "I"});
    let r = post(
        "/v1/documents/raci-matrix/validate",
        serde_json::to_vec(&raci).unwrap(),
    )
    .await;
    assert_eq!(r.status, 422);
    let errors = r.json()["errors"].clone();
    let msgs: Vec<&str> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(msgs.iter().any(|m| m.contains("exactly one A")), "{msgs:?}");
    assert!(
        msgs.iter().any(|m| m.contains("at least one R")),
        "{msgs:?}"
    );
}

#[actix_web::test]
async fn validate_reports_the_minutes_warnings() {
    let mut m = example(DocumentKind::MeetingMinutes);
    m["action_items"][0]["due"] = json!("2026-07-01");
    m["action_items"][1]["owner"] = json!("不在场的人");
    let r = post(
        "/v1/documents/meeting-minutes/validate",
        serde_json::to_vec(&m).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    let w = r.json()["warnings"].clone();
    let paths: Vec<&str> = w
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/action_items/0/due", "/action_items/1/owner"]);
}

#[actix_web::test]
async fn unknown_kinds_routes_and_methods_are_problems() {
    let r = render("minutes", "docx", &json!({})).await;
    assert_eq!(
        (r.status, r.header("content-type").as_str()),
        (404, "application/problem+json")
    );
    let r = call(actix_web::test::TestRequest::get().uri("/nothing/here")).await;
    assert_eq!(
        (r.status, r.header("content-type").as_str()),
        (404, "application/problem+json")
    );
    let r = call(actix_web::test::TestRequest::delete().uri("/v1/kinds")).await;
    assert_eq!(
        (r.status, r.header("content-type").as_str()),
        (405, "application/problem+json")
    );
    let r = call(actix_web::test::TestRequest::get().uri("/v1/kinds/nope/example")).await;
    assert_eq!(r.status, 404);
}

#[actix_web::test]
async fn a_body_over_the_limit_is_a_413_problem() {
    let big = vec![b' '; BODY_LIMIT + 1];
    let r = post("/v1/documents/meeting-minutes?format=docx", big).await;
    assert_eq!(
        (r.status, r.header("content-type").as_str()),
        (413, "application/problem+json")
    );
}

#[actix_web::test]
async fn health_and_readiness_answer() {
    assert_eq!(
        call(actix_web::test::TestRequest::get().uri("/healthz"))
            .await
            .status,
        200
    );
    let r = call(actix_web::test::TestRequest::get().uri("/readyz")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], json!("ready"));
}

#[actix_web::test]
async fn bad_query_parameters_are_problems_too() {
    let payload = serde_json::to_vec(&example(DocumentKind::WeeklyProgress)).unwrap();
    for uri in [
        "/v1/batch?fail_fast=maybe",
        "/v1/batch/weekly-progress",
        "/v1/batch/weekly-progress?split_by=week",
    ] {
        let r = post(uri, payload.clone()).await;
        assert_eq!(
            (r.status, r.header("content-type").as_str()),
            (400, "application/problem+json"),
            "{uri}"
        );
        assert_eq!(r.json()["status"], json!(400));
    }
}
