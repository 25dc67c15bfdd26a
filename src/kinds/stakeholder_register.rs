//! `stakeholder-register` — 干系人清单 (seed 003 二(二) 识别关键干系部门与人员).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Prepared;
use crate::input::{Cx, Rules};
use crate::json_enum;
use crate::values::{Date, Organization, Person, ProjectName};

json_enum! {
    /// A stakeholder's part in the collaboration.
    pub enum Role {
        DecisionMaker = "decision_maker" / "决策层",
        Executor = "executor" / "执行层",
        Supporter = "supporter" / "支持层",
        Informed = "informed" / "知情层",
    }
}

/// One stakeholder.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "StakeholderRegisterStakeholder", transform = crate::values::object_schema::<Self>)]
pub struct Stakeholder {
    /// 姓名.
    #[schemars(title = "姓名")]
    pub name: String,
    /// 部门.
    #[schemars(title = "部门")]
    pub department: String,
    /// 职位.
    #[schemars(title = "职位")]
    pub position: Option<String>,
    /// 联系方式.
    #[schemars(title = "联系方式")]
    pub contact: Option<String>,
    /// 角色: 决策层, 执行层, 支持层 or 知情层.
    #[schemars(title = "角色")]
    pub role: Role,
    /// 职责与权限.
    #[schemars(title = "职责")]
    pub responsibilities: Option<String>,
    /// Whether this person is the department's 对接人 (interface person).
    #[schemars(title = "对接内容")]
    pub interface: Option<bool>,
}

/// The payload of `stakeholder-register`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct StakeholderRegister {
    /// 编号, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 项目.
    #[schemars(title = "所属项目")]
    pub project: ProjectName,
    /// 编制人.
    #[schemars(title = "编制人")]
    pub prepared_by: Option<Person>,
    /// 编制日期.
    #[schemars(title = "编制日期")]
    pub prepared_on: Option<Date>,
    /// 干系人: at least one.
    #[schemars(title = "干系人", length(min = 1))]
    pub stakeholders: Vec<Stakeholder>,
}

impl Rules for StakeholderRegister {
    fn rules(&self, _path: &str, cx: &mut Cx) {
        for (i, s) in self.stakeholders.iter().enumerate() {
            if self.stakeholders[..i]
                .iter()
                .any(|t| t.name == s.name && t.department == s.department)
            {
                cx.error(
                    format!("/stakeholders/{i}"),
                    format!("lists {}（{}）a second time", s.name, s.department),
                );
            }
        }
    }
}

impl StakeholderRegister {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        if !self
            .stakeholders
            .iter()
            .any(|s| s.role == Role::DecisionMaker)
        {
            cx.warn(
                "/stakeholders",
                "names no one at the decision level (决策层) to settle disputes",
            );
        }
        let mut departments: Vec<&str> = Vec::new();
        for s in &self.stakeholders {
            if !departments.contains(&s.department.as_str()) {
                departments.push(&s.department);
            }
        }
        for d in &departments {
            if !self
                .stakeholders
                .iter()
                .any(|s| s.department == *d && s.interface == Some(true))
            {
                cx.warn(
                    "/stakeholders",
                    format!("names no interface person (对接人) for {d}"),
                );
            }
        }
        let role_counts: Vec<_> = Role::ALL
            .iter()
            .map(|r| {
                let names: Vec<String> = self
                    .stakeholders
                    .iter()
                    .filter(|s| s.role == *r)
                    .map(|s| format!("{}（{}）", s.name, s.department))
                    .collect();
                json!({"label": r.label(), "count": names.len(), "names": names.join("、")})
            })
            .collect();
        let extras: Vec<_> = self
            .stakeholders
            .iter()
            .map(|s| json!({"interface_text": if s.interface == Some(true) { "是" } else { "" }}))
            .collect();
        let derived = json!({
            "departments": departments.join("、"),
            "department_count": departments.len(),
            "role_counts": role_counts,
            "role_labels": Role::labels(),
        });
        let stem = format!(
            "干系人清单-{}",
            crate::values::safe_file_stem(&self.project.name)
        );
        Prepared::new(&self, derived, stem).extend_rows("stakeholders", extras)
    }
}

impl super::Hooks for StakeholderRegister {}
