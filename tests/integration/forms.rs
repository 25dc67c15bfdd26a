//! The guide's further forms: each kind's rules refuse what they should, by pointer, and
//! warn where the guide implies a mistake.

use collabdocs::kinds::DocumentKind;
use serde_json::{json, Value};

use crate::common::*;

/// Validates a payload of `kind`; returns (status, error paths, warning paths).
async fn check(kind: DocumentKind, payload: &Value) -> (u16, Vec<String>, Vec<String>) {
    let r = post(
        &format!("/v1/documents/{}/validate", kind.slug()),
        serde_json::to_vec(payload).unwrap(),
    )
    .await;
    let body = r.json();
    let paths = |key: &str| -> Vec<String> {
        body[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["path"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    (r.status, paths("errors"), paths("warnings"))
}

#[actix_web::test]
async fn every_new_example_is_valid_without_warnings() {
    for kind in [
        DocumentKind::IssueLog,
        DocumentKind::ResourceRequest,
        DocumentKind::StakeholderRegister,
        DocumentKind::CommunicationPlan,
        DocumentKind::MeetingNotice,
        DocumentKind::CollaborationMemo,
        DocumentKind::Retrospective,
    ] {
        let (status, errors, warnings) = check(kind, &example(kind)).await;
        assert_eq!(status, 200, "{kind}: {errors:?}");
        // The issue log's example has one overdue issue on purpose.
        if kind != DocumentKind::IssueLog {
            assert!(warnings.is_empty(), "{kind}: {warnings:?}");
        }
    }
}

#[actix_web::test]
async fn an_issue_log_flags_overdue_and_undated_severe_issues_and_refuses_a_deadline_before_it_was_raised(
) {
    let mut p = example(DocumentKind::IssueLog);
    let (_, _, warnings) = check(DocumentKind::IssueLog, &p).await;
    assert_eq!(
        warnings,
        ["/issues/1/deadline"],
        "the pending issue is past its deadline"
    );
    p["issues"][0]["deadline"] = Value::Null;
    p["issues"][2]["deadline"] = json!("2026-05-01");
    p["issues"][1]["status"] = json!("已完成");
    let (status, errors, _) = check(DocumentKind::IssueLog, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/issues/1/status", "/issues/2/deadline"]);
    p["issues"][1]["status"] = json!("已关闭");
    p["issues"][2]["deadline"] = json!("2026-06-03");
    let (status, _, warnings) = check(DocumentKind::IssueLog, &p).await;
    assert_eq!(status, 200);
    assert_eq!(
        warnings,
        ["/issues/0/deadline"],
        "a severe open issue needs a deadline"
    );
}

#[actix_web::test]
async fn a_resource_request_refuses_negative_amounts_and_warns_over_budget() {
    let mut p = example(DocumentKind::ResourceRequest);
    p["items"][1]["amount"] = json!(-5);
    p["items"][0]["type"] = json!("money");
    let (status, errors, _) = check(DocumentKind::ResourceRequest, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/items/0/type", "/items/1/amount"]);
    let mut p = example(DocumentKind::ResourceRequest);
    p["budget_limit"] = json!(10000);
    p["items"][1]["amount"] = Value::Null;
    let (status, _, warnings) = check(DocumentKind::ResourceRequest, &p).await;
    assert_eq!(status, 200);
    assert_eq!(warnings, ["/items/1/amount", "/budget_limit"]);
}

#[actix_web::test]
async fn a_stakeholder_register_refuses_duplicates_and_wants_a_decision_maker() {
    let mut p = example(DocumentKind::StakeholderRegister);
    let first = p["stakeholders"][0].clone();
    p["stakeholders"].as_array_mut().unwrap().push(first);
    let (status, errors, _) = check(DocumentKind::StakeholderRegister, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/stakeholders/5"]);
    p["stakeholders"][1]["role"] = json!("boss");
    let (status, errors, _) = check(DocumentKind::StakeholderRegister, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/stakeholders/1/role"]);
    let mut p = example(DocumentKind::StakeholderRegister);
    p["stakeholders"][0]["role"] = json!("知情层");
    p["stakeholders"][1]["interface"] = json!(false);
    let (status, _, warnings) = check(DocumentKind::StakeholderRegister, &p).await;
    assert_eq!(status, 200);
    assert_eq!(
        warnings,
        ["/stakeholders", "/stakeholders"],
        "no 决策层, no 对接人 for 市场部"
    );
}

#[actix_web::test]
async fn a_communication_plan_needs_an_audience_and_a_trigger_for_what_is_not_periodic() {
    let mut p = example(DocumentKind::CommunicationPlan);
    p["items"][0]["audience"] = json!([]);
    p["items"][1]["owner"] = json!("  ");
    let (status, errors, _) = check(DocumentKind::CommunicationPlan, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/items/0/audience", "/items/1/owner"]);
    let mut p = example(DocumentKind::CommunicationPlan);
    p["items"][2]["trigger"] = Value::Null;
    let (status, _, warnings) = check(DocumentKind::CommunicationPlan, &p).await;
    assert_eq!(status, 200);
    assert_eq!(warnings, ["/items/2/trigger"]);
}

#[actix_web::test]
async fn a_meeting_notice_sent_late_is_a_warning_and_after_the_meeting_an_error() {
    let mut p = example(DocumentKind::MeetingNotice);
    // 2026-07-28 is a Tuesday; sent the Friday before is 2 working days ahead.
    p["sent_on"] = json!("2026-07-24");
    p["agenda"][2]["minutes"] = json!(60);
    let (status, _, warnings) = check(DocumentKind::MeetingNotice, &p).await;
    assert_eq!(status, 200);
    assert_eq!(warnings, ["/sent_on", "/agenda"]);
    p["sent_on"] = json!("2026-07-29");
    let (status, errors, _) = check(DocumentKind::MeetingNotice, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/sent_on"]);
    p["meeting"]["end"] = json!("13:00");
    p["agenda"][0]["kind"] = json!("vote");
    let (status, errors, _) = check(DocumentKind::MeetingNotice, &p).await;
    assert_eq!(status, 422);
    // Rules across fields are checked on every part that is readable (the meeting's times),
    // after the problems of shape.
    assert_eq!(errors, ["/agenda/0/kind", "/meeting/end"]);
}

#[actix_web::test]
async fn a_memo_needs_two_signing_departments_each_signing_once() {
    let mut p = example(DocumentKind::CollaborationMemo);
    p["signatures"] = json!([{"name": "陈静", "department": "市场部"}]);
    let (status, errors, _) = check(DocumentKind::CollaborationMemo, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/signatures"]);
    let mut p = example(DocumentKind::CollaborationMemo);
    p["signatures"][1]["department"] = json!("市场部");
    p["signatures"][2]["department"] = Value::Null;
    let (status, errors, _) = check(DocumentKind::CollaborationMemo, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/signatures/2/department"]);
    p["signatures"][2]["department"] = json!("技术部");
    let (status, errors, _) = check(DocumentKind::CollaborationMemo, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/signatures/1/department"]);
    p["signatures"][1]["department"] = json!("财务部");
    let (status, _, warnings) = check(DocumentKind::CollaborationMemo, &p).await;
    assert_eq!(status, 200);
    assert_eq!(
        warnings,
        ["/duties/1/department"],
        "产品部 has duties but did not sign"
    );
}

#[actix_web::test]
async fn an_unsigned_memo_is_marked_as_a_draft() {
    let mut p = example(DocumentKind::CollaborationMemo);
    p["signatures"][2]["signed_on"] = Value::Null;
    let r = render("collaboration-memo", "html", &p).await;
    assert!(html_text(&String::from_utf8(r.body).unwrap()).contains("草案 / DRAFT"));
    let (_, r) = render_example(DocumentKind::CollaborationMemo, "html").await;
    assert!(!html_text(&String::from_utf8(r.body).unwrap()).contains("草案"));
}

#[actix_web::test]
async fn a_retrospective_asks_for_improvements_and_actions_after_a_missed_goal() {
    let mut p = example(DocumentKind::Retrospective);
    p["improvements"] = json!([]);
    p["actions"][0]["due"] = json!("2026-06-01");
    let (status, _, warnings) = check(DocumentKind::Retrospective, &p).await;
    assert_eq!(status, 200);
    assert_eq!(warnings, ["/improvements", "/actions/0/due"]);
    p["goals"][0]["status"] = json!("done");
    p["period"]["end"] = json!("2026-05-01");
    let (status, errors, _) = check(DocumentKind::Retrospective, &p).await;
    assert_eq!(status, 422);
    assert_eq!(errors, ["/goals/0/status", "/period/end"]);
}

#[actix_web::test]
async fn the_meeting_notice_schedules_the_agenda_from_the_start_time() {
    let (_, r) = render_example(DocumentKind::MeetingNotice, "html").await;
    let text = html_text(&String::from_utf8(r.body).unwrap());
    for slot in ["14:00–14:20", "14:20–14:45", "14:45–15:15", "15:15–15:25"] {
        assert!(text.contains(slot), "{slot} in {text}");
    }
    assert!(text.contains("提前4个工作日"), "{text}");
}
