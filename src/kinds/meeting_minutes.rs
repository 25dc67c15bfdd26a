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
        date: Date = req "日期",
        start: Option<Time> = opt "开始时间",
        end: Option<Time> = opt "结束时间",
        location: Option<String> = opt "地点",
        host: Person = req "主持人",
        recorder: Person = req "记录人",
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
        title: String = req "议题",
        owner: Option<Person> = opt "负责人",
        minutes: Option<u32> = opt "时长（分钟）",
        kind: Option<TopicKind> = opt "议题类型",
    }
}

json_object! {
    pub struct Viewpoint { party: String = req "参与方", view: String = req "观点" }
}

json_object! {
    pub struct Discussion {
        topic: String = req "议题",
        summary: String = req "讨论摘要",
        viewpoints: Vec<Viewpoint> = list "各方观点",
    }
}

json_object! {
    pub struct ActionItem {
        task: String = req "任务",
        owner: Person = req "负责人",
        department: Option<String> = opt "部门",
        due: Date = req "截止日期",
        deliverable: Option<String> = opt "交付物",
        status: Option<ActionStatus> = opt "状态",
    }
}

json_object! {
    pub struct OpenIssue {
        issue: String = req "未决事项",
        next_step: String = req "下一步",
        owner: Option<Person> = opt "负责人",
        due: Option<Date> = opt "截止日期",
    }
}

json_object! {
    pub struct NextMeeting {
        date: Option<Date> = opt "日期",
        time: Option<Time> = opt "时间",
        location: Option<String> = opt "地点",
        note: Option<String> = opt "备注",
    }
}

json_object! {
    /// The payload of `meeting-minutes`.
    pub struct MeetingMinutes {
        /// 编号: the minutes number, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 会议名称.
        title: String = req "会议名称",
        /// 所属项目.
        project: Option<MeetingProject> = opt "所属项目",
        /// 会议信息: date, time, place, host (主持人) and recorder (记录人).
        meeting: Meeting = req "会议信息",
        /// 参会人员: at least one; action-item owners are expected among them (a warning otherwise).
        attendees: Vec<Person> = list_min(1) "参会人员",
        /// 缺席人员.
        absentees: Vec<Person> = list "缺席人员",
        /// 抄送: departments or people who receive the minutes.
        cc: Vec<String> = list "抄送",
        /// 会议目标.
        objective: Option<String> = opt "会议目标",
        /// 会议议程: topics with owner, minutes and 需决策/需同步.
        agenda: Vec<AgendaItem> = list "会议议程",
        /// 讨论内容: per topic, a summary and each party's view.
        discussions: Vec<Discussion> = list "讨论内容",
        /// 共识结论.
        decisions: Vec<String> = list "共识结论",
        /// 行动项: task, owner, due date, deliverable, status; a due date before the meeting is a warning.
        action_items: Vec<ActionItem> = list "行动项",
        /// 未决事项 and their next step.
        open_issues: Vec<OpenIssue> = list "未决事项",
        /// 下次会议.
        next_meeting: Option<NextMeeting> = opt "下次会议",
        /// 纪要分发日期.
        distributed_on: Option<Date> = opt "纪要分发日期",
        /// 签字确认.
        sign_off: Vec<Signature> = list "签字确认",
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
