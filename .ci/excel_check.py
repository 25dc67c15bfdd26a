"""The shipped Excel template (the 周进展表) filled by the release binary with 120 tasks, read
back by openpyxl and by LibreOffice: every task's values in its row, typed (progress a number,
the due date a date), the formulas, merges, conditional format, data validation and chart
ranges grown to the 120 rows, the second sheet's references too, the simple totals' cached
values the data's; LibreOffice recalculates the totals and they equal the data's.

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
        mean = round(sum(t["progress"] for t in payload["tasks"]) / TASKS)
        if not any(f"{mean}%" in row for row in rows):
            failures.append(f"LibreOffice's average progress is not {mean}%")
    for line in failures[:20]:
        print(line)
    if failures:
        raise SystemExit(1)
    print(f"the 周进展表 with {TASKS} tasks read back by openpyxl and recalculated by LibreOffice: every value, range and total in place")


if __name__ == "__main__":
    main()
