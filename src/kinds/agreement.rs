//! `agreement` — 跨部门沟通协议 (seed 002 协议内容模板框架), signed or draft.
//!
//! What the payload leaves out is filled from the guide's standard clauses.

use serde_json::json;

use super::{signature_views, Prepared};
use crate::input::Cx;
use crate::json_object;
use crate::values::{Date, Organization, Signatory, Signature};

json_object! {
    pub struct Department { name: String = req "部门", responsibilities: Vec<String> = list_min(1) "职责" }
}

json_object! {
    pub struct Effective { from: Date = req "生效日期", until: Option<Date> = opt "终止日期", until_text: Option<String> = opt "期限说明" }
    check(e, path, cx) {
        if let Some(u) = e.until {
            if u < e.from {
                cx.error(format!("{path}/until"), format!("{} is before the start {}", u.zh(), e.from.zh()));
            }
        }
    }
}

json_object! {
    pub struct Contact {
        department: String = req "部门",
        name: String = req "姓名",
        title: Option<String> = opt "职务",
        contact: Option<String> = opt "联系方式",
    }
}

json_object! {
    pub struct Communication {
        meetings: Option<String> = opt "例会安排",
        channels: Vec<String> = list "沟通渠道",
        contacts: Vec<Contact> = list "联系人",
        minutes_within_hours: Option<u32> = opt "纪要发出时限（小时）",
    }
}

json_object! {
    pub struct EscalationLevel { name: String = req "层级", handling: String = req "处理方式", response_hours: Option<u32> = opt "响应时限（小时）" }
}

json_object! {
    pub struct Escalation { levels: Vec<EscalationLevel> = list "升级层级", path: Vec<String> = list "升级路径" }
}

json_object! {
    pub struct Clause { heading: String = req "条款标题", body: String = req "条款内容" }
}

json_object! {
    /// The payload of `agreement`.
    pub struct Agreement {
        /// 编号, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 协议名称.
        title: String = req "协议名称",
        /// 协议编号; also names the file.
        agreement_no: Option<String> = opt "协议编号",
        /// 牵头部门 and its responsibilities.
        lead_department: Department = req "牵头部门",
        /// 协作部门 and their responsibilities; at least one.
        partner_departments: Vec<Department> = list_min(1) "协作部门",
        /// 有效期: from a date, until a date or until an event (until_text).
        effective: Effective = req "有效期",
        /// 协议目的.
        objective: String = req "协作目标",
        /// 协作范围; the guide's four (需求对接、进度同步、资源协调、问题解决) when left out.
        scope: Vec<String> = list "协作范围",
        /// 沟通机制: meetings, channels, contacts, minutes turnaround; the guide's defaults when left out.
        communication: Option<Communication> = opt "沟通机制",
        /// 资源保障; the guide's standard clauses when left out.
        resources: Vec<String> = list "资源投入",
        /// 问题分级与升级路径; the guide's two levels when left out.
        escalation: Option<Escalation> = opt "升级机制",
        /// 保密期限 in years; 3 when left out.
        confidentiality_years: Option<u32> = opt "保密期限（年）",
        /// 补充条款: extra clauses, each with a heading.
        clauses: Vec<Clause> = list "条款",
        /// 附件: names of attached documents.
        attachments: Vec<String> = list "附件",
        /// 签署部门: at least two, each naming its department. The agreement is signed when every signatory (and the approver, if given) has signed_on; until then every page carries a 草案/DRAFT mark.
        signatories: Vec<Signatory> = list_min(2) "签署方",
        /// 审批人.
        approver: Option<Signature> = opt "审批人",
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
