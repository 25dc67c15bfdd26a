//! `meeting-minutes` — 跨部门会议纪要 (seed 000 《跨部门会议记录模板》).

use serde_json::json;

use super::{signature_views, Prepared};
use crate::input::Cx;
use crate::json_object;
use crate::values::{
    ActionStatus, Date, MeetingProject, Organization, Person, Signature, Time, TopicKind,
};

json_object! {
    pub struct Meeting {
        date: Date = req,
        start: Option<Time> = opt,
        end: Option<Time> = opt,
        location: Option<String> = opt,
        host: Person = req,
        recorder: Person = req,
    }
    check(m, path, cx) {
        if let (Some(s), Some(e)) = (m.start, m.end) {
            if e < s {
                cx.error(format!("{path}/end"), "must not be before the start time");
            }
        }
    }
}

json_object! {
    pub struct AgendaItem {
        title: String = req,
        owner: Option<Person> = opt,
        minutes: Option<u32> = opt,
        kind: Option<TopicKind> = opt,
    }
}

json_object! {
    pub struct Viewpoint { party: String = req, view: String = req }
}

json_object! {
    pub struct Discussion {
        topic: String = req,
        summary: String = req,
        viewpoints: Vec<Viewpoint> = list,
    }
}

json_object! {
    pub struct ActionItem {
        task: String = req,
        owner: Person = req,
        department: Option<String> = opt,
        due: Date = req,
        deliverable: Option<String> = opt,
        status: Option<ActionStatus> = opt,
    }
}

json_object! {
    pub struct OpenIssue {
        issue: String = req,
        next_step: String = req,
        owner: Option<Person> = opt,
        due: Option<Date> = opt,
    }
}

json_object! {
    pub struct NextMeeting {
        date: Option<Date> = opt,
        time: Option<Time> = opt,
        location: Option<String> = opt,
        note: Option<String> = opt,
    }
}

json_object! {
    /// The payload of `meeting-minutes`.
    pub struct MeetingMinutes {
        /// 编号: the minutes number, printed top right.
        document_no: Option<String> = opt,
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt,
        /// 会议名称.
        title: String = req,
        /// 所属项目.
        project: Option<MeetingProject> = opt,
        /// 会议信息: date, time, place, host (主持人) and recorder (记录人).
        meeting: Meeting = req,
        /// 参会人员: at least one; action-item owners are expected among them (a warning otherwise).
        attendees: Vec<Person> = list_min(1),
        /// 缺席人员.
        absentees: Vec<Person> = list,
        /// 抄送: departments or people who receive the minutes.
        cc: Vec<String> = list,
        /// 会议目标.
        objective: Option<String> = opt,
        /// 会议议程: topics with owner, minutes and 需决策/需同步.
        agenda: Vec<AgendaItem> = list,
        /// 讨论内容: per topic, a summary and each party's view.
        discussions: Vec<Discussion> = list,
        /// 共识结论.
        decisions: Vec<String> = list,
        /// 行动项: task, owner, due date, deliverable, status; a due date before the meeting is a warning.
        action_items: Vec<ActionItem> = list,
        /// 未决事项 and their next step.
        open_issues: Vec<OpenIssue> = list,
        /// 下次会议.
        next_meeting: Option<NextMeeting> = opt,
        /// 纪要分发日期.
        distributed_on: Option<Date> = opt,
        /// 签字确认.
        sign_off: Vec<Signature> = list,
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
