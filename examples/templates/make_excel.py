#!/usr/bin/env python3
"""Writes the sample Excel templates: excel/weekly-progress/template.xlsx, the guide's 周进展表
as a workbook an office keeps — a merged title, a task row between a loop's tags, status colours
by conditional format, a status list by data validation, totals under the table, and a second
sheet with a summary and a chart that read the table; and excel/duty-list/template.xlsx, the
部门职责清单 of a kind of its own — a summary sheet, then one sheet per department (named
{{#each doc.departments}}) with its duties, a remark row shown only when there is one, and the
head's signature line.

    python3 -m pip install openpyxl==3.1.5 && python3 examples/templates/make_excel.py

openpyxl writes the workbook as Excel does (shared strings, styles, a drawing for the chart).
Its timestamps are fixed so the committed file only changes when this script does.
"""

import datetime
import pathlib

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

OUT = pathlib.Path(__file__).resolve().parent / "excel" / "weekly-progress" / "template.xlsx"

wb = Workbook()
ws = wb.active
ws.title = "周进展"
thin = Side(style="thin", color="000000")
box = Border(left=thin, right=thin, top=thin, bottom=thin)
head = PatternFill("solid", fgColor="D9E2F3")

ws.merge_cells("A1:H1")
ws["A1"] = "{{doc.project.name}} 周进展表（{{date doc.week.start}}—{{date doc.week.end}}）"
ws["A1"].font = Font(name="黑体", size=16, bold=True)
ws["A1"].alignment = Alignment(horizontal="center")
ws.merge_cells("A2:H2")
ws["A2"] = "部门：{{doc.department}}　填报人：{{doc.reporter.display}}　完成率：{{derived.completion_text}}"

headers = ["序号", "任务", "负责人", "部门", "状态", "进度", "截止日期", "备注"]
for i, h in enumerate(headers, start=1):
    c = ws.cell(row=4, column=i, value=h)
    c.font = Font(bold=True)
    c.fill = head
    c.border = box
    c.alignment = Alignment(horizontal="center")

row = ["{{#each doc.tasks}}{{inc @index}}", "{{task}}", "{{owner.display}}", "{{department}}",
       "{{status}}", "{{progress_value}}", "{{due}}", "{{#if note}}{{note}}{{/if}}{{/each}}"]
for i, v in enumerate(row, start=1):
    c = ws.cell(row=5, column=i, value=v)
    c.border = box
ws["F5"].number_format = "0%"
ws["G5"].number_format = "yyyy/m/d"

ws["A7"] = "合计"
ws["A7"].font = Font(bold=True)
ws["B7"] = "=COUNTA(B5:B5)&\"项任务\""
ws["E7"] = "平均进度"
ws["F7"] = "=AVERAGE(F5:F5)"
ws["F7"].number_format = "0%"

ws.conditional_formatting.add("F5:F5", CellIsRule(operator="lessThan", formula=["0.5"], fill=PatternFill("solid", fgColor="FFC7CE")))
statuses = DataValidation(type="list", formula1='"未开始,进行中,已完成,需支持,有风险,已延期"', allow_blank=True)
ws.add_data_validation(statuses)
statuses.add("E5:E5")
for col, width in zip("ABCDEFGH", [6, 28, 18, 10, 10, 8, 12, 24]):
    ws.column_dimensions[col].width = width
ws.freeze_panes = "A5"

summary = wb.create_sheet("汇总")
summary["A1"] = "{{doc.project.name}} 汇总"
summary["A1"].font = Font(bold=True, size=14)
summary["A2"] = "任务数"
summary["B2"] = "=COUNTA(周进展!B5:B5)"
summary["A3"] = "平均进度"
summary["B3"] = "=AVERAGE(周进展!F5:F5)"
summary["B3"].number_format = "0%"
chart = BarChart()
chart.title = "各任务进度"
chart.add_data(Reference(ws, min_col=6, min_row=5, max_row=5), titles_from_data=False)
chart.set_categories(Reference(ws, min_col=2, min_row=5, max_row=5))
chart.legend = None
summary.add_chart(chart, "D2")

fixed = datetime.datetime(2026, 1, 5, 9, 0, 0)
wb.properties.created = fixed
wb.properties.modified = fixed
wb.properties.creator = "办公室"
OUT.parent.mkdir(parents=True, exist_ok=True)
wb.save(OUT)


def stabilize(out):
    """openpyxl stamps the ZIP entries and core.xml with the current time: fixed ones instead,
    so the committed file only changes when this script does."""
    import re
    import zipfile

    data = {}
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        for n in names:
            data[n] = z.read(n)
    data["docProps/core.xml"] = re.sub(
        rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
        rb"<dcterms:modified\1>2026-01-05T09:00:00Z</dcterms:modified>",
        data["docProps/core.xml"],
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            info = zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data[n])
    print(out)


stabilize(OUT)


def duty_list():
    out = OUT.parent.parent / "duty-list" / "template.xlsx"
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    summary.merge_cells("A1:D1")
    summary["A1"] = "{{doc.project}} 部门职责清单"
    summary["A1"].font = Font(name="黑体", size=16, bold=True)
    summary["A1"].alignment = Alignment(horizontal="center")
    summary["A2"] = "牵头部门：{{doc.lead_department}}　编制日期：{{date doc.issued_on}}"
    for i, h in enumerate(["序号", "部门", "负责人", "任务数"], start=1):
        c = summary.cell(row=4, column=i, value=h)
        c.font = Font(bold=True)
        c.fill = head
        c.border = box
    for i, v in enumerate(["{{#each doc.departments}}{{inc @index}}", "{{name}}", "{{head}}",
                           "{{len duties}}{{/each}}"], start=1):
        summary.cell(row=5, column=i, value=v).border = box
    summary["C7"] = "合计"
    summary["D7"] = "=SUM(D5:D5)"
    for col, width in zip("ABCD", [6, 16, 12, 10]):
        summary.column_dimensions[col].width = width

    ws = wb.create_sheet("{{#each doc.departments}}")
    ws.merge_cells("A1:E1")
    ws["A1"] = "{{name}} 职责清单"
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A2:E2")
    ws["A2"] = "项目：{{@root.doc.project}}　负责人：{{head}}{{#if contact}}　联系方式：{{contact}}{{/if}}"
    for i, h in enumerate(["序号", "任务", "交付物", "完成时限", "备注"], start=1):
        c = ws.cell(row=4, column=i, value=h)
        c.font = Font(bold=True)
        c.fill = head
        c.border = box
    row = ["{{#each duties}}{{inc @index}}", "{{task}}", "{{deliverable}}", "{{due}}",
           "{{#if note}}{{note}}{{/if}}{{/each}}"]
    for i, v in enumerate(row, start=1):
        ws.cell(row=5, column=i, value=v).border = box
    ws["D5"].number_format = "yyyy/m/d"
    ws["A6"] = "合计"
    ws["B6"] = "=COUNTA(B5:B5)&\"项任务\""
    ws["A8"] = "{{#if remarks}}部门备注"
    ws.merge_cells("B8:E8")
    ws["B8"] = "{{remarks}}{{/if}}"
    ws["A10"] = "部门负责人（签字）："
    ws["C10"] = "{{head}}"
    ws["D10"] = "日期："
    for col, width in zip("ABCDE", [6, 30, 24, 12, 20]):
        ws.column_dimensions[col].width = width
    ws.print_title_rows = "4:4"
    ws.print_area = "A1:E10"

    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "办公室"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    stabilize(out)


duty_list()
