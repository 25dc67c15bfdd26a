//! `stakeholder-register` — 干系人清单 (seed 003 二(二) 识别关键干系部门与人员).

use serde_json::json;

use super::Prepared;
use crate::input::Cx;
use crate::values::{Date, Organization, Person, ProjectName};
use crate::{json_enum, json_object};

json_enum! {
    /// A stakeholder's part in the collaboration.
    pub enum Role {
        DecisionMaker = "decision_maker" / "决策层",
        Executor = "executor" / "执行层",
        Supporter = "supporter" / "支持层",
        Informed = "informed" / "知情层",
    }
}

json_object! {
    /// One stakeholder.
    pub struct Stakeholder {
        /// 姓名.
        name: String = req "姓名",
        /// 部门.
        department: String = req "部门",
        /// 职位.
        position: Option<String> = opt "职位",
        /// 联系方式.
        contact: Option<String> = opt "联系方式",
        /// 角色: 决策层, 执行层, 支持层 or 知情层.
        role: Role = req "角色",
        /// 职责与权限.
        responsibilities: Option<String> = opt "职责",
        /// Whether this person is the department's 对接人 (interface person).
        interface: Option<bool> = opt "对接内容",
    }
}

json_object! {
    /// The payload of `stakeholder-register`.
    pub struct StakeholderRegister {
        /// 编号, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 项目.
        project: ProjectName = req "所属项目",
        /// 编制人.
        prepared_by: Option<Person> = opt "编制人",
        /// 编制日期.
        prepared_on: Option<Date> = opt "编制日期",
        /// 干系人: at least one.
        stakeholders: Vec<Stakeholder> = list_min(1) "干系人",
    }
    check(r, _path, cx) {
        for (i, s) in r.stakeholders.iter().enumerate() {
            if r.stakeholders[..i].iter().any(|t| t.name == s.name && t.department == s.department) {
                cx.error(format!("/stakeholders/{i}"), format!("lists {}（{}）a second time", s.name, s.department));
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
