//! The page header (organisation, logo, document number, draft mark as a watermark) and the
//! footer with its page fields.

use std::fmt::Write as _;

use super::*;

impl<'a> Writer<'a> {
    pub(super) fn header(&mut self, doc: &'a Document) -> String {
        let h = doc.header.clone().unwrap_or_default();
        // The logo goes in the header part, which has its own relationships.
        let logo = doc
            .header
            .as_ref()
            .and_then(|h| h.logo.as_ref())
            .map(|img| {
                let saved = std::mem::take(&mut self.xml);
                self.picture(img, 12.0, None);
                std::mem::replace(&mut self.xml, saved)
            });
        let half = self.content_width / 2;
        let f = fonts(self.theme, &self.theme.body_east_asia);
        let side = |text: &str, a: &str, before: &str| {
            format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{half}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:jc w:val="{a}"/></w:pPr>{before}<w:r><w:rPr>{f}<w:color w:val="595959"/><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>"#,
                esc(text)
            )
        };
        let mut x = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr {NS} {VML_NS}>"#
        );
        // The official profile has no running header: only a draft's watermark.
        if !self.official {
            let _ = write!(
                x,
                r#"<w:tbl><w:tblPr><w:tblW w:w="{}" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid><w:gridCol w:w="{half}"/><w:gridCol w:w="{half}"/></w:tblGrid><w:tr>{}{}</w:tr></w:tbl>"#,
                half * 2,
                side(&h.left, "left", logo.as_deref().unwrap_or_default()),
                side(&h.right, "right", "")
            );
        }
        if let Some(mark) = &doc.draft_mark {
            let hf = fonts(self.theme, &self.theme.heading_east_asia);
            // A red line under the header, and the diagonal watermark Word itself writes
            // (a VML text path in the header is drawn behind the text of every page).
            let _ = write!(
                x,
                r##"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr>{hf}<w:b/><w:color w:val="C00000"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">{mark}</w:t></w:r><w:r><w:rPr><w:noProof/></w:rPr><w:pict>{WATERMARK_SHAPETYPE}<v:shape id="DraftWatermark" type="#_x0000_t136" style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:110pt;rotation:315;z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#C00000" stroked="f"><v:fill opacity="0.16"/><v:textpath style="font-family:&quot;{font}&quot;;font-size:1pt;font-weight:bold" string="{mark}"/></v:shape></w:pict></w:r></w:p>"##,
                mark = esc(mark),
                font = esc(&self.theme.heading_east_asia),
            );
        } else {
            x.push_str("<w:p/>");
        }
        x.push_str("</w:hdr>");
        x
    }

    pub(super) fn footer(&self, doc: &Document) -> String {
        let text = doc
            .footer
            .clone()
            .unwrap_or_else(|| "第 {page} 页 / 共 {pages} 页".into());
        let run = |t: &str| {
            format!(
                r#"<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
                esc(t)
            )
        };
        let field = |instr: &str| {
            format!(
                r#"<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>"#
            )
        };
        let mut body = String::new();
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let next = [("{page}", "PAGE"), ("{pages}", "NUMPAGES")]
                .iter()
                .filter_map(|(tok, instr)| rest.find(tok).map(|i| (i, *tok, *instr)))
                .min_by_key(|(i, _, _)| *i);
            match next {
                Some((i, tok, instr)) => {
                    if i > 0 {
                        body.push_str(&run(&rest[..i]));
                    }
                    body.push_str(&field(instr));
                    rest = &rest[i + tok.len()..];
                }
                None => {
                    body.push_str(&run(rest));
                    rest = "";
                }
            }
        }
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr {NS}><w:p><w:pPr><w:jc w:val="center"/></w:pPr>{body}</w:p></w:ftr>"#
        )
    }
}
