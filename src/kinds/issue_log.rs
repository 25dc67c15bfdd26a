//! `issue-log` — 跨部门协作问题跟踪表 (seed 001 模板3, 第三阶段 步骤2 问题上报与处理).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Prepared;
use crate::input::{child, item_rules, Cx, Rules};
use crate::json_enum;
use crate::values::Level;
use crate::values::{Date, Organization, Person, ProjectName};

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

/// One reported issue.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "IssueLogIssue", transform = crate::values::object_schema::<Self>)]
pub struct Issue {
    /// 问题描述.
    #[schemars(title = "问题描述")]
    pub description: String,
    /// 提出部门.
    #[schemars(title = "提出人")]
    pub raised_by: Option<String>,
    /// 提出日期.
    #[schemars(title = "提出日期")]
    pub raised_on: Option<Date>,
    /// 涉及部门.
    #[serde(default)]
    #[schemars(title = "涉及部门", transform = crate::values::nullable)]
    pub departments: Vec<String>,
    /// 严重程度.
    #[schemars(title = "严重程度")]
    pub severity: Level,
    /// 影响范围.
    #[schemars(title = "影响")]
    pub impact: Option<String>,
    /// 建议方案.
    #[schemars(title = "解决建议")]
    pub proposal: Option<String>,
    /// 责任部门.
    #[schemars(title = "责任部门")]
    pub responsible_department: String,
    /// 责任人.
    #[schemars(title = "负责人")]
    pub owner: Option<Person>,
    /// 解决时限.
    #[schemars(title = "解决时限")]
    pub deadline: Option<Date>,
    /// 所需支持.
    #[schemars(title = "所需支持")]
    pub support_needed: Option<String>,
    /// 处理状态.
    #[schemars(title = "状态")]
    pub status: IssueStatus,
    /// 处理结果 / 进展说明.
    #[schemars(title = "处理结果")]
    pub resolution: Option<String>,
}

impl Rules for Issue {
    fn rules(&self, path: &str, cx: &mut Cx) {
        if let (Some(r), Some(d)) = (self.raised_on, self.deadline) {
            if d < r {
                cx.error(
                    format!("{path}/deadline"),
                    format!(
                        "{} is before the day the issue was raised, {}",
                        d.zh(),
                        r.zh()
                    ),
                );
            }
        }
    }
}

/// The payload of `issue-log`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct IssueLog {
    /// 编号, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 项目.
    #[schemars(title = "所属项目")]
    pub project: ProjectName,
    /// 汇总日期: the day the log is compiled; open issues past their deadline then are overdue.
    #[schemars(title = "更新日期")]
    pub updated_on: Date,
    /// 汇总人 (usually the initiating department's contact).
    #[schemars(title = "整理人")]
    pub compiled_by: Option<Person>,
    /// 问题清单: at least one.
    #[schemars(title = "问题", length(min = 1))]
    pub issues: Vec<Issue>,
    /// 备注.
    #[schemars(title = "备注")]
    pub notes: Option<String>,
}

impl Rules for IssueLog {
    fn part_rules(v: &serde_json::Value, path: &str, cx: &mut Cx) {
        item_rules::<Issue>(v, "issues", path, cx);
    }

    fn rules(&self, path: &str, cx: &mut Cx) {
        self.issues.rules(&child(path, "issues"), cx);
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
