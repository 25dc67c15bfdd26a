"""An Excel template against openpyxl: the shipped 周进展表 (`examples/templates/excel/
weekly-progress/`) filled with 500 tasks by collabdocs (`?template=weekly-progress`, in
process: the payload validated, its view built, the workbook filled) and by openpyxl (the
same workbook loaded, 499 rows inserted under the task row, 500 rows of the same values
written, saved to memory), in alternating rounds. openpyxl moves no formula, merge, chart or
validation when it inserts rows — what EasyExcel users meet too — so its totals still read
row 5 alone; the table says which totals each file carries. Writes the table into
BENCHMARKS.md.

Usage: bench/peers/run.sh --excel [ROUNDS]
       python3 bench/peers/excel.py WORK_DIR [ROUNDS]
"""

import datetime
import io
import json
import os
import pathlib
import platform
import statistics
import sys
import time

import openpyxl

from run import ROOT, in_loop, loop_binary, write_block

STATUS = {"not_started": "未开始", "in_progress": "进行中", "done": "已完成", "at_risk": "延期风险", "needs_support": "需支持"}


def tasks(n):
    base = json.loads((ROOT / "examples/weekly-progress.json").read_text())
    base["tasks"] = [dict(base["tasks"][i % len(base["tasks"])], task=f"任务{i + 1}") for i in range(n)]
    return base


def openpyxl_fill(template, payload, n):
    """Fills the template n times with openpyxl; the times (ms) and the last file."""
    times = []
    out = b""
    for _ in range(n):
        t0 = time.perf_counter()
        wb = openpyxl.load_workbook(template)
        ws = wb["周进展"]
        rows = payload["tasks"]
        ws.insert_rows(6, len(rows) - 1)
        ws["A1"] = f"{payload['project']['name']} 周进展表"
        for i, t in enumerate(rows):
            r = 5 + i
            ws.cell(r, 1, i + 1)
            ws.cell(r, 2, t["task"])
            ws.cell(r, 3, t["owner"] if isinstance(t["owner"], str) else t["owner"]["name"])
            ws.cell(r, 4, t["department"])
            ws.cell(r, 5, STATUS.get(t["status"], t["status"]))
            ws.cell(r, 6, t["progress"] / 100)
            ws.cell(r, 7, datetime.date.fromisoformat(t["due"]))
            ws.cell(r, 8, t.get("note", ""))
        buf = io.BytesIO()
        wb.save(buf)
        out = buf.getvalue()
        times.append((time.perf_counter() - t0) * 1e3)
    return times, out


def average_formula(path):
    wb = openpyxl.load_workbook(path)
    ws = wb["周进展"]
    return next((c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=AVERAGE")), None)


def main():
    work = pathlib.Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    template = ROOT / "examples/templates/excel/weekly-progress/template.xlsx"
    payload = tasks(500)
    data = work / "weekly-500.json"
    data.write_text(json.dumps(payload, ensure_ascii=False))
    loop = loop_binary()
    results = {"collabdocs": [], "openpyxl": []}
    outs = {}
    for i in range(rounds):
        print(f"round {i + 1}/{rounds}", file=sys.stderr)
        r = in_loop([loop, "--named", str(ROOT / "examples/templates"), "weekly-progress", "weekly-progress", str(data), "xlsx"],
                    work / "ours.xlsx", 30)
        results["collabdocs"] += r["per_doc"]
        outs["collabdocs"] = work / "ours.xlsx"
        times, out = openpyxl_fill(template, payload, 10)
        results["openpyxl"] += times[1:]
        (work / "openpyxl.xlsx").write_bytes(out)
        outs["openpyxl"] = work / "openpyxl.xlsx"
    base = statistics.median(results["collabdocs"])
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
    lines = [
        "<!-- excel:start (written by bench/peers/run.sh --excel) -->",
        f"Run on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"{rounds} alternating rounds. The shipped 周进展表 filled with 500 tasks; median time per workbook, in memory.",
        "",
        "| engine | median ms / workbook | vs collabdocs | the average under the table |",
        "|---|---:|---:|---|",
    ]
    for name, times in results.items():
        median = statistics.median(times)
        lines.append(f"| {name} | {median:.1f} | {median / base:.1f}× | `{average_formula(outs[name])}` |")
    lines.append("<!-- excel:end -->")
    write_block("excel", "An Excel template against openpyxl", "\n".join(lines))


if __name__ == "__main__":
    main()
