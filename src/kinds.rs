//! The document kinds and the value types they share (dates, people, signatures, images).
//!
//! Each kind lives in its own module: the payload types with their rules, the derived values,
//! and the view model handed to its template. Kinds know nothing of output formats.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::error::FieldError;
use crate::input::{clean_text, type_name, Cx, FromJson, InputLimits, Schemas};
use crate::json_object;

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
                match self { $( DocumentKind::$variant => include_str!(concat!("../examples/", $slug, ".json")) ),+ }
            }

            /// The built-in template (`templates/<kind>.hbs`).
            pub fn template(self) -> &'static str {
                match self { $( DocumentKind::$variant => include_str!(concat!("../templates/", $slug, ".hbs")) ),+ }
            }

            /// Parses and checks a payload and builds the view model for the template.
            pub fn prepare(self, body: &Value, cx: &mut Cx) -> Option<Prepared> {
                // The derived view (a RACI matrix's cells, …) is built only for a valid payload:
                // an invalid one is answered from its problems alone.
                match self { $( DocumentKind::$variant => <$ty>::from_json(body, "", cx).filter(|_| !cx.has_errors()).map(|p| p.prepare(cx)) ),+ }
            }

            /// The JSON Schema of the kind's payload: a `$ref` into `s`, where its parts are collected.
            pub fn schema(self, s: &mut Schemas) -> Value {
                match self { $( DocumentKind::$variant => <$ty as FromJson>::schema(s) ),+ }
            }

            /// The ways a payload of this kind splits into several documents for one ZIP.
            pub fn splits(self) -> &'static [Split] {
                match self { $( DocumentKind::$variant => <$ty as Hooks>::SPLITS ),+ }
            }

            /// How documents of this kind are digitally signed, if they can be.
            pub fn signing(self) -> Option<Signing> {
                match self { $( DocumentKind::$variant => <$ty as Hooks>::SIGNING ),+ }
            }

            /// What stops a valid payload of this kind from being signed, each at its pointer.
            pub fn signing_problems(self, body: &Value, limits: InputLimits) -> Vec<FieldError> {
                let mut cx = Cx::new(limits);
                match self { $( DocumentKind::$variant => <$ty>::from_json(body, "", &mut cx).map(|p| p.signing_problems()).unwrap_or_default() ),+ }
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

    /// Problems that stop this payload from being signed, each at its pointer.
    fn signing_problems(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

impl DocumentKind {
    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.slug() == s)
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

/// A calendar date, `YYYY-MM-DD` on the wire, `2026年7月28日` in documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let (year, month, day) = (num(0..4)? as i32, num(5..7)?, num(8..10)?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || year < 1900
        {
            return None;
        }
        Some(Date { year, month, day })
    }

    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    pub fn zh(self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (the inverse of [`Date::days`]).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u32 {
        (self.days() + 3).rem_euclid(7) as u32
    }

    /// Working days (Monday to Friday) after `self` up to and including `until`; 0 when
    /// `until` is not later. Public holidays are not known and count as working days.
    pub fn working_days_until(self, until: Date) -> i64 {
        let (from, to) = (self.days(), until.days());
        (from + 1..=to)
            .filter(|d| (d + 3).rem_euclid(7) < 5)
            .count() as i64
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl FromJson for Date {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let parsed = v.as_str().and_then(Date::parse);
        if parsed.is_none() {
            let got = match v {
                Value::String(s) => format!("\"{}\"", s.chars().take(40).collect::<String>()),
                other => type_name(other).to_string(),
            };
            cx.error(
                path,
                format!("must be a date as YYYY-MM-DD (e.g. 2026-07-28); got {got}"),
            );
        }
        parsed
    }

    fn schema(_: &mut Schemas) -> Value {
        serde_json::json!({
            "type": "string",
            "format": "date",
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
            "description": "A calendar date, YYYY-MM-DD (printed 2026年7月28日); years from 1900.",
            "examples": ["2026-07-28"],
        })
    }
}

/// A time of day, `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time {
    pub hour: u32,
    pub minute: u32,
}

impl Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:02}:{:02}", self.hour, self.minute))
    }
}

impl FromJson for Time {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let parsed = v.as_str().and_then(|s| {
            let (h, m) = s.split_once(':')?;
            let two_digits = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
            if !two_digits(h) || !two_digits(m) {
                return None;
            }
            let (hour, minute) = (h.parse().ok()?, m.parse().ok()?);
            (hour < 24 && minute < 60).then_some(Time { hour, minute })
        });
        if parsed.is_none() {
            cx.error(path, "must be a time as HH:MM (24-hour, e.g. 14:30)");
        }
        parsed
    }

    fn schema(_: &mut Schemas) -> Value {
        serde_json::json!({
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            "description": "A time of day, HH:MM on the 24-hour clock.",
            "examples": ["14:30"],
        })
    }
}

impl Time {
    /// Minutes since midnight.
    pub fn minutes(self) -> u32 {
        self.hour * 60 + self.minute
    }

    /// `HH:MM` for minutes since midnight (wrapping past midnight).
    pub fn from_minutes(m: u32) -> Time {
        let m = m % (24 * 60);
        Time {
            hour: m / 60,
            minute: m % 60,
        }
    }
}

json_object! {
    /// A span of days: start and end, the end not before the start.
    pub struct Period { start: Date = req, end: Date = req }
    check(p, path, cx) {
        if p.end < p.start {
            cx.error(format!("{path}/end"), format!("{} is before the start {}", p.end.zh(), p.start.zh()));
        }
    }
}

/// Whole percent, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Percent(pub f64);

impl FromJson for Percent {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        match v.as_f64() {
            Some(n) if (0.0..=100.0).contains(&n) => Some(Percent(n)),
            _ => {
                cx.error(path, "must be a number from 0 to 100");
                None
            }
        }
    }

    fn schema(_: &mut Schemas) -> Value {
        serde_json::json!({ "type": "number", "minimum": 0, "maximum": 100, "description": "Percent, 0 to 100." })
    }
}

json_object! {
    /// A person as an object; see [`Person`] for the bare-string form.
    pub struct PersonObject {
        name: String = req,
        department: Option<String> = opt,
        title: Option<String> = opt,
        contact: Option<String> = opt,
    }
}

/// `{"name", "department", "title", "contact"}`, or a bare string taken as the name.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub name: String,
    pub department: Option<String>,
    pub title: Option<String>,
    pub contact: Option<String>,
    /// `name（department·title）`, as printed in documents.
    pub display: String,
}

impl FromJson for Person {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let p = match v {
            Value::String(s) => {
                let name = String::from_json(v, path, cx)?;
                if s.trim().is_empty() {
                    cx.error(path, "must not be empty");
                    return None;
                }
                PersonObject {
                    name,
                    department: None,
                    title: None,
                    contact: None,
                }
            }
            Value::Object(_) => PersonObject::from_json(v, path, cx)?,
            other => {
                cx.error(
                    path,
                    format!(
                        "must be a person: a name string or an object with \"name\"; got {}",
                        type_name(other)
                    ),
                );
                return None;
            }
        };
        let extras: Vec<&str> = [&p.department, &p.title]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let display = if extras.is_empty() {
            p.name.clone()
        } else {
            format!("{}（{}）", p.name, extras.join("·"))
        };
        Some(Person {
            name: p.name,
            department: p.department,
            title: p.title,
            contact: p.contact,
            display,
        })
    }

    fn schema(s: &mut Schemas) -> Value {
        s.component("Person", |s| {
            serde_json::json!({
                "description": "A person: an object with at least `name`, or a bare string taken as the name.",
                "oneOf": [String::required_schema(s), PersonObject::schema(s)],
                "examples": ["王敏", {"name": "王敏", "department": "产品部", "title": "产品经理"}],
            })
        })
    }
}

/// An image given as a `data:` URI, checked to be a PNG or JPEG whose size can be read.
#[derive(Debug, Clone)]
pub struct Image {
    pub uri: String,
}

/// The largest image accepted, in bytes of the data URI.
pub const MAX_IMAGE_URI_BYTES: usize = 2 * 1024 * 1024;

impl Serialize for Image {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.uri)
    }
}

impl FromJson for Image {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let Value::String(s) = v else {
            cx.error(
                path,
                format!("must be a data: URI string, not {}", type_name(v)),
            );
            return None;
        };
        if s.len() > MAX_IMAGE_URI_BYTES {
            cx.error(
                path,
                format!(
                    "is {} bytes; images are limited to {MAX_IMAGE_URI_BYTES}",
                    s.len()
                ),
            );
            return None;
        }
        match crate::document::ImageData::from_data_uri(s, cx.limits.max_image_pixels) {
            Ok(_) => Some(Image { uri: s.clone() }),
            Err(why) => {
                cx.error(path, why);
                None
            }
        }
    }

    fn schema(_: &mut Schemas) -> Value {
        serde_json::json!({
            "type": "string",
            "maxLength": MAX_IMAGE_URI_BYTES,
            "pattern": "^data:image/(png|jpeg);base64,",
            "description": "A PNG or JPEG image as a data: URI (data:image/png;base64,…), at most 2 MiB.",
        })
    }
}

json_object! {
    /// A signature line: who signs, for which department, when, and optionally the image.
    pub struct Signature {
        name: String = req,
        department: Option<String> = opt,
        title: Option<String> = opt,
        signed_on: Option<Date> = opt,
        signature_image: Option<Image> = opt,
    }
}

json_object! {
    /// The issuing organisation, printed in the page header.
    pub struct Organization {
        name: Option<String> = opt,
        logo: Option<Image> = opt,
    }
}

json_object! {
    /// A project reference with only a name.
    pub struct ProjectName {
        name: String = req,
    }
}

json_object! {
    /// A signatory: a signature that must name the department it signs for.
    pub struct Signatory {
        name: String = req,
        /// The department this signatory signs for.
        department: String = req,
        title: Option<String> = opt,
        /// The signing date; every signatory's (and the approver's) makes the agreement signed.
        signed_on: Option<Date> = opt,
        signature_image: Option<Image> = opt,
    }
}

impl From<&Signatory> for Signature {
    fn from(s: &Signatory) -> Self {
        Signature {
            name: s.name.clone(),
            department: Some(s.department.clone()),
            title: s.title.clone(),
            signed_on: s.signed_on,
            signature_image: s.signature_image.clone(),
        }
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

/// A number as people write it: no trailing `.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Cleans a string for use in a file name: no path separators, no control characters.
pub fn safe_file_stem(s: &str) -> String {
    file_name_stem(s, 60)
}

/// A file name (or stem) any file system and any unzip takes, at most `max` characters: no
/// path separators or characters Windows refuses, no control, format or bidirectional
/// characters (a U+202E could make `exe.pdf` read as `fdp.exe`), no leading or trailing
/// dots and spaces, and never a Windows device name (`CON`, `com1.txt`): those get a `_`.
pub fn file_name_stem(s: &str, max: usize) -> String {
    let cleaned: String = clean_text(s)
        .chars()
        .filter(|c| !is_format_char(*c))
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '\n' | '\t' => '_',
            c => c,
        })
        .collect();
    let trim = |s: &str| {
        s.trim_matches(|c: char| c == '.' || c.is_whitespace())
            .to_string()
    };
    let short: String = trim(&cleaned).chars().take(max).collect();
    let short = trim(&short);
    if short.is_empty() {
        return "document".to_string();
    }
    let device = short
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    let reserved = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (device.len() == 4
            && (device.starts_with("COM") || device.starts_with("LPT"))
            && device.as_bytes()[3].is_ascii_digit());
    if reserved {
        format!("_{short}")
    } else {
        short
    }
}

/// Unicode format characters (category Cf: bidirectional controls, zero-width characters,
/// the BOM, tag characters) and other invisible ones that have no place in a file name.
fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
        || (c as u32) >= 0x80 && (c as u32) < 0xA0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(Date::parse("2026-02-29").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2026-7-28").is_none());
        assert_eq!(Date::parse("2026-07-28").unwrap().zh(), "2026年7月28日");
    }

    #[test]
    fn weekday_of_a_known_date() {
        // 2026-07-28 is a Tuesday.
        assert_eq!(Date::parse("2026-07-28").unwrap().weekday(), 1);
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
    }

    #[test]
    fn file_stems_cannot_escape_a_directory() {
        assert_eq!(safe_file_stem("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_stem("  "), "document");
    }

    #[test]
    fn file_names_lose_format_characters_and_never_name_a_device() {
        assert_eq!(safe_file_stem("报告\u{202E}fdp.exe"), "报告fdp.exe");
        assert_eq!(safe_file_stem("a\u{200B}b\u{FEFF}c"), "abc");
        assert_eq!(safe_file_stem("con"), "_con");
        assert_eq!(safe_file_stem("CON.txt"), "_CON.txt");
        assert_eq!(safe_file_stem("com1"), "_com1");
        assert_eq!(safe_file_stem("Lpt9.tar"), "_Lpt9.tar");
        assert_eq!(safe_file_stem("console"), "console");
        assert_eq!(safe_file_stem("name. . "), "name");
        assert_eq!(file_name_stem(&"长".repeat(500), 120).chars().count(), 120);
    }
}
