//! `collaboration-memo` — 跨部门协作备忘录 (seed 001 第一阶段 步骤3 签署协作备忘录).

use serde_json::json;

use super::{signature_views, Prepared};
use crate::input::Cx;
use crate::json_object;
use crate::values::{Date, Organization, Person, ProjectName, Signatory, Signature};

json_object! {
    /// One department's share of the work.
    pub struct Duty {
        /// 部门.
        department: String = req "部门",
        /// 职责与关键事项: specific, not 笼统 (e.g. 6月1日前完成TOP10 SKU库存盘点).
        responsibilities: Vec<String> = list_min(1) "职责",
        /// 交付物.
        deliverables: Vec<String> = list "交付物",
        /// 完成时限.
        due: Option<Date> = opt "完成时间",
        /// 对接人.
        contact: Option<Person> = opt "联系方式",
    }
}

json_object! {
    /// A breach and how it is handled.
    pub struct Breach {
        /// 违约情形, e.g. 未按时提交关键物料.
        condition: String = req "情形",
        /// 处理方式, e.g. 承担由此导致的销售额损失10%的责任.
        consequence: String = req "后果",
    }
}

json_object! {
    /// The payload of `collaboration-memo`.
    pub struct CollaborationMemo {
        /// 编号, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 备忘录标题.
        title: String = req "备忘录标题",
        /// 项目.
        project: ProjectName = req "所属项目",
        /// 发起部门.
        initiator: String = req "发起方",
        /// 签订日期.
        dated_on: Date = req "日期",
        /// 协作目标 (SMART): at least one.
        goals: Vec<String> = list_min(1) "协作目标",
        /// 分工: each department's responsibilities; at least two departments.
        duties: Vec<Duty> = list_min(2) "职责分工",
        /// 违约处理: at least one rule.
        breaches: Vec<Breach> = list_min(1) "违约责任",
        /// 首次进度同步会.
        first_sync: Option<Date> = opt "首次同步会",
        /// 其他约定.
        other_terms: Vec<String> = list "其他约定",
        /// 部门负责人签字: at least two departments, each once.
        signatures: Vec<Signatory> = list_min(2) "签字",
    }
    check(m, _path, cx) {
        for (i, s) in m.signatures.iter().enumerate() {
            if m.signatures[..i].iter().any(|t| t.department == s.department) {
                cx.error(format!("/signatures/{i}/department"), format!("{} already signed; each department signs once", s.department));
            }
        }
        for (i, d) in m.duties.iter().enumerate() {
            if m.duties[..i].iter().any(|e| e.department == d.department) {
                cx.error(format!("/duties/{i}/department"), format!("{} is listed twice; put all its duties in one entry", d.department));
            }
        }
    }
}

impl CollaborationMemo {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        for (i, d) in self.duties.iter().enumerate() {
            if !self.signatures.iter().any(|s| s.department == d.department) {
                cx.warn(
                    format!("/duties/{i}/department"),
                    format!(
                        "{} has duties but no signature: its head should sign",
                        d.department
                    ),
                );
            }
            if d.due.is_some_and(|due| due < self.dated_on) {
                cx.warn(format!("/duties/{i}/due"), "is before the memo is dated");
            }
        }
        let signatures: Vec<Signature> = self.signatures.iter().map(Signature::from).collect();
        let signed = self.signatures.iter().all(|s| s.signed_on.is_some());
        let departments: Vec<&str> = self.duties.iter().map(|d| d.department.as_str()).collect();
        let derived = json!({
            "signatures": signature_views(&signatures),
            "signed": signed,
            "departments": departments.join("、"),
        });
        let stem = format!(
            "协作备忘录-{}-{}",
            crate::values::safe_file_stem(&self.project.name),
            self.dated_on.iso()
        );
        Prepared::new(&self, derived, stem)
    }
}

impl super::Hooks for CollaborationMemo {
    const OFFICIAL: Option<&'static str> = Some(include_str!(
        "../../templates/official/collaboration-memo.hbs"
    ));
}
