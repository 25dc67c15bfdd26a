//! `retrospective` — 复盘报告 (seed 000 二(三) 阶段复盘; seed 001 第四阶段; seed 002 步骤6).

use serde_json::json;

use super::Prepared;
use crate::input::Cx;
use crate::values::ActionStatus;
use crate::values::{Date, Organization, Period, Person, ProjectName};
use crate::{json_enum, json_object};

json_enum! {
    /// How far a goal was reached.
    pub enum Achievement { Achieved = "achieved" / "已达成", Partial = "partial" / "部分达成", Missed = "missed" / "未达成" }
}

json_object! {
    /// A goal set at the start, against what came of it.
    pub struct Goal {
        /// 目标.
        goal: String = req "目标",
        /// 目标值, e.g. 销售额提升30%.
        target: Option<String> = opt "目标值",
        /// 实际结果, e.g. 销售额提升34%.
        result: String = req "实际结果",
        /// 达成情况.
        status: Achievement = req "达成情况",
        /// 差异分析.
        analysis: Option<String> = opt "原因分析",
    }
}

json_object! {
    /// A follow-up action.
    pub struct Action {
        /// 改进措施.
        task: String = req "行动",
        /// 负责人.
        owner: Person = req "负责人",
        /// 完成时间.
        due: Date = req "截止日期",
        /// 状态.
        status: Option<ActionStatus> = opt "状态",
    }
}

json_object! {
    /// The payload of `retrospective`.
    pub struct Retrospective {
        /// 编号, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 报告标题.
        title: String = req "复盘主题",
        /// 项目.
        project: ProjectName = req "所属项目",
        /// 复盘周期: the stretch of work looked back on.
        period: Option<Period> = opt "复盘周期",
        /// 复盘会日期.
        held_on: Date = req "召开日期",
        /// 组织人 (usually the initiating department).
        host: Option<Person> = opt "主持人",
        /// 参与人员.
        participants: Vec<Person> = list "参与人员",
        /// 目标与结果对照: at least one.
        goals: Vec<Goal> = list_min(1) "目标回顾",
        /// 协作亮点.
        highlights: Vec<String> = list "亮点",
        /// 待改进点.
        improvements: Vec<String> = list "待改进",
        /// 经验教训 to carry into later projects.
        lessons: Vec<String> = list "经验教训",
        /// 后续行动.
        actions: Vec<Action> = list "改进行动",
        /// 总结.
        conclusion: Option<String> = opt "结论",
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
