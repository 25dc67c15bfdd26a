//! `collaboration-memo` — 跨部门协作备忘录 (seed 001 第一阶段 步骤3 签署协作备忘录).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{signature_views, Prepared};
use crate::input::{Cx, Rules};
use crate::values::{Date, Organization, Person, ProjectName, Signatory, Signature};

/// One department's share of the work.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CollaborationMemoDuty", transform = crate::values::object_schema::<Self>)]
pub struct Duty {
    /// 部门.
    #[schemars(title = "部门")]
    pub department: String,
    /// 职责与关键事项: specific, not 笼统 (e.g. 6月1日前完成TOP10 SKU库存盘点).
    #[schemars(title = "职责", length(min = 1))]
    pub responsibilities: Vec<String>,
    /// 交付物.
    #[serde(default)]
    #[schemars(title = "交付物", transform = crate::values::nullable)]
    pub deliverables: Vec<String>,
    /// 完成时限.
    #[schemars(title = "完成时间")]
    pub due: Option<Date>,
    /// 对接人.
    #[schemars(title = "联系方式")]
    pub contact: Option<Person>,
}

/// A breach and how it is handled.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CollaborationMemoBreach", transform = crate::values::object_schema::<Self>)]
pub struct Breach {
    /// 违约情形, e.g. 未按时提交关键物料.
    #[schemars(title = "情形")]
    pub condition: String,
    /// 处理方式, e.g. 承担由此导致的销售额损失10%的责任.
    #[schemars(title = "后果")]
    pub consequence: String,
}

/// The payload of `collaboration-memo`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct CollaborationMemo {
    /// 编号, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 备忘录标题.
    #[schemars(title = "备忘录标题")]
    pub title: String,
    /// 项目.
    #[schemars(title = "所属项目")]
    pub project: ProjectName,
    /// 发起部门.
    #[schemars(title = "发起方")]
    pub initiator: String,
    /// 签订日期.
    #[schemars(title = "日期")]
    pub dated_on: Date,
    /// 协作目标 (SMART): at least one.
    #[schemars(title = "协作目标", length(min = 1))]
    pub goals: Vec<String>,
    /// 分工: each department's responsibilities; at least two departments.
    #[schemars(title = "职责分工", length(min = 2))]
    pub duties: Vec<Duty>,
    /// 违约处理: at least one rule.
    #[schemars(title = "违约责任", length(min = 1))]
    pub breaches: Vec<Breach>,
    /// 首次进度同步会.
    #[schemars(title = "首次同步会")]
    pub first_sync: Option<Date>,
    /// 其他约定.
    #[serde(default)]
    #[schemars(title = "其他约定", transform = crate::values::nullable)]
    pub other_terms: Vec<String>,
    /// 部门负责人签字: at least two departments, each once.
    #[schemars(title = "签字", length(min = 2))]
    pub signatures: Vec<Signatory>,
}

impl Rules for CollaborationMemo {
    fn rules(&self, _path: &str, cx: &mut Cx) {
        for (i, s) in self.signatures.iter().enumerate() {
            if self.signatures[..i]
                .iter()
                .any(|t| t.department == s.department)
            {
                cx.error(
                    format!("/signatures/{i}/department"),
                    format!(
                        "{} already signed; each department signs once",
                        s.department
                    ),
                );
            }
        }
        for (i, d) in self.duties.iter().enumerate() {
            if self.duties[..i]
                .iter()
                .any(|e| e.department == d.department)
            {
                cx.error(
                    format!("/duties/{i}/department"),
                    format!(
                        "{} is listed twice; put all its duties in one entry",
                        d.department
                    ),
                );
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
