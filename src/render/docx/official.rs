//! The official profile in DOCX (GB/T 9704-2012): the page set-up and document grid of a
//! 156 × 225 mm text block of 22 lines × 28 characters, the faces Word and WPS know by name
//! (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, each with the face to use where it is not
//! installed), the 版头 and 版记 paragraphs, and page numbers "— 1 —" on the outer side.

use super::esc;

/// Page set-up: margins 37 mm top, 28 mm binding side, 26 mm right, 35 mm bottom (twips);
/// the line grid: a pitch of 225 mm / 22. The character pitch of 156 mm / 28 is the body
/// text's spacing (16 pt less 0.25 pt, in the styles: 28 × 15.75 pt fit the 442.25 pt line,
/// 28 × 15.8 pt would not) rather than the grid's `charSpace`, which LibreOffice reads
/// otherwise than Word (it spread the line to 16 characters); text spacing is read alike.
pub(super) const SECTION: &str = r#"<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1"/><w:headerReference w:type="even" r:id="rIdHeader1"/><w:footerReference w:type="default" r:id="rIdFooter1"/><w:footerReference w:type="even" r:id="rIdFooter2"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587" w:header="851" w:footer="1304" w:gutter="0"/><w:docGrid w:type="lines" w:linePitch="579"/></w:sectPr>"#;

/// The text width in twips (156 mm).
pub(super) const CONTENT_WIDTH: u32 = 8844;

/// Body, heading and title faces as Word and WPS name them.
pub(super) const BODY: &str = "仿宋_GB2312";
pub(super) const HEI: &str = "黑体";
pub(super) const KAI: &str = "楷体_GB2312";
pub(super) const TITLE: &str = "方正小标宋简体";

/// Even and odd pages have their own footers (the page number's side).
pub(super) const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:evenAndOddHeaders/><w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#;

/// The fonts, each with the installed face Word and WPS use in its place.
pub(super) const FONT_TABLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font><w:font w:name="楷体_GB2312"><w:altName w:val="楷体"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font><w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/><w:charset w:val="86"/><w:family w:val="script"/><w:pitch w:val="fixed"/></w:font><w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font><w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font></w:fonts>"#;

/// The styles: 3号 (16 pt) 仿宋 body on the grid, 2号 小标宋 title, headings by level
/// (一、 黑体, （一） 楷体, 1. 仿宋), each two characters in.
pub(super) fn styles(latin: &str) -> String {
    let f = |east: &str| {
        format!(
            r#"<w:rFonts w:ascii="{l}" w:hAnsi="{l}" w:eastAsia="{e}" w:cs="{l}"/>"#,
            l = esc(latin),
            e = esc(east)
        )
    };
    let heading = |id: &str, name: &str, face: &str, level: u32| {
        format!(
            r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:ind w:firstLineChars="200" w:firstLine="640"/><w:outlineLvl w:val="{level}"/></w:pPr><w:rPr>{}</w:rPr></w:style>"#,
            f(face)
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr>{body}<w:spacing w:val="-5"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/><w:spacing w:after="579"/></w:pPr><w:rPr>{title}<w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/></w:pPr></w:style>{h1}{h2}{h3}<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr><w:tblPr><w:tblCellMar><w:left w:w="100" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#,
        body = f(BODY),
        title = f(TITLE),
        h1 = heading("Heading1", "heading 1", HEI, 0),
        h2 = heading("Heading2", "heading 2", KAI, 1),
        h3 = heading("Heading3", "heading 3", BODY, 2),
    )
}

/// The paragraph properties of 发文机关标志 (red, centred, a red rule under it) and of a
/// 版记 line (4号, one character in from each side, rules above and below).
pub(super) const MASTHEAD_PPR: &str = r#"<w:jc w:val="center"/><w:pBdr><w:bottom w:val="single" w:sz="16" w:space="12" w:color="E60012"/></w:pBdr><w:spacing w:after="579"/>"#;
pub(super) const COLOPHON_PPR: &str = r#"<w:pBdr><w:top w:val="single" w:sz="8" w:space="1" w:color="000000"/><w:bottom w:val="single" w:sz="8" w:space="1" w:color="000000"/></w:pBdr><w:ind w:left="280" w:right="280"/>"#;

/// Run properties of the masthead and of a colophon line.
pub(super) fn masthead_rpr(latin: &str) -> String {
    format!(
        r#"<w:rFonts w:ascii="{l}" w:hAnsi="{l}" w:eastAsia="{TITLE}" w:cs="{l}"/><w:color w:val="E60012"/><w:sz w:val="52"/><w:szCs w:val="52"/>"#,
        l = esc(latin)
    )
}

/// The footers: "— PAGE —" in 4号 宋体, odd pages right and even pages left, one character
/// in from the edge.
pub(super) fn footer(odd: bool) -> String {
    let r = |inner: &str| {
        format!(
            r#"<w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>{inner}</w:r>"#
        )
    };
    let (jc, ind) = if odd {
        ("right", r#"<w:ind w:right="280"/>"#)
    } else {
        ("left", r#"<w:ind w:left="280"/>"#)
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:jc w:val="{jc}"/>{ind}</w:pPr>{}{}{}{}{}{}</w:p></w:ftr>"#,
        r(r#"<w:t xml:space="preserve">— </w:t>"#),
        r(r#"<w:fldChar w:fldCharType="begin"/>"#),
        r(r#"<w:instrText xml:space="preserve"> PAGE </w:instrText>"#),
        r(r#"<w:fldChar w:fldCharType="separate"/>"#),
        r("<w:t>1</w:t>"),
        r(r#"<w:fldChar w:fldCharType="end"/>"#) + &r(r#"<w:t xml:space="preserve"> —</w:t>"#),
    )
}
