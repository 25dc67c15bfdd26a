#!/usr/bin/env bash
# HTTP load on loopback: wrk posts the meeting-minutes example as PDF for DURATION seconds
# (default 60) at CONNECTIONS connections (default 64), then reads /metrics for the status
# breakdown and the service's RSS before and after. Bounded in time; stops the server itself.
# Usage: bench/load.sh [DURATION] [CONNECTIONS]        (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-60}
conns=${2:-64}
port=18081
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
COLLABDOCS_BIND=127.0.0.1:$port COLLABDOCS_LOG=warn ./target/release/collabdocs serve &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf localhost:$port/readyz >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2 " kB"}' /proc/$pid/status; }
echo "RSS before: $(rss)"
lua=$(mktemp)
{
  echo 'wrk.method = "POST"'
  echo 'wrk.headers["Content-Type"] = "application/json"'
  printf 'wrk.body = [==['
  cat examples/meeting-minutes.json
  echo ']==]'
} > "$lua"
wrk -t2 -c"$conns" -d"${duration}s" -s "$lua" "http://127.0.0.1:$port/v1/documents/meeting-minutes?format=pdf"
echo "RSS after:  $(rss)"
echo "responses by status (from /metrics):"
curl -s localhost:$port/metrics | grep '^collabdocs_requests_total' | grep 'documents' || true
fivexx=$(curl -s localhost:$port/metrics | awk '/^collabdocs_requests_total/ && /status="5[0-9][0-9]"/ && !/status="503"/ {s+=$2} END {print s+0}')
echo "5xx other than 503: $fivexx"
rm -f "$lua"
[ "$fivexx" -eq 0 ]
