//! What reading a filled DOCX needs besides the part being read: its styles, its lists and
//! their counters, the relationships of the part, its pictures — for [`super::html`] and
//! [`super::model`].

use std::collections::HashMap;

use base64::Engine as _;

use super::model::TWIP;
use super::package::{Package, PackageLimits};
use super::style::*;
use super::xml::{self, Element, Node};
use crate::image::ImageData;

pub struct Context<'a> {
    pub(super) package: &'a Package,
    pub(super) limits: PackageLimits,
    pub(super) max_pixels: u64,
    pub(super) defaults: (ParaProps, RunProps),
    pub(super) styles: HashMap<String, Style>,
    /// The `w:tblPr` of each table style.
    table_styles: HashMap<String, Element>,
    pub(super) default_para: Option<String>,
    /// numId → the levels of its abstract numbering.
    numbering: HashMap<String, Vec<Level>>,
    counters: HashMap<(String, usize), usize>,
    /// The relationships of the part being read: id → target.
    pub(super) rels: HashMap<String, String>,
    pub(super) part_dir: String,
    /// The document's default tab stop interval (points).
    pub(super) default_tab: f32,
    /// Even pages have their own headers and footers (`w:evenAndOddHeaders`).
    pub(super) even_and_odd: bool,
    /// Full-width punctuation is compressed (`w:characterSpacingControl`).
    pub(super) compress_punctuation: bool,
    /// Style ids by their names (`toc 1` → `TOC1`).
    by_name: HashMap<String, String>,
}

impl<'a> Context<'a> {
    /// The context of a package: its styles, lists and settings read.
    pub fn of(package: &'a Package, limits: PackageLimits, max_pixels: u64) -> Context<'a> {
        let mut cx = Context {
            package,
            limits,
            max_pixels,
            defaults: Default::default(),
            styles: HashMap::new(),
            table_styles: HashMap::new(),
            default_para: None,
            numbering: HashMap::new(),
            counters: HashMap::new(),
            rels: HashMap::new(),
            part_dir: "word".into(),
            default_tab: 21.0,
            even_and_odd: false,
            compress_punctuation: false,
            by_name: HashMap::new(),
        };
        cx.load_styles();
        cx.load_numbering();
        if let Some(tree) = cx.part("word/settings.xml") {
            if let Some(s) = xml::elements(&tree).next() {
                if let Some(tab) = s.child("w:defaultTabStop").and_then(|t| num(t, "w:val")) {
                    cx.default_tab = (tab * TWIP).clamp(6.0, 400.0);
                }
                cx.even_and_odd = s.child("w:evenAndOddHeaders").is_some_and(on);
                cx.compress_punctuation = s
                    .child("w:characterSpacingControl")
                    .and_then(|c| c.attr("w:val"))
                    .is_some_and(|v| v.starts_with("compress"));
            }
        }
        cx
    }

    pub(super) fn part(&self, name: &str) -> Option<Vec<Node>> {
        let text = self.package.text(name, self.limits).ok()?;
        xml::parse(&text).ok()
    }

    fn load_styles(&mut self) {
        let Some(tree) = self.part("word/styles.xml") else {
            return;
        };
        let Some(styles) = xml::elements(&tree).next() else {
            return;
        };
        for e in styles.elements() {
            match e.name.as_str() {
                "w:docDefaults" => {
                    let para = e.child("w:pPrDefault").and_then(|d| d.child("w:pPr"));
                    let run = e.child("w:rPrDefault").and_then(|d| d.child("w:rPr"));
                    self.defaults = (para_props(para), run_props(run));
                }
                "w:style" => {
                    let Some(id) = e.attr("w:styleId") else {
                        continue;
                    };
                    if e.attr("w:type").as_deref() == Some("paragraph")
                        && e.attr("w:default").as_deref() == Some("1")
                    {
                        self.default_para = Some(id.clone());
                    }
                    if e.attr("w:type").as_deref() == Some("table") {
                        if let Some(pr) = e.child("w:tblPr") {
                            self.table_styles.insert(id.clone(), pr.clone());
                        }
                    }
                    let name = e.child("w:name").and_then(|n| n.attr("w:val"));
                    let mut para = para_props(e.child("w:pPr"));
                    // A heading style's outline level, when its name says so.
                    if para.outline.is_none() {
                        if let Some(l) = name
                            .as_deref()
                            .and_then(|n| n.strip_prefix("heading "))
                            .and_then(|l| l.parse::<u8>().ok())
                        {
                            para.outline = Some(l.saturating_sub(1));
                        }
                    }
                    if let Some(n) = name {
                        self.by_name.insert(n.to_lowercase(), id.clone());
                    }
                    self.styles.insert(
                        id,
                        Style {
                            based_on: e.child("w:basedOn").and_then(|b| b.attr("w:val")),
                            para,
                            run: run_props(e.child("w:rPr")),
                        },
                    );
                }
                _ => {}
            }
        }
    }

    fn load_numbering(&mut self) {
        let Some(tree) = self.part("word/numbering.xml") else {
            return;
        };
        let Some(root) = xml::elements(&tree).next() else {
            return;
        };
        let mut abstracts: HashMap<String, Vec<Level>> = HashMap::new();
        for e in root.elements().filter(|e| e.name == "w:abstractNum") {
            let Some(id) = e.attr("w:abstractNumId") else {
                continue;
            };
            let mut levels = Vec::new();
            for l in e.elements().filter(|l| l.name == "w:lvl").take(9) {
                levels.push(Level {
                    format: l
                        .child("w:numFmt")
                        .and_then(|f| f.attr("w:val"))
                        .unwrap_or_else(|| "decimal".into()),
                    text: l
                        .child("w:lvlText")
                        .and_then(|f| f.attr("w:val"))
                        .unwrap_or_default(),
                    start: l
                        .child("w:start")
                        .and_then(|f| f.attr("w:val"))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1),
                });
            }
            abstracts.insert(id, levels);
        }
        for e in root.elements().filter(|e| e.name == "w:num") {
            let (Some(id), Some(a)) = (
                e.attr("w:numId"),
                e.child("w:abstractNumId").and_then(|a| a.attr("w:val")),
            ) else {
                continue;
            };
            if let Some(levels) = abstracts.get(&a) {
                self.numbering.insert(id, levels.clone());
            }
        }
    }

    /// A style's properties with those of the styles it is based on under them.
    pub(super) fn style_chain(&self, id: &str) -> (ParaProps, RunProps) {
        let mut chain = Vec::new();
        let mut at = Some(id.to_string());
        while let Some(id) = at {
            if chain.len() >= 16 {
                break;
            }
            let Some(s) = self.styles.get(&id) else { break };
            chain.push(s);
            at = s.based_on.clone();
        }
        let mut para = ParaProps::default();
        let mut run = RunProps::default();
        for s in chain.iter().rev() {
            para = para.over(&s.para);
            run = run.over(&s.run);
        }
        (para, run)
    }

    /// A paragraph's properties (`w:pPr` over its style over the document's defaults) and
    /// the run properties its text starts from (its style's over the defaults).
    pub(super) fn paragraph_props(&self, ppr: Option<&Element>) -> (ParaProps, RunProps) {
        let style = ppr
            .and_then(|x| x.child("w:pStyle"))
            .and_then(|s| s.attr("w:val"))
            .or_else(|| self.default_para.clone());
        let (style_para, style_run) = style
            .as_deref()
            .map(|s| self.style_chain(s))
            .unwrap_or_default();
        (
            self.defaults.0.over(&style_para).over(&para_props(ppr)),
            self.defaults.1.over(&style_run),
        )
    }

    /// A run's properties: its own (`w:rPr`) over its character style over `base`.
    pub(super) fn run_props_of(&self, r: &Element, base: &RunProps) -> RunProps {
        let rpr = r.child("w:rPr");
        let style = rpr
            .and_then(|x| x.child("w:rStyle"))
            .and_then(|s| s.attr("w:val"))
            .map(|s| self.style_chain(&s).1)
            .unwrap_or_default();
        base.over(&style).over(&run_props(rpr))
    }

    /// The id of the style named `name` (`toc 1` → `TOC1`).
    pub(super) fn style_named(&self, name: &str) -> Option<&String> {
        self.by_name.get(name)
    }

    /// The `w:tblPr` of a table style.
    pub(super) fn table_style(&self, id: &str) -> Option<Element> {
        self.table_styles.get(id).cloned()
    }

    /// The next label of a list level (`3.`, `三、`, `•`), its counters moved on.
    pub(super) fn list_label(&mut self, id: &str, level: usize) -> Option<String> {
        let levels = self.numbering.get(id)?.clone();
        let lvl = levels.get(level)?;
        let n = {
            let c = self
                .counters
                .entry((id.to_string(), level))
                .or_insert(lvl.start.saturating_sub(1));
            *c += 1;
            *c
        };
        // A deeper level starts again under each item of this one.
        for deeper in level + 1..9 {
            self.counters.remove(&(id.to_string(), deeper));
        }
        if lvl.format == "bullet" {
            return Some(
                if lvl
                    .text
                    .chars()
                    .all(|c| ('\u{F000}'..='\u{F0FF}').contains(&c))
                {
                    "•".into()
                } else {
                    lvl.text.clone()
                },
            );
        }
        let mut text = lvl.text.clone();
        for (i, l) in levels.iter().enumerate().take(level + 1) {
            let value = if i == level {
                n
            } else {
                self.counters
                    .get(&(id.to_string(), i))
                    .copied()
                    .unwrap_or(l.start)
            };
            text = text.replace(&format!("%{}", i + 1), &number_text(value, &l.format));
        }
        Some(text)
    }

    /// The relationships of a part: id → target (external ones left out: nothing is fetched).
    pub(super) fn rels_of(&self, part: &str) -> HashMap<String, String> {
        let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
        let mut out = HashMap::new();
        let Some(tree) = self.part(&format!("{dir}/_rels/{file}.rels")) else {
            return out;
        };
        let Some(root) = xml::elements(&tree).next() else {
            return out;
        };
        for e in root.elements() {
            if e.attr("TargetMode").as_deref() == Some("External") {
                continue;
            }
            if let (Some(id), Some(target)) = (e.attr("Id"), e.attr("Target")) {
                out.insert(id, target);
            }
        }
        out
    }

    /// A picture of the package (PNG or JPEG), decoded and rebuilt under the pixel budget.
    pub(super) fn image(&self, name: &str) -> Option<ImageData> {
        let bytes = self.package.binary(name, self.limits).ok()?;
        let mime = if bytes.starts_with(b"\x89PNG") {
            "image/png"
        } else if bytes.starts_with(b"\xff\xd8\xff") {
            "image/jpeg"
        } else {
            return None;
        };
        let uri = format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        );
        ImageData::from_data_uri(&uri, self.max_pixels).ok()
    }
}
