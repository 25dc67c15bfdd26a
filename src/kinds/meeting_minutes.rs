//! `meeting-minutes` — 跨部门会议纪要 (seed 000 《跨部门会议记录模板》).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{signature_views, Prepared};
use crate::input::{child, member_rules, Cx, Rules};
use crate::values::{
    ActionStatus, Date, MeetingProject, Organization, Person, Signature, Time, TopicKind,
};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingMinutesMeeting", transform = crate::values::object_schema::<Self>)]
pub struct Meeting {
    #[schemars(title = "日期")]
    pub date: Date,
    #[schemars(title = "开始时间")]
    pub start: Option<Time>,
    #[schemars(title = "结束时间")]
    pub end: Option<Time>,
    #[schemars(title = "地点")]
    pub location: Option<String>,
    #[schemars(title = "主持人")]
    pub host: Person,
    #[schemars(title = "记录人")]
    pub recorder: Person,
}

impl Rules for Meeting {
    fn rules(&self, path: &str, cx: &mut Cx) {
        if let (Some(s), Some(e)) = (self.start, self.end) {
            if e < s {
                cx.error(format!("{path}/end"), "must not be before the start time");
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingMinutesAgendaItem", transform = crate::values::object_schema::<Self>)]
pub struct AgendaItem {
    #[schemars(title = "议题")]
    pub title: String,
    #[schemars(title = "负责人")]
    pub owner: Option<Person>,
    #[schemars(title = "时长（分钟）")]
    pub minutes: Option<u32>,
    #[schemars(title = "议题类型")]
    pub kind: Option<TopicKind>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingMinutesViewpoint", transform = crate::values::object_schema::<Self>)]
pub struct Viewpoint {
    #[schemars(title = "参与方")]
    pub party: String,
    #[schemars(title = "观点")]
    pub view: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingMinutesDiscussion", transform = crate::values::object_schema::<Self>)]
pub struct Discussion {
    #[schemars(title = "议题")]
    pub topic: String,
    #[schemars(title = "讨论摘要")]
    pub summary: String,
    #[serde(default)]
    #[schemars(title = "各方观点", transform = crate::values::nullable)]
    pub viewpoints: Vec<Viewpoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingMinutesActionItem", transform = crate::values::object_schema::<Self>)]
pub struct ActionItem {
    #[schemars(title = "任务")]
    pub task: String,
    #[schemars(title = "负责人")]
    pub owner: Person,
    #[schemars(title = "部门")]
    pub department: Option<String>,
    #[schemars(title = "截止日期")]
    pub due: Date,
    #[schemars(title = "交付物")]
    pub deliverable: Option<String>,
    #[schemars(title = "状态")]
    pub status: Option<ActionStatus>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingMinutesOpenIssue", transform = crate::values::object_schema::<Self>)]
pub struct OpenIssue {
    #[schemars(title = "未决事项")]
    pub issue: String,
    #[schemars(title = "下一步")]
    pub next_step: String,
    #[schemars(title = "负责人")]
    pub owner: Option<Person>,
    #[schemars(title = "截止日期")]
    pub due: Option<Date>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingMinutesNextMeeting", transform = crate::values::object_schema::<Self>)]
pub struct NextMeeting {
    #[schemars(title = "日期")]
    pub date: Option<Date>,
    #[schemars(title = "时间")]
    pub time: Option<Time>,
    #[schemars(title = "地点")]
    pub location: Option<String>,
    #[schemars(title = "备注")]
    pub note: Option<String>,
}

/// The payload of `meeting-minutes`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct MeetingMinutes {
    /// 编号: the minutes number, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 会议名称.
    #[schemars(title = "会议名称")]
    pub title: String,
    /// 所属项目.
    #[schemars(title = "所属项目")]
    pub project: Option<MeetingProject>,
    /// 会议信息: date, time, place, host (主持人) and recorder (记录人).
    #[schemars(title = "会议信息")]
    pub meeting: Meeting,
    /// 参会人员: at least one; action-item owners are expected among them (a warning otherwise).
    #[schemars(title = "参会人员", length(min = 1))]
    pub attendees: Vec<Person>,
    /// 缺席人员.
    #[serde(default)]
    #[schemars(title = "缺席人员", transform = crate::values::nullable)]
    pub absentees: Vec<Person>,
    /// 抄送: departments or people who receive the minutes.
    #[serde(default)]
    #[schemars(title = "抄送", transform = crate::values::nullable)]
    pub cc: Vec<String>,
    /// 会议目标.
    #[schemars(title = "会议目标")]
    pub objective: Option<String>,
    /// 会议议程: topics with owner, minutes and 需决策/需同步.
    #[serde(default)]
    #[schemars(title = "会议议程", transform = crate::values::nullable)]
    pub agenda: Vec<AgendaItem>,
    /// 讨论内容: per topic, a summary and each party's view.
    #[serde(default)]
    #[schemars(title = "讨论内容", transform = crate::values::nullable)]
    pub discussions: Vec<Discussion>,
    /// 共识结论.
    #[serde(default)]
    #[schemars(title = "共识结论", transform = crate::values::nullable)]
    pub decisions: Vec<String>,
    /// 行动项: task, owner, due date, deliverable, status; a due date before the meeting is a warning.
    #[serde(default)]
    #[schemars(title = "行动项", transform = crate::values::nullable)]
    pub action_items: Vec<ActionItem>,
    /// 未决事项 and their next step.
    #[serde(default)]
    #[schemars(title = "未决事项", transform = crate::values::nullable)]
    pub open_issues: Vec<OpenIssue>,
    /// 下次会议.
    #[schemars(title = "下次会议")]
    pub next_meeting: Option<NextMeeting>,
    /// 纪要分发日期.
    #[schemars(title = "纪要分发日期")]
    pub distributed_on: Option<Date>,
    /// 签字确认.
    #[serde(default)]
    #[schemars(title = "签字确认", transform = crate::values::nullable)]
    pub sign_off: Vec<Signature>,
}

impl Rules for MeetingMinutes {
    fn part_rules(v: &serde_json::Value, path: &str, cx: &mut Cx) {
        member_rules::<Meeting>(v, "meeting", path, cx);
    }

    fn rules(&self, path: &str, cx: &mut Cx) {
        self.meeting.rules(&child(path, "meeting"), cx);
    }
}

impl MeetingMinutes {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        let present: Vec<&str> = self
            .attendees
            .iter()
            .chain([&self.meeting.host, &self.meeting.recorder])
            .map(|p| p.name.trim())
            .collect();
        for (i, a) in self.action_items.iter().enumerate() {
            if a.due < self.meeting.date {
                cx.warn(
                    format!("/action_items/{i}/due"),
                    format!(
                        "is {}, before the meeting on {}",
                        a.due.zh(),
                        self.meeting.date.zh()
                    ),
                );
            }
            if !present.contains(&a.owner.name.trim()) {
                cx.warn(
                    format!("/action_items/{i}/owner"),
                    format!("{} is not among the attendees", a.owner.name),
                );
            }
        }
        let status_counts: Vec<_> = ActionStatus::ALL
            .iter()
            .map(|s| {
                let n = self
                    .action_items
                    .iter()
                    .filter(|a| a.status.unwrap_or(ActionStatus::Open) == *s)
                    .count();
                json!({"label": s.label(), "count": n})
            })
            .collect();
        let total_minutes: u32 = self.agenda.iter().filter_map(|a| a.minutes).sum();
        let signatures = signature_views(&self.sign_off);
        let derived = json!({
            "action_status_counts": status_counts,
            "action_status_labels": ActionStatus::labels(),
            "agenda_minutes": total_minutes,
            "attendee_count": self.attendees.len(),
            "signatures": signatures,
        });
        let stem = format!("会议纪要-{}", self.meeting.date.iso());
        Prepared::new(&self, derived, stem)
    }
}

impl super::Hooks for MeetingMinutes {
    const OFFICIAL: Option<&'static str> =
        Some(include_str!("../../templates/official/meeting-minutes.hbs"));
}
