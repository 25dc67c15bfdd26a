//! `request-form` — 跨部门协作需求登记表 (seed 001 模板1; seed 000 《沟通协作需求提报表》).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{signature_views, Prepared};
use crate::input::{Cx, Rules};
use crate::values::TopicKind;
use crate::values::{format_number, Date, Organization, Person, ResourceType, Signature};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RequestFormProject", transform = crate::values::object_schema::<Self>)]
pub struct Project {
    #[schemars(title = "项目名称")]
    pub name: String,
    #[schemars(title = "项目编号")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RequestFormDepartmentNeed", transform = crate::values::object_schema::<Self>)]
pub struct DepartmentNeed {
    #[schemars(title = "部门")]
    pub name: String,
    #[schemars(title = "需求")]
    pub needs: String,
    #[schemars(title = "联系方式")]
    pub contact: Option<Person>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RequestFormMilestone", transform = crate::values::object_schema::<Self>)]
pub struct Milestone {
    #[schemars(title = "里程碑")]
    pub name: String,
    #[schemars(title = "截止日期")]
    pub due: Date,
    #[schemars(title = "负责人")]
    pub owner: Option<Person>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RequestFormTopic", transform = crate::values::object_schema::<Self>)]
pub struct Topic {
    #[schemars(title = "议题")]
    pub title: String,
    #[schemars(title = "议题类型")]
    pub kind: Option<TopicKind>,
    #[schemars(title = "时长（分钟）")]
    pub minutes: Option<u32>,
    #[schemars(title = "负责人")]
    pub owner: Option<Person>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RequestFormResource", transform = crate::values::object_schema::<Self>)]
pub struct Resource {
    #[schemars(title = "部门")]
    pub department: String,
    #[serde(rename = "type")]
    #[schemars(title = "资源类型")]
    pub resource_type: ResourceType,
    #[schemars(title = "资源说明")]
    pub description: String,
    #[schemars(title = "数量")]
    pub quantity: Option<f64>,
    #[schemars(title = "单位")]
    pub unit: Option<String>,
}

/// The payload of `request-form`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct RequestForm {
    /// 编号: the form number, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 项目: the project the request belongs to.
    #[schemars(title = "所属项目")]
    pub project: Project,
    /// 需求提出部门.
    #[schemars(title = "申请部门")]
    pub requesting_department: String,
    /// 需求提出人.
    #[schemars(title = "申请人")]
    pub requester: Person,
    /// 提报日期.
    #[schemars(title = "提交日期")]
    pub submitted_on: Date,
    /// 需求背景: why cross-department help is needed.
    #[schemars(title = "背景")]
    pub background: String,
    /// 协作目标: SMART goals, at least one.
    #[schemars(title = "协作目标", length(min = 1))]
    pub objectives: Vec<String>,
    /// 预期成果.
    #[serde(default)]
    #[schemars(title = "预期成果", transform = crate::values::nullable)]
    pub expected_outcomes: Vec<String>,
    /// 需协作部门: each department and what is asked of it; at least one.
    #[schemars(title = "协作部门", length(min = 1))]
    pub departments: Vec<DepartmentNeed>,
    /// 关键节点: milestones with due dates.
    #[serde(default)]
    #[schemars(title = "里程碑", transform = crate::values::nullable)]
    pub milestones: Vec<Milestone>,
    /// 需讨论议题: topics for the kick-off meeting, each 需决策 or 需同步.
    #[serde(default)]
    #[schemars(title = "会议议题", transform = crate::values::nullable)]
    pub topics: Vec<Topic>,
    /// 各部门需提前准备的材料.
    #[schemars(title = "各部门输入")]
    pub department_inputs: Option<String>,
    /// 已有方案/争议点.
    #[serde(default)]
    #[schemars(title = "待确认事项", transform = crate::values::nullable)]
    pub open_points: Vec<String>,
    /// 资源需求: people, budget, equipment asked of each department.
    #[serde(default)]
    #[schemars(title = "资源需求", transform = crate::values::nullable)]
    pub resources: Vec<Resource>,
    /// 回复截止日期: not before the submission date.
    #[schemars(title = "回复截止日期")]
    pub reply_by: Option<Date>,
    /// 审批签字.
    #[serde(default)]
    #[schemars(title = "审批", transform = crate::values::nullable)]
    pub approvals: Vec<Signature>,
}

impl Rules for RequestForm {
    fn rules(&self, _path: &str, cx: &mut Cx) {
        if let Some(r) = self.reply_by {
            if r < self.submitted_on {
                cx.error(
                    "/reply_by",
                    format!(
                        "{} is before the submission date {}",
                        r.zh(),
                        self.submitted_on.zh()
                    ),
                );
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
