"""The official profile's PDF read back by an independent reader (pdfplumber): the GB/T
9704-2012 text block holds 22 lines of 28 characters — every character of a full line ends
inside the 156 mm measure, which starts 28 mm from the left edge, and a full page has 22
lines of body text.

Usage: python3 .ci/typography_check.py PATH_TO_COLLABDOCS_BINARY
"""

import collections
import json
import pathlib
import subprocess
import sys
import tempfile

import pdfplumber

MM = 72 / 25.4
ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    binary = sys.argv[1]
    payload = json.loads((ROOT / "examples" / "meeting-minutes.json").read_text())
    payload["discussions"][0]["summary"] = "协" * 28 * 70
    with tempfile.TemporaryDirectory() as d:
        src, out = pathlib.Path(d) / "m.json", pathlib.Path(d) / "m.pdf"
        src.write_text(json.dumps(payload, ensure_ascii=False))
        subprocess.run([binary, "render", "meeting-minutes", "-i", str(src), "-f", "pdf",
                        "--style", "official", "-o", str(out)], check=True)
        left, right = 28 * MM, (28 + 156) * MM
        counts = []
        with pdfplumber.open(out) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                lines = collections.defaultdict(list)
                for c in page.chars:
                    lines[round(c["top"])].append(c)
                body = [sorted(l, key=lambda c: c["x0"]) for _, l in sorted(lines.items())
                        if sum(c["text"] == "协" for c in l) >= 20]
                for line in body:
                    inside = [c for c in line if left - 0.5 <= c["x0"] and c["x1"] <= right + 0.01]
                    if len(line) >= 28 and all(c["text"] == "协" for c in line):
                        assert len(line) == 28 and len(inside) == 28, (
                            f"page {number}: a full line has {len(line)} characters, "
                            f"{len(inside)} inside the measure; the last ends at "
                            f"{line[-1]['x1'] / MM:.2f} mm, the measure at {right / MM:.2f} mm")
                if body:
                    counts.append((number, len(body)))
        # Every page the text runs on and past is full (the last holds what is left).
        full = counts[1:-1]
        assert len(full) >= 2 and all(n == 22 for _, n in full), f"body lines per page: {counts}"
        full_pages = len(full)
    print(f"official PDF: {full_pages} full pages of 22 lines, each full line 28 characters inside 156 mm")


if __name__ == "__main__":
    main()
