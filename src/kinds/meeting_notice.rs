//! `meeting-notice` — 会议通知与议程 (seed 000 二(一) 会前筹备; seed 003 二(五) 会前).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Prepared;
use crate::input::{child, member_rules, Cx, Rules};
use crate::values::TopicKind;
use crate::values::{Date, Organization, Person, Time};

/// When and where.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingNoticeWhen", transform = crate::values::object_schema::<Self>)]
pub struct When {
    /// 会议日期.
    #[schemars(title = "日期")]
    pub date: Date,
    /// 开始时间.
    #[schemars(title = "开始时间")]
    pub start: Time,
    /// 结束时间.
    #[schemars(title = "结束时间")]
    pub end: Option<Time>,
    /// 会议地点 (room, or 线上).
    #[schemars(title = "地点")]
    pub location: String,
    /// 线上会议链接或会议号.
    #[schemars(title = "线上会议")]
    pub online: Option<String>,
}

impl Rules for When {
    fn rules(&self, path: &str, cx: &mut Cx) {
        if let Some(e) = self.end {
            if e <= self.start {
                cx.error(format!("{path}/end"), "must be after the start time");
            }
        }
    }
}

/// The meeting's roles.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingNoticeRoles", transform = crate::values::object_schema::<Self>)]
pub struct Roles {
    /// 主持人: keeps time and steers the discussion.
    #[schemars(title = "主持人")]
    pub host: Person,
    /// 记录人: writes the minutes.
    #[schemars(title = "记录人")]
    pub recorder: Person,
}

/// One agenda topic.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MeetingNoticeTopic", transform = crate::values::object_schema::<Self>)]
pub struct Topic {
    /// 议题.
    #[schemars(title = "议题")]
    pub title: String,
    /// 议题负责人: reports on it.
    #[schemars(title = "负责人")]
    pub owner: Option<Person>,
    /// 讨论时长, minutes.
    #[schemars(title = "时长（分钟）")]
    pub minutes: u32,
    /// 需决策 or 需同步.
    #[schemars(title = "议题类型")]
    pub kind: TopicKind,
}

/// The payload of `meeting-notice`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct MeetingNotice {
    /// 编号, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 会议主题.
    #[schemars(title = "会议名称")]
    pub title: String,
    /// 所属项目.
    #[schemars(title = "所属项目")]
    pub project: Option<crate::values::MeetingProject>,
    /// 发起部门.
    #[schemars(title = "组织者")]
    pub organizer: String,
    /// 发送日期: the guide asks for 3–5 working days before the meeting (fewer is a warning).
    #[schemars(title = "发出日期")]
    pub sent_on: Date,
    /// 会议时间地点.
    #[schemars(title = "会议信息")]
    pub meeting: When,
    /// 会议目标与预期成果.
    #[schemars(title = "会议目标")]
    pub objective: String,
    /// 必邀人员: at least one.
    #[schemars(title = "必须参会人员", length(min = 1))]
    pub required_attendees: Vec<Person>,
    /// 可选人员.
    #[serde(default)]
    #[schemars(title = "可选参会人员", transform = crate::values::nullable)]
    pub optional_attendees: Vec<Person>,
    /// 会议角色: host and recorder.
    #[schemars(title = "会议角色")]
    pub roles: Roles,
    /// 议程: at least one topic, each with its duration.
    #[schemars(title = "会议议程", length(min = 1))]
    pub agenda: Vec<Topic>,
    /// 会前材料 (e.g. 沟通协作需求提报表).
    #[serde(default)]
    #[schemars(title = "会议材料", transform = crate::values::nullable)]
    pub materials: Vec<String>,
    /// 请参会者提前准备的内容.
    #[schemars(title = "会前准备")]
    pub preparation: Option<String>,
    /// 会议规则; the guide's when left out.
    #[serde(default)]
    #[schemars(title = "会议规则", transform = crate::values::nullable)]
    pub rules: Vec<String>,
    /// 联系人 for questions about the meeting.
    #[schemars(title = "联系人")]
    pub contact: Option<Person>,
}

impl Rules for MeetingNotice {
    fn part_rules(v: &serde_json::Value, path: &str, cx: &mut Cx) {
        member_rules::<When>(v, "meeting", path, cx);
    }

    fn rules(&self, path: &str, cx: &mut Cx) {
        if self.sent_on > self.meeting.date {
            cx.error(
                "/sent_on",
                format!(
                    "{} is after the meeting on {}",
                    self.sent_on.zh(),
                    self.meeting.date.zh()
                ),
            );
        }
        self.meeting.rules(&child(path, "meeting"), cx);
    }
}

impl MeetingNotice {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        let ahead = self.sent_on.working_days_until(self.meeting.date);
        if ahead < 3 && self.sent_on <= self.meeting.date {
            cx.warn(
                "/sent_on",
                format!("is {ahead} working day(s) before the meeting; the guide asks for 3 to 5 so attendees can prepare"),
            );
        }
        let total: u32 = self.agenda.iter().map(|t| t.minutes).sum();
        if let Some(end) = self.meeting.end {
            let slot = end.minutes().saturating_sub(self.meeting.start.minutes());
            if total > slot {
                cx.warn(
                    "/agenda",
                    format!("needs {total} minutes but the meeting lasts {slot}"),
                );
            }
        }
        let mut at = self.meeting.start.minutes();
        let extras: Vec<_> = self
            .agenda
            .iter()
            .map(|t| {
                let from = Time::from_minutes(at);
                at += t.minutes;
                let to = Time::from_minutes(at);
                json!({"slot": format!("{:02}:{:02}–{:02}:{:02}", from.hour, from.minute, to.hour, to.minute)})
            })
            .collect();
        let rules = if self.rules.is_empty() {
            defaults().rules.clone()
        } else {
            self.rules.clone()
        };
        let derived = json!({
            "working_days_ahead": ahead,
            "total_minutes": total,
            "decisions": self.agenda.iter().filter(|t| t.kind == TopicKind::Decision).count(),
            "rules": rules,
        });
        let stem = format!("会议通知-{}", self.meeting.date.iso());
        Prepared::new(&self, derived, stem).extend_rows("agenda", extras)
    }
}

impl super::Hooks for MeetingNotice {
    const OFFICIAL: Option<&'static str> =
        Some(include_str!("../../templates/official/meeting-notice.hbs"));
}

/// The meeting rules a notice states where its payload gives none:
/// `templates/defaults/meeting-notice.json`.
#[derive(Debug, serde::Deserialize)]
struct Defaults {
    rules: Vec<String>,
}

fn defaults() -> &'static Defaults {
    static DEFAULTS: std::sync::OnceLock<Defaults> = std::sync::OnceLock::new();
    DEFAULTS.get_or_init(|| {
        super::defaults(include_str!("../../templates/defaults/meeting-notice.json"))
    })
}
