"""A Word template as PDF: collabdocs laying out the filled letterhead minutes natively
(`?template=letterhead-minutes&format=pdf`, fill and layout in process) against LibreOffice
converting the same filled DOCX to PDF (20 files per headless run, its start-up shared), in
alternating rounds; our built-in minutes PDF beside them. Writes the table into BENCHMARKS.md.

Usage: bench/peers/run.sh --word-pdf [ROUNDS]
       python3 bench/peers/word_pdf.py WORK_DIR [ROUNDS]
"""

import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import time

from run import ROOT, write_block, in_loop, libreoffice, loop_binary


def pages(pdf):
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


def main():
    work = pathlib.Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    templates = ROOT / "examples" / "templates"
    payload = templates / "word" / "letterhead-minutes" / "example.json"
    loop = loop_binary()
    docx = work / "letterhead.docx"
    in_loop([loop, "--named", str(templates), "letterhead-minutes", "meeting-minutes", str(payload), "docx"], docx, 1)
    results = {}
    for i in range(rounds):
        print(f"round {i + 1}/{rounds}", file=sys.stderr)
        runs = [
            ("collabdocs: the Word template filled and laid out as PDF", lambda: in_loop(
                [loop, "--named", str(templates), "letterhead-minutes", "meeting-minutes", str(payload), "pdf"], work / "ours.pdf", 200)),
            ("collabdocs: the built-in meeting minutes as PDF", lambda: in_loop(
                [loop, str(payload), "pdf"], work / "builtin.pdf", 200)),
            ("LibreOffice: the filled DOCX converted to PDF (20 a run)", lambda: libreoffice(work, docx, 20)),
        ]
        for name, run in runs:
            r = run()
            slot = results.setdefault(name, {"per_doc": [], "rss": 0.0})
            slot["per_doc"] += r["per_doc"]
            slot["rss"] = max(slot["rss"], r["rss"])
            slot["out"] = r["out"]
    rows = [(name, statistics.median(r["per_doc"]), r["rss"], pages(r["out"])) for name, r in results.items()]
    base = rows[0][1]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
    lines = [
        "<!-- word-pdf:start (written by bench/peers/run.sh --word-pdf) -->",
        f"Run on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"{rounds} alternating rounds. The shipped letterhead minutes (`examples/templates/word/letterhead-minutes/`) "
        "filled with its example; median time per document.",
        "",
        "| what | median ms / doc | docs/s | peak RSS | pages | vs the Word template PDF |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, median, rss, n in rows:
        lines.append(f"| {name} | {median:.2f} | {1000 / median:.0f} | {rss:.0f} MB | {n} | {median / base:.1f}× |")
    lines.append("<!-- word-pdf:end -->")
    write_block("word-pdf", "A Word template as PDF, against LibreOffice", "\n".join(lines))


if __name__ == "__main__":
    main()
