"""Renders the minutes N times with docxtpl; prints per-document times (ms) as JSON.

Usage: python3 run_docxtpl.py WORK N OUT
"""

import io
import json
import sys
import time

from docxtpl import DocxTemplate

work, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
template = open(f"{work}/template-docxtpl.docx", "rb").read()
data = json.load(open(f"{work}/context.json", encoding="utf8"))
times = []
for _ in range(n):
    t0 = time.perf_counter()
    doc = DocxTemplate(io.BytesIO(template))
    doc.render(data)
    buf = io.BytesIO()
    doc.save(buf)
    times.append((time.perf_counter() - t0) * 1e3)
open(out, "wb").write(buf.getvalue())
print(json.dumps({"times": times, "bytes": len(buf.getvalue())}))
