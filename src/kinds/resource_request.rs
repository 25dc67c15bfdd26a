//! `resource-request` — 资源需求表 (seed 001 第二阶段 步骤2 确认资源支持).

use serde_json::json;

use super::{signature_views, Prepared};
use crate::document::format_amount;
use crate::input::Cx;
use crate::values::ResourceType;
use crate::values::{format_number, Date, Organization, Person, ProjectName, Signature};
use crate::{json_enum, json_object};

json_enum! {
    /// Where a request stands with the approver.
    pub enum Approval { Awaiting = "awaiting" / "待审批", Approved = "approved" / "已批准", Rejected = "rejected" / "已驳回" }
}

json_object! {
    /// One resource a department needs.
    pub struct Item {
        /// 需求部门.
        department: String = req "部门",
        /// 资源类型: people (人力), budget (预算), equipment (设备/工具), other.
        resource_type as "type": ResourceType = req "资源类型",
        /// 资源说明, e.g. 抽调2名库存专员.
        description: String = req "资源说明",
        /// 数量.
        quantity: Option<f64> = opt "数量",
        /// 单位 (人, 台, 天 …).
        unit: Option<String> = opt "单位",
        /// 金额 in yuan (元); budget items should give it.
        amount: Option<f64> = opt "金额",
        /// 需求日期: when the resource must be available.
        needed_by: Option<Date> = opt "需要日期",
        /// 需求理由.
        reason: String = req "申请理由",
        /// 审批状态; 待审批 when left out.
        status: Option<Approval> = opt "状态",
    }
    check(i, path, cx) {
        if i.amount.is_some_and(|a| a < 0.0) {
            cx.error(format!("{path}/amount"), "must not be negative");
        }
        if i.quantity.is_some_and(|q| q < 0.0) {
            cx.error(format!("{path}/quantity"), "must not be negative");
        }
    }
}

json_object! {
    /// The payload of `resource-request`.
    pub struct ResourceRequest {
        /// 编号, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 项目.
        project: ProjectName = req "所属项目",
        /// 汇总部门: the initiating department that compiles the requests for approval.
        requesting_department: String = req "申请部门",
        /// 填表人.
        prepared_by: Person = req "编制人",
        /// 填表日期.
        prepared_on: Date = req "编制日期",
        /// 资源需求: at least one.
        items: Vec<Item> = list_min(1) "资源明细",
        /// 预算上限 in yuan; a total above it is a warning.
        budget_limit: Option<f64> = opt "预算上限",
        /// 备注.
        notes: Option<String> = opt "备注",
        /// 审批签字 (上级审批).
        approvals: Vec<Signature> = list "审批",
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
