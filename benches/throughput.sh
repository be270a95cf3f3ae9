#!/usr/bin/env bash
# Raw page throughput of the sandbox under concurrent load from a second process (wrk).
#   benches/throughput.sh [SECONDS]
# Uses target/bench-data/paging-100k.db (seeded with 100k contacts on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
cargo build --release --quiet
mkdir -p target/bench-data
port=18765
target/release/treepl-contacts sandbox --addr 127.0.0.1:$port --db target/bench-data/paging-100k.db --seed 100000 \
  >/tmp/throughput-sandbox.log 2>&1 &
sandbox=$!
trap 'kill $sandbox 2>/dev/null' EXIT
for _ in $(seq 1 600); do grep -q "Site URL" /tmp/throughput-sandbox.log && break; sleep 0.1; done
token=$(curl -s -d 'grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret' \
  "http://127.0.0.1:$port/api/v1/oauth/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
base="http://127.0.0.1:$port/api/v2/admin/contacts"
run() {
  echo "### $1"
  wrk -t2 -c16 -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$2" | grep -E "Requests/sec|Transfer/sec|50%|99%|Non-2xx"
  echo
}
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); wrk -t2 -c16 -d${seconds}s"
echo
run "page of 100, no filter" "$base?Offset=50000&Limit=100"
run "page of 100, Country = NZ" "$base?Where=%7B%22Country%22%3A%22NZ%22%7D&Offset=5000&Limit=100"
run "page of 500, no filter" "$base?Offset=50000&Limit=500"
run "one contact" "$base/4242"
