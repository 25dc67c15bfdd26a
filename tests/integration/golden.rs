//! Golden files: what every kind's example renders to, normalised so that a change in the
//! output between commits shows in review as a readable diff under `tests/golden/`.
//!
//! DOCX, XLSX and OFD: every part of the package, XML pretty-printed (fonts and pictures by
//! size and hash); HTML: one tag a line;
//! PDF: the page count, the embedded fonts and the text of each page.
//!
//! The kinds with the official profile have its files too (`<format>.official.txt`).
//!
//! Refresh after an intended change with
//! `COLLABDOCS_BLESS=1 cargo test --test integration golden` and review the diff.

use collabdocs::engine::Request;
use std::io::Read;
use std::path::PathBuf;

use collabdocs::kinds::DocumentKind;
use collabdocs::render::OutputFormat;
use collabdocs::values::Profile;
use quick_xml::events::Event;

use crate::common::*;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// XML with one element a line, indented by depth, text trimmed.
fn pretty_xml(xml: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 1);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(e) => writer.write_event(e).expect("writing to memory"),
            Err(e) => panic!("not well-formed XML: {e}"),
        }
    }
    String::from_utf8(writer.into_inner()).expect("UTF-8")
}

/// Every part of a ZIP package in order, XML parts pretty-printed, others by size and hash.
fn normalise_package(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid package");
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        if name.ends_with(".xml") || name.ends_with(".rels") {
            out.push_str(&format!("=== {name}\n"));
            out.push_str(&pretty_xml(std::str::from_utf8(&data).expect("UTF-8 XML")));
            out.push('\n');
        } else {
            out.push_str(&format!(
                "=== {name}: {} bytes, sha256 {}\n",
                data.len(),
                sha256_b64(&data)
            ));
        }
    }
    out
}

/// An HTML page with a line break before every tag.
fn normalise_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    for (i, part) in html.split('<').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push('<');
        }
        out.push_str(part.trim_end_matches('\n'));
    }
    out.push('\n');
    out
}

/// A PDF's page count, embedded fonts and the text of each page.
fn normalise_pdf(bytes: &[u8]) -> String {
    use collabdocs::sign::reader::{Obj, PdfFile};
    let file = PdfFile::open(bytes).expect("the PDF opens");
    let pages = file.pages(10_000).expect("its page tree reads");
    let mut fonts: Vec<String> = file
        .object_numbers()
        .into_iter()
        .filter_map(|n| file.object(n).ok())
        .filter(|o| o.value.get("Type").and_then(Obj::as_name) == Some("Font"))
        .filter_map(|o| {
            o.value
                .get("BaseFont")
                .and_then(Obj::as_name)
                .map(str::to_string)
        })
        .collect();
    fonts.sort();
    fonts.dedup();
    let texts = pdf_extract::extract_text_from_mem_by_pages(bytes).expect("the text extracts");
    let mut out = format!("pages: {}\nfonts: {}\n", pages.len(), fonts.join(", "));
    for (i, t) in texts.iter().enumerate() {
        out.push_str(&format!("=== page {}\n", i + 1));
        for line in t
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
        {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn normalised(format: OutputFormat, bytes: &[u8]) -> String {
    match format {
        OutputFormat::Docx | OutputFormat::Xlsx | OutputFormat::Ofd => normalise_package(bytes),
        OutputFormat::Html => normalise_html(std::str::from_utf8(bytes).expect("UTF-8")),
        OutputFormat::Pdf => normalise_pdf(bytes),
    }
}

/// Compares with the committed file, or writes it when `COLLABDOCS_BLESS` is set; returns
/// a description of the first difference.
fn check(name: &str, actual: &str) -> Option<String> {
    let path = golden_dir().join(name);
    if std::env::var_os("COLLABDOCS_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return None;
    }
    let Ok(expected) = std::fs::read_to_string(&path) else {
        return Some(format!(
            "{name}: no golden file (COLLABDOCS_BLESS=1 writes it)"
        ));
    };
    if expected == actual {
        return None;
    }
    let (n, (want, got)) = expected
        .lines()
        .chain(std::iter::repeat(""))
        .zip(actual.lines().chain(std::iter::repeat("")))
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .unwrap_or((0, ("", "")));
    Some(format!(
        "{name} line {}:\n  golden: {want}\n  now:    {got}",
        n + 1
    ))
}

#[test]
fn every_kind_in_every_format_matches_its_golden_file() {
    let mut differences = Vec::new();
    for kind in DocumentKind::ALL {
        for profile in Profile::ALL.into_iter().filter(|p| kind.has_profile(*p)) {
            for format in OutputFormat::ALL {
                let engine = engine();
                let request = Request::new(&engine, *kind, *format, profile, false).unwrap();
                let r = engine
                    .run(&request, &example(*kind))
                    .unwrap_or_else(|e| panic!("{kind} {format}: {e:?}"));
                let name = match profile {
                    Profile::Standard => format!("{}/{}.txt", kind.slug(), format.extension()),
                    _ => format!(
                        "{}/{}.{}.txt",
                        kind.slug(),
                        profile.name(),
                        format.extension()
                    ),
                };
                differences.extend(check(&name, &normalised(*format, &r.bytes)));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "the output changed; if intended, refresh with COLLABDOCS_BLESS=1 cargo test --test integration golden and review the diff:\n{}",
        differences.join("\n")
    );
}

#[test]
fn the_shipped_word_templates_match_their_golden_files() {
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/templates");
    let engine = collabdocs::engine::Engine::new(collabdocs::engine::EngineOptions {
        templates_dir: Some(samples.clone()),
        ..Default::default()
    })
    .unwrap();
    let mut differences = Vec::new();
    for name in ["letterhead-minutes", "travel-request"] {
        let entry = engine.word_templates().get(name).expect("a shipped sample");
        let payload: serde_json::Value = serde_json::from_slice(
            &std::fs::read(samples.join(format!("word/{name}/example.json"))).unwrap(),
        )
        .unwrap();
        for format in collabdocs::render::OutputFormat::WORD_TEMPLATE {
            let r = engine
                .fill_word(&entry, &payload, format)
                .unwrap_or_else(|e| panic!("{name} {format}: {e:?}"));
            differences.extend(check(
                &format!("word-templates/{name}/{}.txt", format.extension()),
                &normalised(format, &r.bytes),
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "the output changed; if intended, refresh with COLLABDOCS_BLESS=1 cargo test --test integration golden and review the diff:\n{}",
        differences.join("\n")
    );
}
