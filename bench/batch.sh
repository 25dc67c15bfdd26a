#!/usr/bin/env bash
# 1,000 weekly-progress documents in one batch, per format, with the release CLI on every
# core; prints documents per second. Usage: bench/batch.sh [N]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
cargo build --release --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for format in docx pdf xlsx html; do
  python3 - "$n" "$format" > "$dir/jobs.ndjson" <<'PY'
import json, sys
n, fmt = int(sys.argv[1]), sys.argv[2]
data = json.load(open("examples/weekly-progress.json"))
for i in range(n):
    print(json.dumps({"kind": "weekly-progress", "format": fmt, "filename": f"w{i}", "data": data}, ensure_ascii=False))
PY
  printf '%-5s ' "$format"
  ./target/release/collabdocs batch "$dir/jobs.ndjson" --zip "$dir/out.zip" 2>&1 | tail -1
done
