//! `agreement` — 跨部门沟通协议 (seed 002 协议内容模板框架), signed or draft.
//!
//! What the payload leaves out is filled from the guide's standard clauses.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{signature_views, Prepared};
use crate::input::{child, member_rules, Cx, Rules};
use crate::values::{Date, Organization, Signatory, Signature};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AgreementDepartment", transform = crate::values::object_schema::<Self>)]
pub struct Department {
    #[schemars(title = "部门")]
    pub name: String,
    #[schemars(title = "职责", length(min = 1))]
    pub responsibilities: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AgreementEffective", transform = crate::values::object_schema::<Self>)]
pub struct Effective {
    #[schemars(title = "生效日期")]
    pub from: Date,
    #[schemars(title = "终止日期")]
    pub until: Option<Date>,
    #[schemars(title = "期限说明")]
    pub until_text: Option<String>,
}

impl Rules for Effective {
    fn rules(&self, path: &str, cx: &mut Cx) {
        if let Some(u) = self.until {
            if u < self.from {
                cx.error(
                    format!("{path}/until"),
                    format!("{} is before the start {}", u.zh(), self.from.zh()),
                );
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AgreementContact", transform = crate::values::object_schema::<Self>)]
pub struct Contact {
    #[schemars(title = "部门")]
    pub department: String,
    #[schemars(title = "姓名")]
    pub name: String,
    #[schemars(title = "职务")]
    pub title: Option<String>,
    #[schemars(title = "联系方式")]
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AgreementCommunication", transform = crate::values::object_schema::<Self>)]
pub struct Communication {
    #[schemars(title = "例会安排")]
    pub meetings: Option<String>,
    #[serde(default)]
    #[schemars(title = "沟通渠道", transform = crate::values::nullable)]
    pub channels: Vec<String>,
    #[serde(default)]
    #[schemars(title = "联系人", transform = crate::values::nullable)]
    pub contacts: Vec<Contact>,
    #[schemars(title = "纪要发出时限（小时）")]
    pub minutes_within_hours: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AgreementEscalationLevel", transform = crate::values::object_schema::<Self>)]
pub struct EscalationLevel {
    #[schemars(title = "层级")]
    pub name: String,
    #[schemars(title = "处理方式")]
    pub handling: String,
    #[schemars(title = "响应时限（小时）")]
    pub response_hours: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AgreementEscalation", transform = crate::values::object_schema::<Self>)]
pub struct Escalation {
    #[serde(default)]
    #[schemars(title = "升级层级", transform = crate::values::nullable)]
    pub levels: Vec<EscalationLevel>,
    #[serde(default)]
    #[schemars(title = "升级路径", transform = crate::values::nullable)]
    pub path: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AgreementClause", transform = crate::values::object_schema::<Self>)]
pub struct Clause {
    #[schemars(title = "条款标题")]
    pub heading: String,
    #[schemars(title = "条款内容")]
    pub body: String,
}

/// The payload of `agreement`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct Agreement {
    /// 编号, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 协议名称.
    #[schemars(title = "协议名称")]
    pub title: String,
    /// 协议编号; also names the file.
    #[schemars(title = "协议编号")]
    pub agreement_no: Option<String>,
    /// 牵头部门 and its responsibilities.
    #[schemars(title = "牵头部门")]
    pub lead_department: Department,
    /// 协作部门 and their responsibilities; at least one.
    #[schemars(title = "协作部门", length(min = 1))]
    pub partner_departments: Vec<Department>,
    /// 有效期: from a date, until a date or until an event (until_text).
    #[schemars(title = "有效期")]
    pub effective: Effective,
    /// 协议目的.
    #[schemars(title = "协作目标")]
    pub objective: String,
    /// 协作范围; the guide's four (需求对接、进度同步、资源协调、问题解决) when left out.
    #[serde(default)]
    #[schemars(title = "协作范围", transform = crate::values::nullable)]
    pub scope: Vec<String>,
    /// 沟通机制: meetings, channels, contacts, minutes turnaround; the guide's defaults when left out.
    #[schemars(title = "沟通机制")]
    pub communication: Option<Communication>,
    /// 资源保障; the guide's standard clauses when left out.
    #[serde(default)]
    #[schemars(title = "资源投入", transform = crate::values::nullable)]
    pub resources: Vec<String>,
    /// 问题分级与升级路径; the guide's two levels when left out.
    #[schemars(title = "升级机制")]
    pub escalation: Option<Escalation>,
    /// 保密期限 in years; 3 when left out.
    #[schemars(title = "保密期限（年）")]
    pub confidentiality_years: Option<u32>,
    /// 补充条款: extra clauses, each with a heading.
    #[serde(default)]
    #[schemars(title = "条款", transform = crate::values::nullable)]
    pub clauses: Vec<Clause>,
    /// 附件: names of attached documents.
    #[serde(default)]
    #[schemars(title = "附件", transform = crate::values::nullable)]
    pub attachments: Vec<String>,
    /// 签署部门: at least two, each naming its department. The agreement is signed when every signatory (and the approver, if given) has signed_on; until then every page carries a 草案/DRAFT mark.
    #[schemars(title = "签署方", length(min = 2))]
    pub signatories: Vec<Signatory>,
    /// 审批人.
    #[schemars(title = "审批人")]
    pub approver: Option<Signature>,
}

impl Rules for Agreement {
    fn part_rules(v: &serde_json::Value, path: &str, cx: &mut Cx) {
        member_rules::<Effective>(v, "effective", path, cx);
    }

    fn rules(&self, path: &str, cx: &mut Cx) {
        self.effective.rules(&child(path, "effective"), cx);
    }
}

impl Agreement {
    /// Every signatory, and the approver if given, has a signing date.
    pub fn is_signed(&self) -> bool {
        self.signatories.iter().all(|s| s.signed_on.is_some())
            && self.approver.as_ref().is_none_or(|a| a.signed_on.is_some())
    }

    /// The latest signing date: the day the agreement was concluded.
    pub fn signed_on(&self) -> Option<Date> {
        self.signatories
            .iter()
            .filter_map(|s| s.signed_on)
            .chain(self.approver.as_ref().and_then(|a| a.signed_on))
            .max()
    }

    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        if let (Some(_), Some(u)) = (self.effective.until, &self.effective.until_text) {
            cx.warn(
                "/effective/until_text",
                format!("is ignored (\"{u}\") because effective.until gives a date"),
            );
        }
        let d = defaults();
        let comm = self.communication.clone();
        let meetings = comm
            .as_ref()
            .and_then(|c| c.meetings.clone())
            .unwrap_or_else(|| d.meetings.clone());
        let channels = comm
            .as_ref()
            .map(|c| c.channels.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| d.channels.clone());
        let hours = comm
            .as_ref()
            .and_then(|c| c.minutes_within_hours)
            .unwrap_or(d.minutes_within_hours);
        let esc = self.escalation.clone();
        let levels: Vec<serde_json::Value> = match esc.as_ref().map(|e| &e.levels).filter(|l| !l.is_empty()) {
            Some(levels) => levels
                .iter()
                .map(|l| json!({"name": l.name, "handling": l.handling, "response_hours": l.response_hours}))
                .collect(),
            None => d.escalation_levels.clone(),
        };
        let path = esc
            .map(|e| e.path)
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| d.escalation_path.clone());
        let years = self
            .confidentiality_years
            .unwrap_or(d.confidentiality_years);
        let until = match (self.effective.until, &self.effective.until_text) {
            (Some(day), _) => day.zh(),
            (None, Some(t)) => t.clone(),
            (None, None) => d.until.clone(),
        };
        let signed = self.is_signed();
        let partners: Vec<&str> = self
            .partner_departments
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        let signatories: Vec<Signature> = self.signatories.iter().map(Signature::from).collect();
        let mut all_sigs = signature_views(&signatories);
        if let Some(a) = &self.approver {
            let mut v = signature_views(std::slice::from_ref(a));
            v[0]["approver"] = json!(true);
            all_sigs.append(&mut v);
        }
        let derived = json!({
            "signed": signed,
            "signed_on": self.signed_on(),
            "partner_names": partners.join("、"),
            "period": format!("自{}起至{}", self.effective.from.zh(), until),
            "scope": if self.scope.is_empty() { d.scope.clone() } else { self.scope.clone() },
            "meetings": meetings,
            "channels": channels,
            "minutes_within_hours": hours,
            "resources": if self.resources.is_empty() { d.resources.clone() } else { self.resources.clone() },
            "levels": levels,
            "escalation_path": path.join(" → "),
            "confidentiality_years": years,
            "signatures": all_sigs,
        });
        let id = self
            .agreement_no
            .as_deref()
            .map(crate::values::safe_file_stem)
            .unwrap_or_else(|| self.effective.from.iso());
        let stem = format!("跨部门沟通协议-{id}");
        Prepared::new(&self, derived, stem)
    }
}

impl super::Hooks for Agreement {
    const SIGNING: Option<super::Signing> = Some(super::Signing {
        reason: "跨部门沟通协议签署",
        description: "Digitally sign the PDF with the service's key (PAdES, at the level COLLABDOCS_SIGNATURE_LEVEL sets: B-B, B-T with a time-stamp, B-LT and B-LTA with validation data). The standard style only. Only a fully signed agreement (every signatory, and the approver if given, has signed_on) can be signed: a draft is a 422 naming each missing signed_on. Needs format pdf (400 otherwise) and a configured key (409 otherwise).",
    });

    /// Only an agreement every signatory, and the approver if there is one, has dated.
    fn signing_problems(&self) -> Vec<crate::error::FieldError> {
        use crate::error::FieldError;
        let mut missing: Vec<FieldError> = self
            .signatories
            .iter()
            .enumerate()
            .filter(|(_, s)| s.signed_on.is_none())
            .map(|(i, _)| {
                FieldError::new(
                    format!("/signatories/{i}/signed_on"),
                    "is missing: only an agreement every signatory has signed can be digitally signed",
                )
            })
            .collect();
        if self
            .approver
            .as_ref()
            .is_some_and(|a| a.signed_on.is_none())
        {
            missing.push(FieldError::new(
                "/approver/signed_on",
                "is missing: the approver has not signed, so the agreement cannot be digitally signed yet",
            ));
        }
        missing
    }
}

/// The clauses an agreement carries when its payload leaves them out, after seed 002's
/// template: `templates/defaults/agreement.json`.
#[derive(Debug, serde::Deserialize)]
struct Defaults {
    meetings: String,
    channels: Vec<String>,
    minutes_within_hours: u32,
    escalation_levels: Vec<serde_json::Value>,
    escalation_path: Vec<String>,
    confidentiality_years: u32,
    until: String,
    scope: Vec<String>,
    resources: Vec<String>,
}

fn defaults() -> &'static Defaults {
    static DEFAULTS: std::sync::OnceLock<Defaults> = std::sync::OnceLock::new();
    DEFAULTS
        .get_or_init(|| super::defaults(include_str!("../../templates/defaults/agreement.json")))
}
