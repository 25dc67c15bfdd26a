//! `retrospective` — 复盘报告 (seed 000 二(三) 阶段复盘; seed 001 第四阶段; seed 002 步骤6).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Prepared;
use crate::input::{child, member_rules, Cx, Rules};
use crate::json_enum;
use crate::values::ActionStatus;
use crate::values::{Date, Organization, Period, Person, ProjectName};

json_enum! {
    /// How far a goal was reached.
    pub enum Achievement { Achieved = "achieved" / "已达成", Partial = "partial" / "部分达成", Missed = "missed" / "未达成" }
}

/// A goal set at the start, against what came of it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RetrospectiveGoal", transform = crate::values::object_schema::<Self>)]
pub struct Goal {
    /// 目标.
    #[schemars(title = "目标")]
    pub goal: String,
    /// 目标值, e.g. 销售额提升30%.
    #[schemars(title = "目标值")]
    pub target: Option<String>,
    /// 实际结果, e.g. 销售额提升34%.
    #[schemars(title = "实际结果")]
    pub result: String,
    /// 达成情况.
    #[schemars(title = "达成情况")]
    pub status: Achievement,
    /// 差异分析.
    #[schemars(title = "原因分析")]
    pub analysis: Option<String>,
}

/// A follow-up action.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RetrospectiveAction", transform = crate::values::object_schema::<Self>)]
pub struct Action {
    /// 改进措施.
    #[schemars(title = "行动")]
    pub task: String,
    /// 负责人.
    #[schemars(title = "负责人")]
    pub owner: Person,
    /// 完成时间.
    #[schemars(title = "截止日期")]
    pub due: Date,
    /// 状态.
    #[schemars(title = "状态")]
    pub status: Option<ActionStatus>,
}

/// The payload of `retrospective`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct Retrospective {
    /// 编号, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 报告标题.
    #[schemars(title = "复盘主题")]
    pub title: String,
    /// 项目.
    #[schemars(title = "所属项目")]
    pub project: ProjectName,
    /// 复盘周期: the stretch of work looked back on.
    #[schemars(title = "复盘周期")]
    pub period: Option<Period>,
    /// 复盘会日期.
    #[schemars(title = "召开日期")]
    pub held_on: Date,
    /// 组织人 (usually the initiating department).
    #[schemars(title = "主持人")]
    pub host: Option<Person>,
    /// 参与人员.
    #[serde(default)]
    #[schemars(title = "参与人员", transform = crate::values::nullable)]
    pub participants: Vec<Person>,
    /// 目标与结果对照: at least one.
    #[schemars(title = "目标回顾", length(min = 1))]
    pub goals: Vec<Goal>,
    /// 协作亮点.
    #[serde(default)]
    #[schemars(title = "亮点", transform = crate::values::nullable)]
    pub highlights: Vec<String>,
    /// 待改进点.
    #[serde(default)]
    #[schemars(title = "待改进", transform = crate::values::nullable)]
    pub improvements: Vec<String>,
    /// 经验教训 to carry into later projects.
    #[serde(default)]
    #[schemars(title = "经验教训", transform = crate::values::nullable)]
    pub lessons: Vec<String>,
    /// 后续行动.
    #[serde(default)]
    #[schemars(title = "改进行动", transform = crate::values::nullable)]
    pub actions: Vec<Action>,
    /// 总结.
    #[schemars(title = "结论")]
    pub conclusion: Option<String>,
}

impl Rules for Retrospective {
    fn part_rules(v: &serde_json::Value, path: &str, cx: &mut Cx) {
        member_rules::<Period>(v, "period", path, cx);
    }

    fn rules(&self, path: &str, cx: &mut Cx) {
        self.period.rules(&child(path, "period"), cx);
    }
}

impl Retrospective {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        if self.goals.iter().any(|g| g.status != Achievement::Achieved)
            && self.improvements.is_empty()
        {
            cx.warn(
                "/improvements",
                "is empty although some goals were not fully reached",
            );
        }
        for (i, a) in self.actions.iter().enumerate() {
            if a.due < self.held_on {
                cx.warn(
                    format!("/actions/{i}/due"),
                    format!("{} is before the retrospective was held", a.due.zh()),
                );
            }
        }
        if !self.improvements.is_empty() && self.actions.is_empty() {
            cx.warn(
                "/actions",
                "is empty: the guide asks for follow-up actions with owners for the improvements",
            );
        }
        let n = self.goals.len();
        let count = |s: Achievement| self.goals.iter().filter(|g| g.status == s).count();
        let achieved = count(Achievement::Achieved);
        let counts: Vec<_> = Achievement::ALL
            .iter()
            .map(|s| json!({"label": s.label(), "count": count(*s)}))
            .collect();
        let rate = if n == 0 {
            0.0
        } else {
            achieved as f64 / n as f64
        };
        let derived = json!({
            "achievement_counts": counts,
            "achieved": achieved,
            "total": n,
            "rate": rate,
            "rate_text": format!("{}%", crate::values::format_number((rate * 1000.0).round() / 10.0)),
            "achievement_labels": Achievement::labels(),
            "action_labels": ActionStatus::labels(),
        });
        let stem = format!(
            "复盘报告-{}-{}",
            crate::values::safe_file_stem(&self.project.name),
            self.held_on.iso()
        );
        Prepared::new(&self, derived, stem)
    }
}

impl super::Hooks for Retrospective {}
