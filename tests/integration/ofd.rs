//! OFD (GB/T 33190): every kind in both house styles read back from the package — the
//! document information, the attachment and its SHA-256, the pages against the PDF's layout
//! (same pages, same characters on each), the fonts (every character drawn maps to a glyph
//! of the font its text object names, at the advance the layout set), the outline, the
//! template page, images; and hostile text still gives a well-formed package holding it.

use std::collections::BTreeMap;

use collabdocs::engine::Request;
use collabdocs::kinds::DocumentKind;
use collabdocs::render::OutputFormat;
use collabdocs::values::Profile;
use quick_xml::events::Event;
use serde_json::{json, Value};
use sha2::Digest;
use skrifa::MetadataProvider;

use crate::common::*;
use crate::word_service::zip_file;

/// One element read from an OFD part: its name (without the `ofd:` prefix), attributes and
/// text.
#[derive(Debug, Clone, Default)]
pub struct El {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub text: String,
}

/// Every element of an XML part in document order; panics unless it is well-formed and in
/// the OFD namespace.
pub fn elements(xml: &str) -> Vec<El> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out: Vec<El> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let (e, empty) = match &ev {
                    Event::Start(e) => (e, false),
                    Event::Empty(e) => (e, true),
                    _ => unreachable!(),
                };
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let local = name
                    .strip_prefix("ofd:")
                    .unwrap_or_else(|| panic!("{name} is not in the ofd: prefix"));
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.unescape_value().unwrap().to_string(),
                        )
                    })
                    .collect();
                out.push(El {
                    name: local.to_string(),
                    attrs,
                    text: String::new(),
                });
                if !empty {
                    open.push(out.len() - 1);
                }
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    out[i].text.push_str(&t.unescape().unwrap());
                }
            }
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
    }
    out
}

/// An OFD package read back.
pub struct Ofd {
    pub info: Vec<El>,
    pub document: Vec<El>,
    /// Each page's elements, the template's (if the page names one) after its own.
    pub pages: Vec<Vec<El>>,
}

impl Ofd {
    pub fn open(bytes: &[u8]) -> Ofd {
        let part = |name: &str| {
            zip_part(bytes, name).unwrap_or_else(|| panic!("{name} is not in the package"))
        };
        let info = elements(&part("OFD.xml"));
        let root = info
            .iter()
            .find(|e| e.name == "DocRoot")
            .unwrap()
            .text
            .clone();
        assert_eq!(root, "Doc_0/Document.xml");
        let document = elements(&part(&root));
        let templates: BTreeMap<String, String> = document
            .iter()
            .filter(|e| e.name == "TemplatePage")
            .map(|e| (e.attrs["ID"].clone(), e.attrs["BaseLoc"].clone()))
            .collect();
        let pages = document
            .iter()
            .filter(|e| e.name == "Page")
            .map(|p| {
                let mut els = elements(&part(&format!("Doc_0/{}", p.attrs["BaseLoc"])));
                let tpl: Vec<String> = els
                    .iter()
                    .filter(|e| e.name == "Template")
                    .map(|e| e.attrs["TemplateID"].clone())
                    .collect();
                for t in tpl {
                    els.extend(elements(&part(&format!("Doc_0/{}", templates[&t]))));
                }
                els
            })
            .collect();
        Ofd {
            info,
            document,
            pages,
        }
    }

    /// The text of page `i`'s text objects in drawing order.
    pub fn page_text(&self, i: usize) -> String {
        self.pages[i]
            .iter()
            .filter(|e| e.name == "TextCode")
            .map(|e| e.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every text object's text, page after page.
    pub fn codes(&self) -> Vec<String> {
        self.pages
            .iter()
            .flatten()
            .filter(|e| e.name == "TextCode")
            .map(|e| e.text.clone())
            .collect()
    }

    pub fn text(&self) -> String {
        (0..self.pages.len())
            .map(|i| self.page_text(i))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn custom(&self, name: &str) -> Option<String> {
        self.info
            .iter()
            .find(|e| e.name == "CustomData" && e.attrs["Name"] == name)
            .map(|e| e.text.clone())
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn render(kind: DocumentKind, profile: Profile, format: OutputFormat, payload: &Value) -> Vec<u8> {
    let engine = engine();
    let request = Request::new(&engine, kind, format, profile, false).unwrap();
    engine
        .run(&request, payload)
        .unwrap_or_else(|e| panic!("{kind} {format}: {e:?}"))
        .bytes
}

/// The kind's payload as an OFD in the standard style, and read back.
fn standard_ofd(kind: DocumentKind, payload: &Value) -> (Vec<u8>, Ofd) {
    let bytes = render(kind, Profile::Standard, OutputFormat::Ofd, payload);
    let ofd = Ofd::open(&bytes);
    (bytes, ofd)
}

/// Expands `g <count> <gap>` groups of a `DeltaX`.
fn gaps(delta: &str) -> Vec<f64> {
    let items: Vec<&str> = delta.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        if items[i] == "g" {
            let n: usize = items[i + 1].parse().unwrap();
            out.extend(std::iter::repeat_n(items[i + 2].parse::<f64>().unwrap(), n));
            i += 3;
        } else {
            out.push(items[i].parse().unwrap());
            i += 1;
        }
    }
    out
}

#[test]
fn every_kind_in_both_styles_gives_the_pdfs_pages_with_every_payload_value() {
    let fonts = collabdocs::render::fonts::FontSet::builtin();
    for kind in DocumentKind::ALL {
        for profile in Profile::ALL.into_iter().filter(|p| kind.has_profile(*p)) {
            let payload = example(*kind);
            let bytes = render(*kind, profile, OutputFormat::Ofd, &payload);
            let ofd = Ofd::open(&bytes);
            let label = format!("{kind} {}", profile.name());
            // The same pages as the PDF's layout, each with the same characters.
            let engine = engine();
            let request = Request::new(&engine, *kind, OutputFormat::Pdf, profile, false).unwrap();
            let (doc, _) = engine.document(&request, &payload).unwrap();
            let lay = collabdocs::render::pdf::layout(&doc, fonts).unwrap();
            assert_eq!(ofd.pages.len(), lay.pages.len(), "{label}: page count");
            for (i, page) in lay.pages.iter().enumerate() {
                let mut want: Vec<char> = page
                    .lines
                    .iter()
                    .flat_map(|l| l.text.chars())
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let mut got: Vec<char> = squash(&ofd.page_text(i)).chars().collect();
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, want, "{label}: page {} has other characters", i + 1);
            }
            // Every payload value is in the standard style's pages (the official style, like its
            // PDF, sets a document of its own form).
            let text = squash(&ofd.text());
            let checked = if profile == Profile::Standard {
                expected_texts(&payload)
            } else {
                Vec::new()
            };
            let missing: Vec<String> = checked
                .into_iter()
                .filter(|(_, t)| !text.contains(&squash(t)))
                .map(|(p, t)| format!("{p} = {t:?}"))
                .collect();
            assert!(
                missing.is_empty(),
                "{label} ofd is missing:\n{}",
                missing.join("\n")
            );
            // The document's information: its kind, and the attachment is the payload.
            assert_eq!(ofd.custom("kind").as_deref(), Some(kind.slug()), "{label}");
            let attachment = ofd
                .document
                .iter()
                .find(|e| e.name == "Attachments")
                .expect("the payload is attached");
            let list = elements(&zip_part(&bytes, &format!("Doc_0/{}", attachment.text)).unwrap());
            let file = &list.iter().find(|e| e.name == "FileLoc").unwrap().text;
            let data = zip_file(&bytes, &format!("Doc_0/Attachs/{file}"));
            assert_eq!(
                serde_json::from_slice::<Value>(&data).unwrap(),
                payload,
                "{label}"
            );
            let hex: String = sha2::Sha256::digest(&data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(ofd.custom("payload-sha256"), Some(hex), "{label}");
            // The outline: the headings, in order.
            let titles: Vec<String> = ofd
                .document
                .iter()
                .filter(|e| e.name == "OutlineElem")
                .map(|e| e.attrs["Title"].clone())
                .collect();
            let headings: Vec<String> = collabdocs::render::pdf::headings(&lay.nodes, &lay.pages)
                .iter()
                .map(|h| h.title.to_string())
                .collect();
            assert!(!titles.is_empty(), "{label}: no outline");
            assert_eq!(titles, headings, "{label}");
            // IDs unique, none above MaxUnitID.
            let max: u32 = ofd
                .document
                .iter()
                .find(|e| e.name == "MaxUnitID")
                .unwrap()
                .text
                .parse()
                .unwrap();
            let mut ids: Vec<u32> = ofd
                .pages
                .iter()
                .flatten()
                .chain(&ofd.document)
                .filter(|e| e.name != "Attachment")
                .filter_map(|e| e.attrs.get("ID").map(|v| v.parse().unwrap()))
                .collect();
            ids.sort_unstable();
            let n = ids.len();
            ids.dedup();
            // The template's objects are read once per page that names it.
            assert!(
                ids.len() <= n && ids.iter().all(|i| *i <= max),
                "{label}: IDs {ids:?} over {max}"
            );
            // Same input, same bytes.
            assert_eq!(
                render(*kind, profile, OutputFormat::Ofd, &payload),
                bytes,
                "{label}"
            );
        }
    }
}

#[test]
fn every_character_maps_to_a_glyph_of_its_embedded_font_at_the_advance_set() {
    let payload = example(DocumentKind::MeetingMinutes);
    let (bytes, ofd) = standard_ofd(DocumentKind::MeetingMinutes, &payload);
    let res = elements(&zip_part(&bytes, "Doc_0/PublicRes.xml").unwrap());
    let base = &res[0].attrs["BaseLoc"];
    let files: BTreeMap<String, Vec<u8>> = res
        .iter()
        .enumerate()
        .filter(|(_, e)| e.name == "Font")
        .map(|(i, e)| {
            let file = &res[i + 1];
            assert_eq!(file.name, "FontFile");
            (
                e.attrs["ID"].clone(),
                zip_file(&bytes, &format!("Doc_0/{base}/{}", file.text)),
            )
        })
        .collect();
    assert_eq!(files.len(), 2, "the body face and the heading face");
    let mut checked = 0;
    for page in &ofd.pages {
        let mut font = None;
        let mut size = 0.0;
        for e in page {
            if e.name == "TextObject" {
                font = Some(
                    skrifa::FontRef::new(&files[&e.attrs["Font"]]).expect("the subset parses"),
                );
                size = e.attrs["Size"].parse::<f64>().unwrap();
            }
            if e.name != "TextCode" {
                continue;
            }
            let f = font.as_ref().unwrap();
            let charmap = f.charmap();
            let upem = f64::from(
                f.metrics(
                    skrifa::instance::Size::unscaled(),
                    skrifa::instance::LocationRef::default(),
                )
                .units_per_em,
            );
            let metrics = f.glyph_metrics(
                skrifa::instance::Size::unscaled(),
                skrifa::instance::LocationRef::default(),
            );
            let chars: Vec<char> = e.text.chars().collect();
            let deltas = gaps(e.attrs.get("DeltaX").map_or("", String::as_str));
            assert_eq!(deltas.len(), chars.len().saturating_sub(1), "{}", e.text);
            for (k, c) in chars.iter().enumerate() {
                if c.is_whitespace() {
                    continue;
                }
                let gid = charmap
                    .map(*c)
                    .unwrap_or_else(|| panic!("{c} has no glyph in its font"));
                assert_ne!(gid.to_u32(), 0, "{c}");
                // A Chinese character is set at its advance (the layout adds nothing to it
                // in the standard style).
                if ('\u{4e00}'..='\u{9fff}').contains(c)
                    && k + 1 < chars.len()
                    && ('\u{4e00}'..='\u{9fff}').contains(&chars[k + 1])
                {
                    let advance = f64::from(metrics.advance_width(gid).unwrap()) / upem * size;
                    assert!(
                        (advance - deltas[k]).abs() < 0.002,
                        "{c}: advance {advance} mm, gap {}",
                        deltas[k]
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} characters checked");
}

#[test]
fn the_furniture_every_page_shares_is_one_template_page() {
    let (bytes, ofd) = standard_ofd(
        DocumentKind::WeeklyProgress,
        &example(DocumentKind::WeeklyProgress),
    );
    assert!(ofd.pages.len() >= 2);
    let template = zip_part(&bytes, "Doc_0/Tpls/Tpl_0/Content.xml").expect("a template page");
    // The organisation's name is in the header: drawn once, in the template.
    assert!(template.contains("华远科技有限公司"), "{template}");
    for i in 0..ofd.pages.len() {
        let own = zip_part(&bytes, &format!("Doc_0/Pages/Page_{i}/Content.xml")).unwrap();
        assert!(
            !own.contains("华远科技有限公司"),
            "page {i} draws the header itself"
        );
        // Each page's number is its own.
        assert!(squash(&ofd.page_text(i)).contains(&format!(
            "第{}页/共{}页",
            i + 1,
            ofd.pages.len()
        )));
        assert!(
            own.contains("<ofd:Template TemplateID="),
            "page {i} does not name the template"
        );
    }
}

#[test]
fn pictures_are_image_resources_and_the_draft_mark_is_turned_and_faint() {
    let mut payload = example(DocumentKind::Agreement);
    // A logo in the header, a party's signature picture, and a party yet to sign (a draft).
    let png = crate::word::png(60, 30);
    payload["organization"]["logo"] = json!(png);
    payload["signatories"][0]["signature_image"] = json!(png);
    payload["signatories"][1]
        .as_object_mut()
        .unwrap()
        .remove("signed_on");
    let (bytes, ofd) = standard_ofd(DocumentKind::Agreement, &payload);
    let res = elements(&zip_part(&bytes, "Doc_0/DocumentRes.xml").expect("image resources"));
    let media: Vec<&El> = res.iter().filter(|e| e.name == "MultiMedia").collect();
    assert!(!media.is_empty());
    let files: Vec<&El> = res.iter().filter(|e| e.name == "MediaFile").collect();
    for f in &files {
        assert!(zip_file(&bytes, &format!("Doc_0/Res/{}", f.text)).starts_with(b"\x89PNG"));
    }
    let ids: Vec<&String> = media.iter().map(|m| &m.attrs["ID"]).collect();
    let drawn: Vec<&El> = ofd
        .pages
        .iter()
        .flatten()
        .filter(|e| e.name == "ImageObject")
        .collect();
    assert!(!drawn.is_empty());
    assert!(drawn.iter().all(|i| ids.contains(&&i.attrs["ResourceID"])));
    let mark: Vec<&El> = ofd
        .pages
        .iter()
        .flatten()
        .filter(|e| e.name == "TextObject" && e.attrs.contains_key("Alpha"))
        .collect();
    assert!(!mark.is_empty(), "no draft mark");
    assert!(mark.iter().all(|m| m.attrs["CTM"].split(' ').count() == 6));
}

#[test]
fn hostile_text_gives_a_well_formed_package_holding_all_of_it() {
    let mut payload = example(DocumentKind::MeetingMinutes);
    let long: String = "很长的内容".repeat(600);
    let nasty = "A&B <c> \"d\" 'e' =SUM(1) 😀 𠮷 שלום عربي";
    payload["title"] = json!(format!("{nasty}{}", "标题".repeat(1500)));
    payload["objective"] = json!(long.clone());
    payload["action_items"] = json!((0..500)
        .map(|i| json!({"task": format!("任务{i} {nasty}"), "owner": "李明", "department": "市场部", "due": "2026-08-10", "deliverable": "交付物", "status": "in_progress"}))
        .collect::<Vec<_>>());
    let (_, ofd) = standard_ofd(DocumentKind::MeetingMinutes, &payload);
    let text = squash(&ofd.text());
    // The long objective's lines run over pages, between the page furniture: all of it, in order.
    let long_lines: String = ofd
        .codes()
        .iter()
        .filter(|t| t.chars().all(|c| "很长的内容".contains(c)))
        .map(String::as_str)
        .collect();
    assert_eq!(long_lines, long);
    assert!(
        text.contains(&squash(nasty)),
        "the markup characters, emoji and RTL text"
    );
    assert!(text.contains("任务499"));
    let info = ofd.info.iter().find(|e| e.name == "Title").unwrap();
    assert!(info.text.starts_with(nasty));
}

#[actix_web::test]
async fn the_service_answers_an_ofd_by_query_or_accept_and_refuses_what_only_a_pdf_has() {
    let (payload, r) = render_example(DocumentKind::RaciMatrix, "ofd").await;
    assert!(r.body.starts_with(b"PK"));
    assert!(
        r.header("content-disposition").contains(".ofd\""),
        "{}",
        r.header("content-disposition")
    );
    let text = squash(&Ofd::open(&r.body).text());
    assert!(text.contains(&squash(payload["project"]["name"].as_str().unwrap())));
    // By the Accept header.
    let r = call(
        actix_web::test::TestRequest::post()
            .uri("/v1/documents/raci-matrix")
            .insert_header(("content-type", "application/json"))
            .insert_header(("accept", "application/ofd"))
            .set_payload(serde_json::to_vec(&payload).unwrap()),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "application/ofd");
    // A signature, a PDF/A copy and a Word template are not OFD.
    let agreement = serde_json::to_vec(&example(DocumentKind::Agreement)).unwrap();
    for (query, says) in [
        ("format=ofd&sign=true", "a signed document is a PDF"),
        ("format=ofd&archive=pdfa", "format=pdf"),
        ("format=ofd&template=no-such", ""),
    ] {
        let r = post(
            &format!("/v1/documents/agreement?{query}"),
            agreement.clone(),
        )
        .await;
        assert!((400..500).contains(&r.status), "{query}: {}", r.status);
        let body = String::from_utf8_lossy(&r.body);
        assert!(body.contains(says), "{query}: {body}");
    }
}
