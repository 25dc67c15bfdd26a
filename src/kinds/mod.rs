//! The document kinds: the registry (`document_kinds!`) and one module per kind.
//!
//! Each kind lives in its own module: the payload types with their rules (built from the
//! shared [`crate::values`]), the derived values, the view model handed to its template, and
//! its [`Hooks`] (how it splits for a batch, whether and when it can be signed). Kinds know
//! nothing of output formats, and no kind imports another.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::error::FieldError;
use crate::input::{Cx, Schemas};
use crate::values::{Image, Signature};

pub mod agreement;
pub mod collaboration_memo;
pub mod communication_plan;
pub mod issue_log;
pub mod meeting_minutes;
pub mod meeting_notice;
pub mod raci_matrix;
pub mod request_form;
pub mod resource_request;
pub mod retrospective;
pub mod stakeholder_register;
pub mod weekly_progress;

/// Declares the document kinds: each one's slug, payload type (parsed, checked and turned
/// into its view model by its module), titles, example and template.
macro_rules! document_kinds {
    ($( $variant:ident => $slug:literal, $ty:ty, $zh:literal, $en:literal; )+) => {
        /// Every document kind the service renders.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "kebab-case")]
        pub enum DocumentKind { $( $variant ),+ }

        impl DocumentKind {
            pub const ALL: &'static [DocumentKind] = &[$( DocumentKind::$variant ),+];

            pub fn slug(self) -> &'static str {
                match self { $( DocumentKind::$variant => $slug ),+ }
            }

            pub fn title_zh(self) -> &'static str {
                match self { $( DocumentKind::$variant => $zh ),+ }
            }

            pub fn title_en(self) -> &'static str {
                match self { $( DocumentKind::$variant => $en ),+ }
            }

            /// The complete example payload shipped with the service (`examples/<kind>.json`).
            pub fn example(self) -> &'static str {
                match self { $( DocumentKind::$variant => include_str!(concat!("../../examples/", $slug, ".json")) ),+ }
            }

            /// The built-in template (`templates/<kind>.hbs`).
            pub fn template(self) -> &'static str {
                match self { $( DocumentKind::$variant => include_str!(concat!("../../templates/", $slug, ".hbs")) ),+ }
            }

            /// Parses and checks a payload and builds the view model for the template.
            pub fn prepare(self, body: &Value, cx: &mut Cx) -> Option<Prepared> {
                // The derived view (a RACI matrix's cells, …) is built only for a valid payload:
                // an invalid one is answered from its problems alone.
                match self { $( DocumentKind::$variant => crate::input::parse::<$ty>(body, "", cx).filter(|_| !cx.has_errors()).map(|p| {
                    let signing_problems = p.signing_problems();
                    Prepared { signing_problems, ..p.prepare(cx) }
                }) ),+ }
            }

            /// The JSON Schema of the kind's payload: a `$ref` into `s`, where its parts are collected.
            pub fn schema(self, s: &mut Schemas) -> Value {
                match self { $( DocumentKind::$variant => s.component::<$ty>() ),+ }
            }

            /// The ways a payload of this kind splits into several documents for one ZIP.
            pub fn splits(self) -> &'static [Split] {
                match self { $( DocumentKind::$variant => <$ty as Hooks>::SPLITS ),+ }
            }

            /// The built-in template of the official profile (`templates/official/<kind>.hbs`,
            /// GB/T 9704-2012), for the kinds that have one.
            pub fn official_template(self) -> Option<&'static str> {
                match self { $( DocumentKind::$variant => <$ty as Hooks>::OFFICIAL ),+ }
            }

            /// Whether its built-in layout prints a signature table: its PDF then carries an
            /// empty signature field on each line (`party-1`, `party-2`, …).
            pub fn has_signature_lines(self) -> bool {
                matches!(
                    self,
                    DocumentKind::Agreement
                        | DocumentKind::CollaborationMemo
                        | DocumentKind::MeetingMinutes
                        | DocumentKind::RequestForm
                        | DocumentKind::ResourceRequest
                )
            }

            /// How documents of this kind are digitally signed, if they can be.
            pub fn signing(self) -> Option<Signing> {
                match self { $( DocumentKind::$variant => <$ty as Hooks>::SIGNING ),+ }
            }
        }
    };
}

document_kinds! {
    RequestForm => "request-form", request_form::RequestForm,
        "跨部门协作需求登记表", "Cross-department collaboration request form";
    MeetingMinutes => "meeting-minutes", meeting_minutes::MeetingMinutes,
        "跨部门会议纪要", "Cross-department meeting minutes";
    RaciMatrix => "raci-matrix", raci_matrix::RaciMatrix,
        "责任矩阵（RACI）", "RACI responsibility matrix";
    WeeklyProgress => "weekly-progress", weekly_progress::WeeklyProgress,
        "周进展表", "Weekly progress sheet";
    Agreement => "agreement", agreement::Agreement,
        "跨部门沟通协议", "Inter-department communication agreement";
    IssueLog => "issue-log", issue_log::IssueLog,
        "跨部门协作问题跟踪表", "Cross-department issue log";
    ResourceRequest => "resource-request", resource_request::ResourceRequest,
        "资源需求表", "Resource request";
    StakeholderRegister => "stakeholder-register", stakeholder_register::StakeholderRegister,
        "干系人清单", "Stakeholder register";
    CommunicationPlan => "communication-plan", communication_plan::CommunicationPlan,
        "沟通协调计划", "Communication plan";
    MeetingNotice => "meeting-notice", meeting_notice::MeetingNotice,
        "会议通知与议程", "Meeting notice and agenda";
    CollaborationMemo => "collaboration-memo", collaboration_memo::CollaborationMemo,
        "跨部门协作备忘录", "Cross-department collaboration memorandum";
    Retrospective => "retrospective", retrospective::Retrospective,
        "复盘报告", "Retrospective report";
}

/// A way a kind's payload splits into several documents, rendered into one ZIP
/// (`POST /v1/batch/{kind}?split_by=…`).
#[derive(Debug, Clone, Copy)]
pub struct Split {
    /// The `split_by` value, e.g. `department`.
    pub by: &'static str,
    /// For the API document: one line, and what the parts are.
    pub summary: &'static str,
    pub description: &'static str,
    /// For the API document: what the ZIP holds.
    pub zip: &'static str,
    /// The parts of a valid payload, each built only when it is taken: a file name stem and
    /// the part's payload. With how many there are, so a batch can refuse too many at once.
    pub parts: fn(Value) -> Parts,
}

/// How many parts a split gives, and the parts.
pub type Parts = (usize, Box<dyn Iterator<Item = (String, Value)> + Send>);

/// How documents of a kind are digitally signed.
#[derive(Debug, Clone, Copy)]
pub struct Signing {
    /// The reason the signature carries (`/Reason`).
    pub reason: &'static str,
    /// For the API document: what `sign=true` needs of a payload.
    pub description: &'static str,
}

/// What a kind adds to the common pipeline beyond parsing and its view: how it splits for a
/// batch, and whether and when it can be signed. Every kind implements it; the defaults are
/// "no splits, not signed".
pub trait Hooks {
    const SPLITS: &'static [Split] = &[];
    const SIGNING: Option<Signing> = None;
    /// The template of the official profile (`style=official`), if the kind has one.
    const OFFICIAL: Option<&'static str> = None;

    /// Problems that stop this payload from being signed, each at its pointer.
    fn signing_problems(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// A kind's built-in defaults (`templates/defaults/<kind>.json`): the wording a document
/// carries where its payload leaves a clause out.
pub(crate) fn defaults<T: serde::de::DeserializeOwned>(json: &'static str) -> T {
    serde_json::from_str(json).expect("the built-in defaults are valid JSON of their type")
}

impl DocumentKind {
    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.slug() == s)
    }

    /// Whether documents of this kind can be set in `profile`.
    pub fn has_profile(self, profile: crate::values::Profile) -> bool {
        profile == crate::values::Profile::Standard || self.official_template().is_some()
    }

    /// A 422 naming the kinds that have `profile`, when this one has not.
    pub fn check_profile(self, profile: crate::values::Profile) -> Result<(), crate::error::Error> {
        if self.has_profile(profile) {
            return Ok(());
        }
        Err(crate::error::Error::invalid(vec![FieldError::new(
            "",
            format!(
                "style={} is for {}; {self} documents have the standard style only",
                profile.name(),
                Self::official_kinds().join(", ")
            ),
        )]))
    }

    /// The kinds with an official-profile template.
    pub fn official_kinds() -> Vec<&'static str> {
        Self::ALL
            .iter()
            .filter(|k| k.official_template().is_some())
            .map(|k| k.slug())
            .collect()
    }
}

impl<'de> serde::Deserialize<'de> for DocumentKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DocumentKind::from_slug(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown kind \"{s}\"")))
    }
}

impl schemars::JsonSchema for DocumentKind {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DocumentKind".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        crate::values::utoipa_schema::<Self>()
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A validated payload ready for its template.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The template context: `{"doc": payload, "derived": {...}, "page": {organization,
    /// document_no}}` — `page` is what the page furniture needs, small, because a partial
    /// gets a copy of the value it is given.
    pub context: Value,
    /// The download name without extension, in Chinese (`会议纪要-2026-07-28`).
    pub file_stem: String,
    /// What stops this payload from being signed (a missing `signed_on`), each at its pointer.
    pub signing_problems: Vec<FieldError>,
}

impl Prepared {
    pub fn new(doc: &impl Serialize, derived: Value, file_stem: String) -> Self {
        let doc = serde_json::to_value(doc).expect("payload types serialize");
        let page = serde_json::json!({
            "organization": doc["organization"],
            "document_no": doc["document_no"],
        });
        Self {
            context: serde_json::json!({ "doc": doc, "derived": derived, "page": page }),
            file_stem,
            signing_problems: Vec::new(),
        }
    }

    /// Adds derived fields to each row of the array `doc.<field>` (row `i` gets the keys of
    /// `extras[i]`), so rows are serialised once and templates find everything on the row.
    pub fn extend_rows(mut self, field: &str, extras: impl IntoIterator<Item = Value>) -> Self {
        if let Some(Value::Array(rows)) = self.context["doc"].get_mut(field) {
            for (row, extra) in rows.iter_mut().zip(extras) {
                if let (Value::Object(row), Value::Object(extra)) = (row, extra) {
                    row.extend(extra);
                }
            }
        }
        self
    }
}

/// Signatures as the templates print them, with `signed` telling whether a date is present.
pub fn signature_views(list: &[Signature]) -> Vec<serde_json::Value> {
    list.iter()
        .map(|s| {
            serde_json::json!({
                "name": s.name,
                "department": s.department,
                "title": s.title,
                "signed_on": s.signed_on,
                "signature_image": s.signature_image.as_ref().map(|i: &Image| i.uri.clone()),
                "signed": s.signed_on.is_some(),
            })
        })
        .collect()
}
