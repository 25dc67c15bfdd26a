"""Word templates against docxtemplater and docxtpl: each fills the same DOCX template (the
sections of our meeting minutes, made by prepare.py in each one's tag syntax) with the same
content (20 action items), in alternating rounds, in process; writes the table into
BENCHMARKS.md.

Usage: bench/peers/run.sh --word [ROUNDS]   (installs the peers, then runs this)
       python3 bench/peers/word.py WORK_DIR [ROUNDS]
"""

import json
import os
import pathlib
import platform
import re
import statistics
import sys
import time

from run import ROOT, write_block, docx_text, in_loop, loop_binary


def main():
    work = pathlib.Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    expected = json.loads((work / "expected.json").read_text())
    template = work / "template-collabdocs.docx"
    data = work / "context.json"
    loop = loop_binary()
    results = {}
    for i in range(rounds):
        print(f"round {i + 1}/{rounds}", file=sys.stderr)
        runs = [
            ("collabdocs, template read once (named template)", [loop, "--word", str(template), str(data), "once"], work / "out-word-once.docx", 500),
            ("collabdocs, template read per document (POST /v1/render)", [loop, "--word", str(template), str(data), "each"], work / "out-word-each.docx", 500),
            ("docxtemplater", ["node", "run_docxtemplater.js", str(work)], work / "out-docxtemplater.docx", 60),
            ("docxtpl", [sys.executable, "run_docxtpl.py", str(work)], work / "out-docxtpl.docx", 40),
        ]
        for name, cmd, out, n in runs:
            r = in_loop(cmd, out, n)
            slot = results.setdefault(name, {"per_doc": [], "rss": 0.0})
            slot["per_doc"] += r["per_doc"]
            slot["rss"] = max(slot["rss"], r["rss"])
            slot["out"] = out
    rows = []
    for name, r in results.items():
        flat = re.sub(r"\s+", "", docx_text(r["out"]))
        missing = [e for e in expected if re.sub(r"\s+", "", e) not in flat]
        rows.append((name, statistics.median(r["per_doc"]), r["rss"], r["out"].stat().st_size, missing))
    base = rows[0][1]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
    lines = [
        "<!-- word-templates:start (written by bench/peers/run.sh --word) -->",
        f"Run on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"{rounds} alternating rounds. Each engine fills the same DOCX template (`bench/peers/prepare.py`, the sections of the "
        "meeting minutes in its own tag syntax) with the same content, 20 action items, already formatted; median time per "
        "document in a loop that builds the file in memory (the first, warm-up fill left out).",
        "",
        "| engine | median ms / doc | docs/s | peak RSS | output | text check | vs collabdocs |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for name, median, rss, size, missing in rows:
        check = f"all {len(expected)} strings" if not missing else f"missing {len(missing)}: " + "; ".join(missing[:3])
        lines.append(f"| {name} | {median:.3f} | {1000 / median:.0f} | {rss:.0f} MB | {size / 1024:.0f} KB | {check} | {median / base:.1f}× |")
    lines.append("<!-- word-templates:end -->")
    write_block("word-templates", "Word templates against docxtemplater and docxtpl", "\n".join(lines))


if __name__ == "__main__":
    main()
