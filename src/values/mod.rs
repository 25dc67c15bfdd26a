//! The values every part shares: dates and times, numbers, people and organisations, images,
//! the enumerations several kinds use, and file names. Kinds build their payloads from these;
//! markup, renderers and signing use them without knowing any kind.

mod enums;
mod image;
mod names;
mod number;
mod people;
mod profile;
mod schema;
mod status;
mod text;
mod time;

pub use image::{Image, IMAGE_FORMAT, MAX_IMAGE_URI_BYTES};
pub use names::{file_name_stem, safe_file_stem};
pub use number::{format_amount, format_number, Percent};
pub use people::{Organization, Person, PersonObject, ProjectName, Signatory, Signature};
pub use profile::Profile;
pub use schema::{
    component_name, nullable, nullable_value, object_schema, pascal_case, utoipa_schema,
};
pub use status::{ActionStatus, Level, MeetingProject, ResourceType, TopicKind};
pub use text::{clean_text, html_escape, is_blank, needs_cleaning, xml_escape, NOT_BLANK};
pub use time::{Date, Period, Time, TIME_PATTERN};

/// Bytes in lower-case hexadecimal, as digests are printed (`3f2a…`).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
