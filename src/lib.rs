//! collabdocs: cross-department collaboration paperwork from JSON to DOCX, XLSX, PDF and HTML.
//!
//! The pipeline runs one way: [`kinds`] (parse, validate, derive) → [`template`] (Handlebars
//! to markup) → [`markup`] (markup to [`document`]) → [`render`] (bytes). [`engine`] holds it
//! together; [`http`] and [`cli`] are its front doors.

pub mod batch;
pub mod budget;
pub mod cli;
pub mod config;
pub mod document;
pub mod engine;
pub mod error;
pub mod excel;
pub mod http;
pub mod image;
pub mod input;
pub mod kinds;
pub mod markup;
pub mod metrics;
pub mod render;
pub mod sign;
pub mod template;
pub mod values;
pub mod watch;
pub mod word;
