//! `request-form` — 跨部门协作需求登记表 (seed 001 模板1; seed 000 《沟通协作需求提报表》).

use serde_json::json;

use super::{signature_views, Prepared};
use crate::input::Cx;
use crate::json_object;
use crate::values::TopicKind;
use crate::values::{format_number, Date, Organization, Person, ResourceType, Signature};

json_object! {
    pub struct Project { name: String = req "项目名称", code: Option<String> = opt "项目编号" }
}

json_object! {
    pub struct DepartmentNeed {
        name: String = req "部门",
        needs: String = req "需求",
        contact: Option<Person> = opt "联系方式",
    }
}

json_object! {
    pub struct Milestone { name: String = req "里程碑", due: Date = req "截止日期", owner: Option<Person> = opt "负责人" }
}

json_object! {
    pub struct Topic {
        title: String = req "议题",
        kind: Option<TopicKind> = opt "议题类型",
        minutes: Option<u32> = opt "时长（分钟）",
        owner: Option<Person> = opt "负责人",
    }
}

json_object! {
    pub struct Resource {
        department: String = req "部门",
        resource_type as "type": ResourceType = req "资源类型",
        description: String = req "资源说明",
        quantity: Option<f64> = opt "数量",
        unit: Option<String> = opt "单位",
    }
}

json_object! {
    /// The payload of `request-form`.
    pub struct RequestForm {
        /// 编号: the form number, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 项目: the project the request belongs to.
        project: Project = req "所属项目",
        /// 需求提出部门.
        requesting_department: String = req "申请部门",
        /// 需求提出人.
        requester: Person = req "申请人",
        /// 提报日期.
        submitted_on: Date = req "提交日期",
        /// 需求背景: why cross-department help is needed.
        background: String = req "背景",
        /// 协作目标: SMART goals, at least one.
        objectives: Vec<String> = list_min(1) "协作目标",
        /// 预期成果.
        expected_outcomes: Vec<String> = list "预期成果",
        /// 需协作部门: each department and what is asked of it; at least one.
        departments: Vec<DepartmentNeed> = list_min(1) "协作部门",
        /// 关键节点: milestones with due dates.
        milestones: Vec<Milestone> = list "里程碑",
        /// 需讨论议题: topics for the kick-off meeting, each 需决策 or 需同步.
        topics: Vec<Topic> = list "会议议题",
        /// 各部门需提前准备的材料.
        department_inputs: Option<String> = opt "各部门输入",
        /// 已有方案/争议点.
        open_points: Vec<String> = list "待确认事项",
        /// 资源需求: people, budget, equipment asked of each department.
        resources: Vec<Resource> = list "资源需求",
        /// 回复截止日期: not before the submission date.
        reply_by: Option<Date> = opt "回复截止日期",
        /// 审批签字.
        approvals: Vec<Signature> = list "审批",
    }
    check(f, _path, cx) {
        if let Some(r) = f.reply_by {
            if r < f.submitted_on {
                cx.error("/reply_by", format!("{} is before the submission date {}", r.zh(), f.submitted_on.zh()));
            }
        }
    }
}

impl RequestForm {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        for (i, m) in self.milestones.iter().enumerate() {
            if m.due < self.submitted_on {
                cx.warn(
                    format!("/milestones/{i}/due"),
                    format!("is {}, before the form was submitted", m.due.zh()),
                );
            }
        }
        let topic_minutes: u32 = self.topics.iter().filter_map(|t| t.minutes).sum();
        let resource_extras: Vec<_> = self
            .resources
            .iter()
            .map(|r| json!({"quantity_text": r.quantity.map(format_number).unwrap_or_default()}))
            .collect();
        let derived = json!({
            "topic_minutes": topic_minutes,
            "signatures": signature_views(&self.approvals),
        });
        let stem = format!("协作需求登记表-{}", self.submitted_on.iso());
        Prepared::new(&self, derived, stem).extend_rows("resources", resource_extras)
    }
}

impl super::Hooks for RequestForm {}
