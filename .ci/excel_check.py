"""The shipped Excel template (the 周进展表) filled by the release binary with 120 tasks, read
back by openpyxl and by LibreOffice: every task's values in its row, typed (progress a number,
the due date a date), the formulas, merges, conditional format, data validation and chart
ranges grown to the 120 rows, the second sheet's references too, the simple totals' cached
values the data's; LibreOffice recalculates the totals and they equal the data's. Then the
部门职责清单 (a kind an Excel folder defines) with 12 departments: one sheet per department
named after it (a name made safe and unique), each duty in its row with its date a date, the
remark row hidden where there are no remarks, each copy's print area its own; LibreOffice
opens every sheet and counts each department's duties.

Usage: python3 .ci/excel_check.py BINARY
"""

import csv
import datetime
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

import openpyxl

from word_check import CSV_EVERY_SHEET, soffice_env

ROOT = pathlib.Path(__file__).resolve().parent.parent
TASKS = 120


def main():
    binary = sys.argv[1]
    payload = json.loads((ROOT / "examples/weekly-progress.json").read_text())
    base = payload["tasks"]
    payload["tasks"] = [dict(base[i % len(base)], task=f"{base[i % len(base)]['task']}（{i + 1}）") for i in range(TASKS)]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "weekly.json").write_text(json.dumps(payload, ensure_ascii=False))
        out = tmp / "weekly.xlsx"
        subprocess.run([binary, "render", "weekly-progress", "-i", str(tmp / "weekly.json"),
                        "--templates-dir", str(ROOT / "examples/templates"), "--template", "weekly-progress",
                        "-o", str(out)], check=True)
        last = 4 + TASKS
        wb = openpyxl.load_workbook(out)
        ws = wb["周进展"]
        for i, t in enumerate(payload["tasks"]):
            row = 5 + i
            if ws.cell(row, 2).value != t["task"]:
                failures.append(f"row {row}: task {ws.cell(row, 2).value!r}, not {t['task']!r}")
            progress = ws.cell(row, 6).value
            if not isinstance(progress, (int, float)) or abs(progress - t["progress"] / 100) > 1e-9:
                failures.append(f"row {row}: progress {progress!r} is not the number {t['progress'] / 100}")
            due = ws.cell(row, 7).value
            if not isinstance(due, datetime.datetime) or due.date().isoformat() != t["due"]:
                failures.append(f"row {row}: due {due!r} is not the date {t['due']}")
        totals = last + 2
        expected = {
            (totals, 2): f'=COUNTA(B5:B{last})&"项任务"',
            (totals, 6): f"=AVERAGE(F5:F{last})",
        }
        for (r, c), f in expected.items():
            if ws.cell(r, c).value != f:
                failures.append(f"{ws.cell(r, c).coordinate}: {ws.cell(r, c).value!r}, not {f!r}")
        summary = wb["汇总"]
        for at, f in {"B2": f"=COUNTA(周进展!B5:B{last})", "B3": f"=AVERAGE(周进展!F5:F{last})"}.items():
            if summary[at].value != f:
                failures.append(f"汇总!{at}: {summary[at].value!r}, not {f!r}")
        # The totals' cached values, for viewers that do not calculate.
        cached = openpyxl.load_workbook(out, data_only=True)
        mean = sum(t["progress"] for t in payload["tasks"]) / 100 / TASKS
        got = cached["周进展"].cell(totals, 6).value
        if not isinstance(got, (int, float)) or abs(got - mean) > 1e-9:
            failures.append(f"the cached average is {got!r}, not {mean}")
        if cached["汇总"]["B2"].value != TASKS:
            failures.append(f"the summary's cached count is {cached['汇总']['B2'].value!r}, not {TASKS}")
        merges = {str(r) for r in ws.merged_cells.ranges}
        if not {"A1:H1", "A2:H2"} <= merges:
            failures.append(f"the title merges are gone: {merges}")
        formats = [str(r.sqref) for r in ws.conditional_formatting]
        if formats != [f"F5:F{last}"]:
            failures.append(f"conditional format over {formats}, not F5:F{last}")
        validations = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
        if validations != [f"E5:E{last}"]:
            failures.append(f"data validation over {validations}, not E5:E{last}")
        package = zipfile.ZipFile(out)
        charts = [n for n in package.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]
        refs = [r for n in charts for r in re.findall(r"<(?:c:)?f>([^<]*)</(?:c:)?f>", package.read(n).decode())]
        if not refs or any(not r.endswith(f"${last}") for r in refs):
            failures.append(f"chart ranges {refs} do not end at row {last}")
        # LibreOffice opens it, recalculates, and its totals are the data's.
        env = soffice_env(tmp)
        subprocess.run(["soffice", "--headless", "--norestore", "--convert-to",
                        CSV_EVERY_SHEET,
                        "--outdir", str(tmp / "csv"), str(out)], check=True, capture_output=True, timeout=300, env=env)
        sheets = sorted((tmp / "csv").glob("weekly-*.csv"))
        rows = [row for s in sheets for row in csv.reader(s.open(encoding="utf-8"))]
        count = f"{TASKS}项任务"
        if not any(count in row for row in rows):
            failures.append(f"LibreOffice's total is not {count}")
        # The average as LibreOffice shows it: "56%", or now and then its full binary value
        # ("55.9999999999999%") — compared as a number.
        mean = sum(t["progress"] for t in payload["tasks"]) / TASKS
        shown = [float(c[:-1]) for row in rows if "平均进度" in row for c in row
                 if c.endswith("%") and c[:-1].replace(".", "", 1).isdigit()]
        if not any(f"{round(mean)}%" in row for row in rows) and not any(abs(v - mean) < 1e-6 for v in shown):
            failures.append(f"LibreOffice's average progress is not {mean:.0f}%: {[r for r in rows if '平均进度' in r]}")
    failures += duty_list(binary)
    for line in failures[:20]:
        print(line)
    if failures:
        raise SystemExit(1)
    print(f"the 周进展表 with {TASKS} tasks read back by openpyxl and recalculated by LibreOffice: every value, range and total in place")
    print("the 部门职责清单 with 12 departments: a sheet each, named, every duty typed, remark rows shown only where there are remarks")


def duty_list(binary):
    failures = []
    payload = json.loads((ROOT / "examples/templates/excel/duty-list/example.json").read_text())
    base = payload["departments"]
    names = ["研发部", "市场部", "销售部", "财务部", "人力资源部", "法务部", "客服部", "运营部",
             "采购部", "质量管理部", "信息技术部/数据中心", "研发部"]
    payload["departments"] = [dict(base[i % len(base)], name=n,
                                   duties=base[i % len(base)]["duties"] * (1 + i % 4))
                              for i, n in enumerate(names)]
    # Excel's rules: no "/" in a name, and names unique.
    expected_names = ["汇总"] + names[:10] + ["信息技术部数据中心", "研发部 (2)"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "duty.json").write_text(json.dumps(payload, ensure_ascii=False))
        out = tmp / "duty.xlsx"
        subprocess.run([binary, "render", "duty-list", "-i", str(tmp / "duty.json"),
                        "--templates-dir", str(ROOT / "examples/templates"), "-o", str(out)], check=True)
        wb = openpyxl.load_workbook(out)
        if wb.sheetnames != expected_names:
            return [f"sheets {wb.sheetnames}, not {expected_names}"]
        for name, d in zip(expected_names[1:], payload["departments"]):
            ws = wb[name]
            if ws["A1"].value != f"{d['name']} 职责清单":
                failures.append(f"{name}!A1 is {ws['A1'].value!r}")
            for k, duty in enumerate(d["duties"]):
                row = 5 + k
                if ws.cell(row, 2).value != duty["task"]:
                    failures.append(f"{name}!B{row}: {ws.cell(row, 2).value!r}, not {duty['task']!r}")
                due = ws.cell(row, 4).value
                if not isinstance(due, datetime.datetime) or due.date().isoformat() != duty["due"]:
                    failures.append(f"{name}!D{row}: {due!r} is not the date {duty['due']}")
            remark = 5 + len(d["duties"]) + 2
            hidden = ws.row_dimensions[remark].hidden
            if hidden == bool(d.get("remarks")):
                failures.append(f"{name}: the remark row {remark} hidden={hidden}, remarks={d.get('remarks')!r}")
            area = ws.print_area or ""
            if not area.startswith(f"'{name}'!$A$1:$E$"):
                failures.append(f"{name}: print area {area!r}")
        # LibreOffice opens every sheet and recalculates each department's count of duties.
        env = soffice_env(tmp)
        subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", CSV_EVERY_SHEET,
                        "--outdir", str(tmp / "csv"), str(out)], check=True, capture_output=True,
                       timeout=300, env=env)
        sheets = sorted((tmp / "csv").glob("duty-*.csv"))
        if len(sheets) != len(expected_names):
            failures.append(f"LibreOffice wrote {len(sheets)} sheets, not {len(expected_names)}")
        cells = {c for s in sheets for row in csv.reader(s.open(encoding="utf-8")) for c in row}
        for d in payload["departments"]:
            if f"{len(d['duties'])}项任务" not in cells:
                failures.append(f"LibreOffice's count for {d['name']} is not {len(d['duties'])}项任务")
    return failures


if __name__ == "__main__":
    main()
