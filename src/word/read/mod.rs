//! A filled DOCX read into [`super::model`]: from the package as untrusted input, every number
//! clamped to what a page can hold, nesting bounded, pictures decoded and rebuilt under the
//! pixel budget; complex fields followed (page numbers kept as fields, a table of contents'
//! old entries dropped and rebuilt from the headings).

use std::collections::HashMap;

use super::context::Context;
use super::model::*;
use super::style::*;
use super::xml::{self, Element};
use props::{field_of, is_toc, len, EMU, MAX_TABLE_DEPTH};
pub(super) use props::{find, para_of, run_style};

mod props;
mod table;

/// Reads a package (a filled template) into the model; pictures are held to `max_pixels`.
pub fn read_package(
    package: &super::package::Package,
    limits: super::package::PackageLimits,
    max_pixels: u64,
) -> Result<Docx, String> {
    read(&mut Context::of(package, limits, max_pixels))
}

/// Reads the filled package into the model.
pub(super) fn read(cx: &mut Context) -> Result<Docx, String> {
    let text = cx.package.text("word/document.xml", cx.limits)?;
    let tree = xml::parse(&text)?;
    let document = xml::elements(&tree)
        .next()
        .ok_or("has an empty word/document.xml")?;
    let body = document.child("w:body").ok_or("has no body")?;
    cx.rels = cx.rels_of("word/document.xml");
    let doc_rels = cx.rels.clone();
    let mut r = Builder {
        cx,
        docx: Docx::default(),
        fields: Vec::new(),
        headings: 0,
        toc_open: false,
    };
    let mut blocks = Vec::new();
    let mut previous = Section::default();
    let mut sections = Vec::new();
    for c in body.elements() {
        crate::budget::check().map_err(|e| e.to_string())?;
        match c.name.as_str() {
            "w:sectPr" => {}
            _ => r.block(c, &mut blocks, 0),
        }
        // A paragraph that carries a section's properties ends that section.
        if let Some(sect) = (c.name == "w:p")
            .then(|| c.child("w:pPr").and_then(|p| p.child("w:sectPr")))
            .flatten()
        {
            let s = r.section(sect, &previous, std::mem::take(&mut blocks), &doc_rels);
            previous = s.clone();
            previous.blocks.clear();
            sections.push(s);
        }
    }
    let last = body
        .child("w:sectPr")
        .cloned()
        .unwrap_or_else(Element::default);
    let s = r.section(&last, &previous, blocks, &doc_rels);
    sections.push(s);
    let mut docx = r.docx;
    docx.sections = sections;
    docx.even_and_odd = r.cx.even_and_odd;
    docx.compress_punctuation = r.cx.compress_punctuation;
    docx.has_toc = props::contents(&mut docx.sections, r.cx);
    Ok(docx)
}

/// Where an anchored object stands (`wp:positionH`, `wp:positionV`); `None` without both.
fn position(anchor: &Element) -> Option<(Position, Position)> {
    let axis = |name: &str| -> Option<Position> {
        let e = anchor.child(name)?;
        let from = match e.attr("relativeFrom").as_deref() {
            Some("page") => Relative::Page,
            Some(
                "margin" | "column" | "leftMargin" | "rightMargin" | "insideMargin"
                | "outsideMargin" | "topMargin" | "bottomMargin",
            ) => Relative::Margin,
            _ => Relative::Paragraph,
        };
        let offset = e
            .child("wp:posOffset")
            .and_then(|o| o.text().trim().parse::<f32>().ok())
            .filter(|v| v.is_finite())
            .map_or(0.0, |v| len(v * EMU));
        let align = e.child("wp:align").map(|a| a.text().trim().to_string());
        Some(Position {
            from,
            offset,
            align,
        })
    };
    Some((axis("wp:positionH")?, axis("wp:positionV")?))
}

/// An open complex field: its instructions so far, and whether its result is showing.
struct OpenField {
    instr: String,
    result: bool,
    /// The field's result is replaced (a page number, a table of contents): not read.
    replaced: bool,
}

struct Builder<'c, 'p> {
    cx: &'c mut Context<'p>,
    docx: Docx,
    fields: Vec<OpenField>,
    headings: usize,
    /// Inside a table of contents' result: its old entries are not read.
    toc_open: bool,
}

impl Builder<'_, '_> {
    fn note(&mut self, what: &'static str) {
        *self.docx.unsupported.entry(what).or_insert(0) += 1;
    }

    fn section(
        &mut self,
        sect: &Element,
        previous: &Section,
        blocks: Vec<Block>,
        rels: &HashMap<String, String>,
    ) -> Section {
        let mut page = PageSetup::default();
        if let Some(sz) = sect.child("w:pgSz") {
            let w = num(sz, "w:w").map(|v| v * TWIP);
            let h = num(sz, "w:h").map(|v| v * TWIP);
            page.width = len(w.unwrap_or(page.width)).max(36.0);
            page.height = len(h.unwrap_or(page.height)).max(36.0);
        } else {
            page = previous.page.clone();
        }
        if let Some(m) = sect.child("w:pgMar") {
            let get = |k: &str, d: f32| len(num(m, k).map_or(d, |v| v * TWIP));
            page.top = get("w:top", 72.0).abs();
            page.bottom = get("w:bottom", 72.0).abs();
            page.left = get("w:left", 90.0).max(0.0) + get("w:gutter", 0.0).max(0.0);
            page.right = get("w:right", 90.0).max(0.0);
            page.header = get("w:header", 42.55).max(0.0);
            page.footer = get("w:footer", 49.6).max(0.0);
        }
        // A page keeps at least an inch of room for text whatever its margins say.
        let room = |size: f32, a: &mut f32, b: &mut f32| {
            let over = (*a + *b + 36.0 - size).max(0.0);
            if over > 0.0 {
                let total = (*a + *b).max(1.0);
                *a -= over * *a / total;
                *b -= over * *b / total;
            }
        };
        let (mut l, mut rr) = (page.left, page.right);
        room(page.width, &mut l, &mut rr);
        (page.left, page.right) = (l, rr);
        let (mut t, mut b) = (page.top, page.bottom);
        room(page.height, &mut t, &mut b);
        (page.top, page.bottom) = (t, b);
        page.grid = sect.child("w:docGrid").and_then(|g| {
            matches!(g.attr("w:type").as_deref(), Some("lines" | "linesAndChars"))
                .then(|| num(g, "w:linePitch").map(|p| p * TWIP))
                .flatten()
                .filter(|p| *p >= 1.0 && *p < page.height)
        });
        // Word's character pitch: the document's default size and `charSpace` 4096ths of a
        // point more or less.
        let base = self
            .cx
            .defaults
            .1
            .size
            .map_or(10.5, |s| s / 2.0)
            .clamp(1.0, 400.0);
        page.char_pitch = sect.child("w:docGrid").and_then(|g| {
            (g.attr("w:type").as_deref() == Some("linesAndChars"))
                .then(|| base + num(g, "w:charSpace").unwrap_or(0.0) / 4096.0)
                .filter(|p| *p >= base / 2.0 && *p <= base * 4.0)
        });
        let mut header = previous.header.clone();
        let mut footer = previous.footer.clone();
        for e in sect.elements() {
            let into = match e.name.as_str() {
                "w:headerReference" => &mut header,
                "w:footerReference" => &mut footer,
                _ => continue,
            };
            let Some(target) = e.attr("r:id").and_then(|id| rels.get(&id).cloned()) else {
                continue;
            };
            let blocks = self.story(&super::package::resolve("word", &target));
            match e.attr("w:type").as_deref() {
                Some("first") => into.first = Some(blocks),
                Some("even") => into.even = Some(blocks),
                _ => into.default = Some(blocks),
            }
        }
        self.cx.rels = rels.clone();
        Section {
            page,
            header,
            footer,
            title_page: sect.child("w:titlePg").is_some_and(on),
            new_page: sect
                .child("w:type")
                .and_then(|t| t.attr("w:val"))
                .as_deref()
                != Some("continuous"),
            blocks,
        }
    }

    /// The blocks of a header or footer part.
    fn story(&mut self, name: &str) -> Vec<Block> {
        let mut out = Vec::new();
        let Some(tree) = self.cx.part(name) else {
            return out;
        };
        let Some(root) = xml::elements(&tree).next() else {
            return out;
        };
        let rels = self.cx.rels_of(name);
        let saved = std::mem::replace(&mut self.cx.rels, rels);
        let fields = std::mem::take(&mut self.fields);
        for c in root.elements() {
            self.block(c, &mut out, 0);
        }
        self.fields = fields;
        self.cx.rels = saved;
        out
    }

    fn block(&mut self, e: &Element, out: &mut Vec<Block>, depth: usize) {
        match e.name.as_str() {
            "w:p" => self.paragraph(e, out, depth),
            "w:tbl" if depth < MAX_TABLE_DEPTH => {
                if let Some(t) = self.table(e, depth + 1) {
                    out.push(Block::Table(t));
                }
            }
            "w:tbl" | "w:tr" | "w:tc" | "w:customXml" | "w:ins" => {
                for c in e.elements() {
                    self.block(c, out, depth);
                }
            }
            "w:sdt" => {
                if let Some(content) = e.child("w:sdtContent") {
                    for c in content.elements() {
                        self.block(c, out, depth);
                    }
                }
            }
            _ => {}
        }
    }

    fn paragraph(&mut self, p: &Element, out: &mut Vec<Block>, depth: usize) {
        let (props, base) = self.cx.paragraph_props(p.child("w:pPr"));
        let mark = run_style(&base);
        let mut para = para_of(&props, mark, self.cx.default_tab);
        if let Some((id, level)) = props.num.clone().filter(|_| !self.toc_open) {
            if let Some(label) = self.cx.list_label(&id, level) {
                let label_style = para.mark.clone();
                para.inlines.push(Inline::Text(label, label_style.clone()));
                para.inlines.push(Inline::Tab(label_style));
            }
        }
        let mut after = Vec::new();
        let toc_before = self.toc_open;
        self.inline(p, &base, &mut para, &mut after, depth);
        if toc_before {
            // Inside a table of contents: its old entries go; what follows its end stays.
            if !para.inlines.is_empty() {
                out.push(Block::Para(para));
            }
        } else {
            if para.outline.is_some_and(|l| l < 9) {
                para.heading = Some(self.headings);
                self.headings += 1;
            }
            let starts_toc = self.toc_open;
            if !starts_toc || !para.inlines.is_empty() {
                out.push(Block::Para(para));
            }
            if starts_toc {
                // Its entries are written once every heading is known.
                out.push(Block::Toc(Vec::new()));
            }
        }
        out.extend(after);
    }

    /// The runs of a paragraph (or of a hyperlink, a field, a content control inside it).
    fn inline(
        &mut self,
        e: &Element,
        base: &RunProps,
        para: &mut Para,
        after: &mut Vec<Block>,
        depth: usize,
    ) {
        for c in e.elements() {
            match c.name.as_str() {
                "w:r" => self.run(c, base, para, after, depth),
                "w:hyperlink" | "w:smartTag" | "w:ins" | "w:customXml" => {
                    self.inline(c, base, para, after, depth)
                }
                "w:fldSimple" => {
                    let instr = c.attr("w:instr").unwrap_or_default();
                    match field_of(&instr) {
                        Some(f) => {
                            let style = run_style(base);
                            para.inlines.push(Inline::Field(f, style));
                        }
                        None => self.inline(c, base, para, after, depth),
                    }
                }
                "w:sdt" => {
                    if let Some(content) = c.child("w:sdtContent") {
                        self.inline(content, base, para, after, depth)
                    }
                }
                "m:oMath" | "m:oMathPara" => {
                    self.note("equation");
                    let text: String = c.text();
                    if !text.is_empty() {
                        para.inlines.push(Inline::Text(text, run_style(base)));
                    }
                }
                _ => {}
            }
        }
    }

    fn hidden(&self) -> bool {
        self.toc_open || self.fields.iter().any(|f| !f.result || f.replaced)
    }

    fn run(
        &mut self,
        r: &Element,
        base: &RunProps,
        para: &mut Para,
        after: &mut Vec<Block>,
        depth: usize,
    ) {
        let props = self.cx.run_props_of(r, base);
        let rs = run_style(&props);
        if let Some(f) = &rs.east_asia {
            self.docx.fonts.insert(f.clone());
        }
        if let Some(f) = &rs.latin {
            self.docx.fonts.insert(f.clone());
        }
        let vanish = props.hidden == Some(true);
        let mut text = String::new();
        let flush = |text: &mut String, para: &mut Para| {
            if !text.is_empty() {
                para.inlines
                    .push(Inline::Text(std::mem::take(text), rs.clone()));
            }
        };
        for c in r.elements() {
            match c.name.as_str() {
                "w:fldChar" => {
                    flush(&mut text, para);
                    self.field_char(c, para, &rs);
                }
                "w:instrText" => {
                    if let Some(f) = self.fields.last_mut().filter(|f| !f.result) {
                        if f.instr.len() < 4096 {
                            f.instr.push_str(&c.text());
                        }
                    }
                }
                _ if self.hidden() || vanish => {}
                "w:t" => text.push_str(&c.text()),
                "w:tab" | "w:ptab" => {
                    flush(&mut text, para);
                    para.inlines.push(Inline::Tab(rs.clone()));
                }
                "w:br" | "w:cr" => {
                    flush(&mut text, para);
                    match c.attr("w:type").as_deref() {
                        Some("page") => para.inlines.push(Inline::PageBreak),
                        Some("column") => {
                            self.note("column break");
                            para.inlines.push(Inline::Break)
                        }
                        _ => para.inlines.push(Inline::Break),
                    }
                }
                "w:noBreakHyphen" => text.push('\u{2011}'),
                "w:softHyphen" => {}
                "w:sym" => {
                    if let Some(ch) = c
                        .attr("w:char")
                        .and_then(|h| u32::from_str_radix(&h, 16).ok())
                        .map(|v| {
                            if (0xF000..=0xF0FF).contains(&v) {
                                v - 0xF000
                            } else {
                                v
                            }
                        })
                        .and_then(char::from_u32)
                        .filter(|c| !c.is_control())
                    {
                        text.push(ch);
                    }
                }
                "w:drawing" | "w:pict" | "mc:AlternateContent" | "w:object" => {
                    flush(&mut text, para);
                    self.drawing(c, para, after, depth);
                }
                _ => {}
            }
        }
        flush(&mut text, para);
    }

    fn field_char(&mut self, c: &Element, para: &mut Para, rs: &RunStyle) {
        match c.attr("w:fldCharType").as_deref() {
            Some("begin") if self.fields.len() < 32 => {
                self.fields.push(OpenField {
                    instr: String::new(),
                    result: false,
                    replaced: false,
                });
            }
            Some("separate") => {
                let hidden = self.hidden_above();
                if let Some(f) = self.fields.last_mut() {
                    f.result = true;
                    let kind = field_of(&f.instr);
                    let toc = is_toc(&f.instr);
                    if kind.is_some() || toc {
                        f.replaced = true;
                    }
                    if !hidden {
                        if let Some(k) = kind {
                            para.inlines.push(Inline::Field(k, rs.clone()));
                        }
                        if toc && !self.toc_open {
                            self.toc_open = true;
                            self.docx.has_toc = true;
                        }
                    }
                }
            }
            Some("end") => {
                let hidden = self.hidden_above();
                if let Some(f) = self.fields.pop() {
                    // A field without a result part: a page number still shows.
                    if !f.result && !hidden {
                        if let Some(k) = field_of(&f.instr) {
                            para.inlines.push(Inline::Field(k, rs.clone()));
                        }
                    }
                    if is_toc(&f.instr) && f.result {
                        self.toc_open = false;
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether the fields outside the innermost one hide what it shows.
    fn hidden_above(&self) -> bool {
        let n = self.fields.len().saturating_sub(1);
        self.fields[..n].iter().any(|f| !f.result || f.replaced)
            || (self.toc_open
                && !self
                    .fields
                    .last()
                    .is_some_and(|f| is_toc(&f.instr) && f.result))
    }

    /// A picture inline where it stands; a text box's paragraphs after the paragraph.
    fn drawing(&mut self, d: &Element, para: &mut Para, after: &mut Vec<Block>, depth: usize) {
        let anchor = find(d, "wp:anchor");
        let extent = find(d, "wp:extent")
            .map(|e| {
                (
                    num(e, "cx").unwrap_or(0.0) * EMU,
                    num(e, "cy").unwrap_or(0.0) * EMU,
                )
            })
            .filter(|(w, h)| *w > 0.0 && *h > 0.0);
        if let Some(txbx) = find(d, "w:txbxContent") {
            let mut blocks = Vec::new();
            if depth < MAX_TABLE_DEPTH {
                for c in txbx.elements() {
                    self.block(c, &mut blocks, depth + 1);
                }
            }
            // A text box anchored where it stands is drawn there; one inline (or of no known
            // size) is read after its paragraph.
            match (anchor.and_then(position), extent) {
                (Some((x, y)), Some((w, h))) => {
                    self.wraps(anchor);
                    para.inlines.push(Inline::Floating(Box::new(Floating {
                        x,
                        y,
                        width: len(w).max(1.0),
                        height: len(h).max(1.0),
                        body: FloatingBody::Blocks(blocks),
                    })));
                }
                _ => after.extend(blocks),
            }
            return;
        }
        if find(d, "c:chart").is_some() {
            return self.note("chart");
        }
        if find(d, "dgm:relIds").is_some() {
            return self.note("SmartArt");
        }
        let Some(blip) = find(d, "a:blip").or_else(|| find(d, "v:imagedata")) else {
            if d.name == "w:pict" || d.name == "w:object" {
                self.note("drawing object");
            }
            return;
        };
        let Some(id) = blip.attr("r:embed").or_else(|| blip.attr("r:id")) else {
            return;
        };
        let Some(image) = self.cx.rels.get(&id).cloned().and_then(|t| {
            let name = super::package::resolve(&self.cx.part_dir, &t);
            self.cx.image(&name)
        }) else {
            return self.note("picture in a format other than PNG or JPEG");
        };
        let (w, h) =
            extent.unwrap_or((image.width_px as f32 * 0.75, image.height_px as f32 * 0.75));
        let picture = Picture {
            image,
            width: len(w).max(1.0),
            height: len(h).max(1.0),
            alt: find(d, "wp:docPr")
                .and_then(|p| p.attr("descr"))
                .unwrap_or_default(),
        };
        match anchor.and_then(position) {
            Some((x, y)) => {
                self.wraps(anchor);
                para.inlines.push(Inline::Floating(Box::new(Floating {
                    x,
                    y,
                    width: picture.width,
                    height: picture.height,
                    body: FloatingBody::Picture(picture),
                })));
            }
            None => para.inlines.push(Inline::Picture(picture)),
        }
    }

    /// Notes an anchored object that text should wrap around: it is drawn, the text not moved.
    fn wraps(&mut self, anchor: Option<&Element>) {
        let wrapped = anchor.is_some_and(|a| {
            a.elements().any(|e| {
                matches!(
                    e.name.as_str(),
                    "wp:wrapSquare" | "wp:wrapTight" | "wp:wrapThrough" | "wp:wrapTopAndBottom"
                )
            })
        });
        if wrapped {
            self.note("text wrap around a floating object (the text is not moved)");
        }
    }
}
