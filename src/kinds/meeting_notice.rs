//! `meeting-notice` — 会议通知与议程 (seed 000 二(一) 会前筹备; seed 003 二(五) 会前).

use serde_json::json;

use super::Prepared;
use crate::input::Cx;
use crate::json_object;
use crate::values::TopicKind;
use crate::values::{Date, Organization, Person, Time};

json_object! {
    /// When and where.
    pub struct When {
        /// 会议日期.
        date: Date = req "日期",
        /// 开始时间.
        start: Time = req "开始时间",
        /// 结束时间.
        end: Option<Time> = opt "结束时间",
        /// 会议地点 (room, or 线上).
        location: String = req "地点",
        /// 线上会议链接或会议号.
        online: Option<String> = opt "线上会议",
    }
    check(w, path, cx) {
        if let Some(e) = w.end {
            if e <= w.start {
                cx.error(format!("{path}/end"), "must be after the start time");
            }
        }
    }
}

json_object! {
    /// The meeting's roles.
    pub struct Roles {
        /// 主持人: keeps time and steers the discussion.
        host: Person = req "主持人",
        /// 记录人: writes the minutes.
        recorder: Person = req "记录人",
    }
}

json_object! {
    /// One agenda topic.
    pub struct Topic {
        /// 议题.
        title: String = req "议题",
        /// 议题负责人: reports on it.
        owner: Option<Person> = opt "负责人",
        /// 讨论时长, minutes.
        minutes: u32 = req "时长（分钟）",
        /// 需决策 or 需同步.
        kind: TopicKind = req "议题类型",
    }
}

json_object! {
    /// The payload of `meeting-notice`.
    pub struct MeetingNotice {
        /// 编号, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 会议主题.
        title: String = req "会议名称",
        /// 所属项目.
        project: Option<crate::values::MeetingProject> = opt "所属项目",
        /// 发起部门.
        organizer: String = req "组织者",
        /// 发送日期: the guide asks for 3–5 working days before the meeting (fewer is a warning).
        sent_on: Date = req "发出日期",
        /// 会议时间地点.
        meeting: When = req "会议信息",
        /// 会议目标与预期成果.
        objective: String = req "会议目标",
        /// 必邀人员: at least one.
        required_attendees: Vec<Person> = list_min(1) "必须参会人员",
        /// 可选人员.
        optional_attendees: Vec<Person> = list "可选参会人员",
        /// 会议角色: host and recorder.
        roles: Roles = req "会议角色",
        /// 议程: at least one topic, each with its duration.
        agenda: Vec<Topic> = list_min(1) "会议议程",
        /// 会前材料 (e.g. 沟通协作需求提报表).
        materials: Vec<String> = list "会议材料",
        /// 请参会者提前准备的内容.
        preparation: Option<String> = opt "会前准备",
        /// 会议规则; the guide's when left out.
        rules: Vec<String> = list "会议规则",
        /// 联系人 for questions about the meeting.
        contact: Option<Person> = opt "联系人",
    }
    check(n, _path, cx) {
        if n.sent_on > n.meeting.date {
            cx.error("/sent_on", format!("{} is after the meeting on {}", n.sent_on.zh(), n.meeting.date.zh()));
        }
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
