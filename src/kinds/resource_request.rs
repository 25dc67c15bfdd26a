//! `resource-request` — 资源需求表 (seed 001 第二阶段 步骤2 确认资源支持).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{signature_views, Prepared};
use crate::input::{child, item_rules, Cx, Rules};
use crate::json_enum;
use crate::values::format_amount;
use crate::values::ResourceType;
use crate::values::{format_number, Date, Organization, Person, ProjectName, Signature};

json_enum! {
    /// Where a request stands with the approver.
    pub enum Approval { Awaiting = "awaiting" / "待审批", Approved = "approved" / "已批准", Rejected = "rejected" / "已驳回" }
}

/// One resource a department needs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ResourceRequestItem", transform = crate::values::object_schema::<Self>)]
pub struct Item {
    /// 需求部门.
    #[schemars(title = "部门")]
    pub department: String,
    /// 资源类型: people (人力), budget (预算), equipment (设备/工具), other.
    #[serde(rename = "type")]
    #[schemars(title = "资源类型")]
    pub resource_type: ResourceType,
    /// 资源说明, e.g. 抽调2名库存专员.
    #[schemars(title = "资源说明")]
    pub description: String,
    /// 数量.
    #[schemars(title = "数量")]
    pub quantity: Option<f64>,
    /// 单位 (人, 台, 天 …).
    #[schemars(title = "单位")]
    pub unit: Option<String>,
    /// 金额 in yuan (元); budget items should give it.
    #[schemars(title = "金额")]
    pub amount: Option<f64>,
    /// 需求日期: when the resource must be available.
    #[schemars(title = "需要日期")]
    pub needed_by: Option<Date>,
    /// 需求理由.
    #[schemars(title = "申请理由")]
    pub reason: String,
    /// 审批状态; 待审批 when left out.
    #[schemars(title = "状态")]
    pub status: Option<Approval>,
}

impl Rules for Item {
    fn rules(&self, path: &str, cx: &mut Cx) {
        if self.amount.is_some_and(|a| a < 0.0) {
            cx.error(format!("{path}/amount"), "must not be negative");
        }
        if self.quantity.is_some_and(|q| q < 0.0) {
            cx.error(format!("{path}/quantity"), "must not be negative");
        }
    }
}

/// The payload of `resource-request`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct ResourceRequest {
    /// 编号, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 项目.
    #[schemars(title = "所属项目")]
    pub project: ProjectName,
    /// 汇总部门: the initiating department that compiles the requests for approval.
    #[schemars(title = "申请部门")]
    pub requesting_department: String,
    /// 填表人.
    #[schemars(title = "编制人")]
    pub prepared_by: Person,
    /// 填表日期.
    #[schemars(title = "编制日期")]
    pub prepared_on: Date,
    /// 资源需求: at least one.
    #[schemars(title = "资源明细", length(min = 1))]
    pub items: Vec<Item>,
    /// 预算上限 in yuan; a total above it is a warning.
    #[schemars(title = "预算上限")]
    pub budget_limit: Option<f64>,
    /// 备注.
    #[schemars(title = "备注")]
    pub notes: Option<String>,
    /// 审批签字 (上级审批).
    #[serde(default)]
    #[schemars(title = "审批", transform = crate::values::nullable)]
    pub approvals: Vec<Signature>,
}

impl Rules for ResourceRequest {
    fn part_rules(v: &serde_json::Value, path: &str, cx: &mut Cx) {
        item_rules::<Item>(v, "items", path, cx);
    }

    fn rules(&self, path: &str, cx: &mut Cx) {
        self.items.rules(&child(path, "items"), cx);
    }
}

impl ResourceRequest {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        for (n, i) in self.items.iter().enumerate() {
            if i.resource_type == ResourceType::Budget && i.amount.is_none() {
                cx.warn(
                    format!("/items/{n}/amount"),
                    "is missing for a budget (预算) item",
                );
            }
            if i.needed_by.is_some_and(|d| d < self.prepared_on) {
                cx.warn(
                    format!("/items/{n}/needed_by"),
                    "is before the form was prepared",
                );
            }
        }
        let total: f64 = self.items.iter().filter_map(|i| i.amount).sum();
        if let Some(limit) = self.budget_limit {
            if total > limit {
                cx.warn(
                    "/budget_limit",
                    format!(
                        "is {} 元 but the items add up to {} 元",
                        format_amount(limit),
                        format_amount(total)
                    ),
                );
            }
        }
        let mut departments: Vec<&str> = Vec::new();
        for i in &self.items {
            if !departments.contains(&i.department.as_str()) {
                departments.push(&i.department);
            }
        }
        let by_department: Vec<_> = departments
            .iter()
            .map(|d| {
                let items: Vec<&Item> = self.items.iter().filter(|i| i.department == *d).collect();
                let amount: f64 = items.iter().filter_map(|i| i.amount).sum();
                json!({"department": d, "items": items.len(), "amount": amount, "amount_text": format_amount(amount)})
            })
            .collect();
        let extras: Vec<_> = self
            .items
            .iter()
            .map(|i| {
                json!({
                    "quantity_text": i.quantity.map(format_number),
                    "amount_text": i.amount.map(format_amount),
                    "status_label": i.status.unwrap_or(Approval::Awaiting).label(),
                })
            })
            .collect();
        let derived = json!({
            "total_amount": total,
            "total_text": format_amount(total),
            "limit_text": self.budget_limit.map(format_amount),
            "by_department": by_department,
            "type_labels": ResourceType::labels(),
            "approval_labels": Approval::labels(),
            "signatures": signature_views(&self.approvals),
        });
        let stem = format!(
            "资源需求表-{}-{}",
            crate::values::safe_file_stem(&self.project.name),
            self.prepared_on.iso()
        );
        Prepared::new(&self, derived, stem).extend_rows("items", extras)
    }
}

impl super::Hooks for ResourceRequest {}
