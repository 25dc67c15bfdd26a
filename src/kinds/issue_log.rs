//! `issue-log` — 跨部门协作问题跟踪表 (seed 001 模板3, 第三阶段 步骤2 问题上报与处理).

use serde_json::json;

use super::Prepared;
use crate::input::Cx;
use crate::values::Level;
use crate::values::{Date, Organization, Person, ProjectName};
use crate::{json_enum, json_object};

json_enum! {
    /// Where an issue stands.
    pub enum IssueStatus {
        Pending = "pending" / "待处理",
        Handling = "handling" / "处理中",
        Escalated = "escalated" / "已升级",
        Resolved = "resolved" / "已解决",
        Closed = "closed" / "已关闭",
    }
}

impl IssueStatus {
    fn is_open(self) -> bool {
        !matches!(self, IssueStatus::Resolved | IssueStatus::Closed)
    }
}

json_object! {
    /// One reported issue.
    pub struct Issue {
        /// 问题描述.
        description: String = req "问题描述",
        /// 提出部门.
        raised_by: Option<String> = opt "提出人",
        /// 提出日期.
        raised_on: Option<Date> = opt "提出日期",
        /// 涉及部门.
        departments: Vec<String> = list "涉及部门",
        /// 严重程度.
        severity: Level = req "严重程度",
        /// 影响范围.
        impact: Option<String> = opt "影响",
        /// 建议方案.
        proposal: Option<String> = opt "解决建议",
        /// 责任部门.
        responsible_department: String = req "责任部门",
        /// 责任人.
        owner: Option<Person> = opt "负责人",
        /// 解决时限.
        deadline: Option<Date> = opt "解决时限",
        /// 所需支持.
        support_needed: Option<String> = opt "所需支持",
        /// 处理状态.
        status: IssueStatus = req "状态",
        /// 处理结果 / 进展说明.
        resolution: Option<String> = opt "处理结果",
    }
    check(i, path, cx) {
        if let (Some(r), Some(d)) = (i.raised_on, i.deadline) {
            if d < r {
                cx.error(format!("{path}/deadline"), format!("{} is before the day the issue was raised, {}", d.zh(), r.zh()));
            }
        }
    }
}

json_object! {
    /// The payload of `issue-log`.
    pub struct IssueLog {
        /// 编号, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 项目.
        project: ProjectName = req "所属项目",
        /// 汇总日期: the day the log is compiled; open issues past their deadline then are overdue.
        updated_on: Date = req "更新日期",
        /// 汇总人 (usually the initiating department's contact).
        compiled_by: Option<Person> = opt "整理人",
        /// 问题清单: at least one.
        issues: Vec<Issue> = list_min(1) "问题",
        /// 备注.
        notes: Option<String> = opt "备注",
    }
}

impl IssueLog {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        let overdue =
            |i: &Issue| i.status.is_open() && i.deadline.is_some_and(|d| d < self.updated_on);
        for (n, i) in self.issues.iter().enumerate() {
            if i.severity == Level::High && i.status.is_open() && i.deadline.is_none() {
                cx.warn(
                    format!("/issues/{n}/deadline"),
                    "is missing for an open issue of high severity (高): the guide asks for a deadline for every issue",
                );
            }
            if overdue(i) {
                cx.warn(
                    format!("/issues/{n}/deadline"),
                    format!(
                        "{} has passed and the issue is still {}",
                        i.deadline.map(Date::zh).unwrap_or_default(),
                        i.status.label()
                    ),
                );
            }
        }
        let count = |f: &dyn Fn(&Issue) -> bool| self.issues.iter().filter(|i| f(i)).count();
        let status_counts: Vec<_> = IssueStatus::ALL
            .iter()
            .map(|s| json!({"label": s.label(), "count": count(&|i| i.status == *s)}))
            .collect();
        let severity_counts: Vec<_> = Level::ALL
            .iter()
            .map(|l| json!({"label": l.label(), "count": count(&|i| i.severity == *l)}))
            .collect();
        let extras: Vec<_> = self
            .issues
            .iter()
            .map(|i| json!({"overdue": overdue(i)}))
            .collect();
        let derived = json!({
            "total": self.issues.len(),
            "open": count(&|i| i.status.is_open()),
            "overdue": count(&|i| overdue(i)),
            "status_counts": status_counts,
            "severity_counts": severity_counts,
            "status_labels": IssueStatus::labels(),
            "level_labels": Level::labels(),
        });
        let stem = format!(
            "问题跟踪表-{}-{}",
            crate::values::safe_file_stem(&self.project.name),
            self.updated_on.iso()
        );
        Prepared::new(&self, derived, stem).extend_rows("issues", extras)
    }
}

impl super::Hooks for IssueLog {}
