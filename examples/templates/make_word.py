#!/usr/bin/env python3
"""Writes the sample Word templates the way Word saves them — styles, settings, a header and a
footer with a PAGE field, core properties, tags split over runs by spell-check marks and
bookmarks, curly quotes that autocorrect typed:

- word/letterhead-minutes/template.docx: the guide's meeting minutes on a company letterhead,
  a template of the built-in kind meeting-minutes;
- word/travel-request/template.docx: 出差审批单, a form the guide does not have, a kind of its
  own (its schema in schema.json beside it).

    python3 examples/templates/make_word.py

The output is the same bytes every time (fixed ZIP times), so the committed file only changes
when this script does.
"""

import pathlib
import zipfile

HERE = pathlib.Path(__file__).resolve().parent

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="w14"'
)
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
SONG = '<w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体" w:hAnsi="Times New Roman"/>'
HEI = '<w:rFonts w:ascii="Arial" w:eastAsia="黑体" w:hAnsi="Arial"/>'

_ids = iter(range(0x10000000, 0x7FFFFFFF, 0x1111))


def pid():
    n = next(_ids)
    return f'w14:paraId="{n:08X}" w14:textId="{n ^ 0x0F0F0F0F:08X}"'


def run(text, rpr=""):
    rpr = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def para(*runs, ppr=""):
    ppr = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
    return f"<w:p {pid()}>{ppr}{''.join(runs)}</w:p>"


def heading(text):
    return para(run(text), ppr='<w:pStyle w:val="Heading1"/>')


def cell(width, content, shade=False, vmerge=""):
    tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>{vmerge}'
    if shade:
        tcpr += '<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>'
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{content}</w:tc>"


def row(*cells, header=False):
    trpr = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    return f"<w:tr {pid()}>{trpr}{''.join(cells)}</w:tr>"


def table(widths, *rows):
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )


B = "<w:b/>"


def letterhead_minutes():
    # A tag as Word keeps it after a spell check and a bookmark landed inside it.
    split_title = (
        run("{{doc.", B + '<w:sz w:val="30"/>')
        + '<w:proofErr w:type="spellStart"/>'
        + '<w:bookmarkStart w:id="0" w:name="主题"/>'
        + run("ti", B + '<w:sz w:val="30"/>')
        + '<w:bookmarkEnd w:id="0"/>'
        + run("tle}}", B + '<w:sz w:val="30"/>')
        + '<w:proofErr w:type="spellEnd"/>'
    )

    info = table(
        [1800, 6500],
        row(cell(1800, para(run("会议主题", B)), True), cell(6500, para(run("{{doc.title}}")))),
        row(
            cell(1800, para(run("会议时间", B)), True),
            cell(6500, para(run("{{date doc.meeting.date}} {{doc.meeting.start}}{{#if doc.meeting.end}}–{{doc.meeting.end}}{{/if}}"))),
        ),
        row(cell(1800, para(run("会议地点", B)), True), cell(6500, para(run("{{doc.meeting.location}}")))),
        row(
            cell(1800, para(run("主持人", B)), True),
            cell(6500, para(run("{{doc.meeting.host.display}}"), run("　记录人：", B), run("{{doc.meeting.recorder.display}}"))),
        ),
        # Autocorrect made the quotes around 、 curly; the tag still reads.
        row(cell(1800, para(run("参会人员", B)), True), cell(6500, para(run("{{join doc.attendees “、”}}")))),
    )

    actions = table(
        [700, 3300, 1700, 1400, 1200],
        row(*(cell(w, para(run(t, B), ppr='<w:jc w:val="center"/>'), True)
              for w, t in [(700, "序号"), (3300, "任务"), (1700, "负责人"), (1400, "截止日期"), (1200, "状态")]),
            header=True),
        row(
            cell(700, para(run("{{#each doc.action_items}}{{inc @index}}"), ppr='<w:jc w:val="center"/>')),
            cell(3300, para(run("{{task}}"))),
            cell(1700, para(run("{{owner.display}}"))),
            cell(1400, para(run("{{date due}}"), ppr='<w:jc w:val="center"/>')),
            cell(1200, para(run("{{#if status}}{{status}}{{else}}未开始{{/if}}{{/each}}"), ppr='<w:jc w:val="center"/>')),
        ),
    )

    body = "".join([
        para(run("会 议 纪 要", HEI + '<w:color w:val="C00000"/><w:sz w:val="44"/>'), ppr='<w:jc w:val="center"/><w:spacing w:after="120"/>'),
        para(split_title, ppr='<w:jc w:val="center"/><w:spacing w:after="240"/>'),
        heading("一、基本信息"),
        info,
        heading("二、会议议程"),
        para(run("{{#each doc.agenda}}")),
        para(run("{{inc @index}}. {{title}}"), run("{{#if minutes}}（{{minutes}}分钟）{{/if}}", '<w:color w:val="595959"/>'), ppr='<w:ind w:firstLineChars="200" w:firstLine="480"/>'),
        para(run("{{/each}}")),
        heading("三、讨论要点"),
        para(run("{{#each doc.discussions}}")),
        para(run("{{topic}}：", B), run("{{summary}}"), ppr='<w:ind w:firstLineChars="200" w:firstLine="480"/>'),
        para(run("{{/each}}")),
        heading("四、共识结论"),
        para(run("{{#each doc.decisions}}")),
        para(run("{{inc @index}}. {{this}}"), ppr='<w:ind w:firstLineChars="200" w:firstLine="480"/>'),
        para(run("{{/each}}")),
        heading("五、行动项"),
        actions,
        heading("六、下次会议"),
        para(run("{{#if doc.next_meeting}}{{date doc.next_meeting.date}} {{doc.next_meeting.time}}，{{doc.next_meeting.location}}{{else}}待定{{/if}}"), ppr='<w:ind w:firstLineChars="200" w:firstLine="480"/>'),
        para(run("（本纪要经主持人审核后分发至全体参会人员。）", '<w:color w:val="595959"/><w:sz w:val="21"/>'), ppr='<w:jc w:val="right"/>'),
    ])


    header = para(run("{{#if doc.organization}}{{doc.organization.name}}{{/if}}", HEI + '<w:color w:val="C00000"/><w:sz w:val="28"/>'),
                  ppr='<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="1" w:color="C00000"/></w:pBdr><w:jc w:val="center"/>')
    footer = para(run("{{#if doc.document_no}}编号：{{doc.document_no}}　{{/if}}第 "),
                  '<w:fldSimple w:instr=" PAGE \\* MERGEFORMAT "><w:r><w:t>1</w:t></w:r></w:fldSimple>',
                  run(" 页"), ppr='<w:jc w:val="center"/>')
    return body, header, footer, "会议纪要（公司信笺）"


def label(text, width, span=1):
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return cell(width, para(run(text, B), ppr='<w:jc w:val="center"/>'), True, grid)


def value(text, width, span=1):
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return cell(width, para(run(text)), False, grid)


def travel_request():
    # A form: label and value cells on a six-column grid, spans where a value needs room, the
    # costs repeated one row each under a 费用预算 cell merged down beside them and the total.
    w = [1300, 1500, 1300, 1500, 1300, 1700]
    rows = [
        row(label("申请人", w[0]), value("{{doc.applicant.name}}", w[1]), label("部门", w[2]), value("{{doc.applicant.department}}", w[3]),
            label("申请日期", w[4]), value("{{date doc.applied_on}}", w[5])),
        row(label("出差地点", w[0]), value("{{doc.destination}}", sum(w[1:4]), 3), label("交通工具", w[4]), value("{{doc.transport}}", w[5])),
        row(label("出差时间", w[0]), value("{{date doc.start}} 至 {{date doc.end}}", sum(w[1:]), 5)),
        row(label("同行人员", w[0]), value("{{#if doc.companions}}{{join doc.companions “、”}}{{else}}无{{/if}}", sum(w[1:]), 5)),
        row(label("出差事由", w[0]), value("{{doc.purpose}}", sum(w[1:]), 5)),
        row(cell(w[0], para(run("费用预算", B), ppr='<w:jc w:val="center"/>'), True, '<w:vMerge w:val="restart"/>'),
            value("{{#each doc.budget}}{{item}}", sum(w[1:4]), 3), value("{{amount}} 元{{/each}}", sum(w[4:]), 2)),
        row(cell(w[0], para(""), True, "<w:vMerge/>"),
            cell(sum(w[1:4]), para(run("合计", B), ppr='<w:jc w:val="right"/>'), False, '<w:gridSpan w:val="3"/>'),
            value("{{doc.budget_total}} 元{{#if doc.advance}}（预借 {{doc.advance}} 元）{{/if}}", sum(w[4:]), 2)),
        # One paragraph per approval, inside the cell; a note while there is none.
        row(label("审批意见", w[0]),
            cell(sum(w[1:]), para(run("{{#if doc.approvals}}{{#each doc.approvals}}"))
                 + para(run("{{role}}：", B), run("{{opinion}}　{{name}}　{{date date}}"))
                 + para(run("{{/each}}")) + para(run("{{else}}")) + para(run("（待审批）"))
                 + para(run("{{/if}}")), False, '<w:gridSpan w:val="5"/>')),
    ]
    body = "".join([
        para(run("出 差 审 批 单", HEI + '<w:sz w:val="40"/>'), ppr='<w:jc w:val="center"/><w:spacing w:after="240"/>'),
        para(run("编号：{{#if doc.document_no}}{{doc.document_no}}{{/if}}", '<w:sz w:val="21"/>'), ppr='<w:jc w:val="right"/>'),
        table(w, *rows),
        para(run("注：出差结束后五个工作日内凭票据办理报销。", '<w:color w:val="595959"/><w:sz w:val="21"/>')),
    ])
    header = para(run("{{#if doc.organization}}{{doc.organization.name}}{{/if}}", HEI + '<w:sz w:val="24"/>'), ppr='<w:jc w:val="center"/>')
    footer = para(run("第 "), '<w:fldSimple w:instr=" PAGE \\* MERGEFORMAT "><w:r><w:t>1</w:t></w:r></w:fldSimple>', run(" 页"), ppr='<w:jc w:val="center"/>')
    return body, header, footer, "出差审批单"


def package(out, body, header_p, footer_p, title):
    """Writes one template: the body and the header's and footer's paragraphs, in the parts
    Word writes around them."""
    sect = (
        '<w:sectPr><w:headerReference w:type="default" r:id="rId4"/><w:footerReference w:type="default" r:id="rId5"/>'
        '<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1587" w:bottom="1440" w:left="1587" w:header="851" w:footer="992" w:gutter="0"/>'
        '<w:cols w:space="425"/><w:docGrid w:type="lines" w:linePitch="312"/></w:sectPr>'
    )
    document = f"{DECL}<w:document {NS}><w:body>{body}{sect}</w:body></w:document>"
    header = f"{DECL}<w:hdr {NS}>{header_p}</w:hdr>"
    footer = f"{DECL}<w:ftr {NS}>{footer_p}</w:ftr>"

    styles = (
        f"{DECL}<w:styles {NS}><w:docDefaults><w:rPrDefault><w:rPr>{SONG}"
        '<w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>'
        f'<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr>{HEI}<w:b/><w:sz w:val="28"/></w:rPr></w:style>'
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
        "</w:styles>"
    )
    settings = (
        f'{DECL}<w:settings {NS}><w:zoom w:percent="100"/><w:defaultTabStop w:val="420"/>'
        '<w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>'
    )
    font_table = (
        f'{DECL}<w:fonts {NS}><w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/></w:font>'
        '<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/></w:font>'
        '<w:font w:name="Times New Roman"/><w:font w:name="Arial"/></w:fonts>'
    )
    R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    doc_rels = (
        f'{DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{R}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId2" Type="{R}/settings" Target="settings.xml"/>'
        f'<Relationship Id="rId3" Type="{R}/fontTable" Target="fontTable.xml"/>'
        f'<Relationship Id="rId4" Type="{R}/header" Target="header1.xml"/>'
        f'<Relationship Id="rId5" Type="{R}/footer" Target="footer1.xml"/>'
        "</Relationships>"
    )
    rels = (
        f'{DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        "</Relationships>"
    )
    WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    types = (
        f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{WML}.document.main+xml"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{WML}.styles+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{WML}.settings+xml"/>'
        f'<Override PartName="/word/fontTable.xml" ContentType="{WML}.fontTable+xml"/>'
        f'<Override PartName="/word/header1.xml" ContentType="{WML}.header+xml"/>'
        f'<Override PartName="/word/footer1.xml" ContentType="{WML}.footer+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    )
    core = (
        f'{DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title>'
        '<dc:creator>办公室</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2026-01-05T09:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )

    PARTS = [
        ("[Content_Types].xml", types),
        ("_rels/.rels", rels),
        ("docProps/core.xml", core),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", doc_rels),
        ("word/styles.xml", styles),
        ("word/settings.xml", settings),
        ("word/fontTable.xml", font_table),
        ("word/header1.xml", header),
        ("word/footer1.xml", footer),
    ]

    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in PARTS:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    print(out)


if __name__ == "__main__":
    package(HERE / "word" / "letterhead-minutes" / "template.docx", *letterhead_minutes())
    package(HERE / "word" / "travel-request" / "template.docx", *travel_request())
