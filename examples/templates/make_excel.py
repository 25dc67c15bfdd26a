#!/usr/bin/env python3
"""Writes the sample Excel template excel/weekly-progress/template.xlsx: the guide's 周进展表 as
a workbook an office keeps — a merged title, a task row between a loop's tags, status colours
by conditional format, a status list by data validation, totals under the table, and a second
sheet with a summary and a chart that read the table.

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

# openpyxl stamps the ZIP entries with the current time: fix them so the bytes are stable.
import re
import zipfile

data = {}
with zipfile.ZipFile(OUT) as z:
    names = z.namelist()
    for n in names:
        data[n] = z.read(n)
# openpyxl writes the save time as the modification time: the fixed one instead.
data["docProps/core.xml"] = re.sub(
    rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
    rb"<dcterms:modified\1>2026-01-05T09:00:00Z</dcterms:modified>",
    data["docProps/core.xml"],
)
with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as z:
    for n in names:
        info = zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data[n])
print(OUT)
