#!/usr/bin/env bash
# The desktop app under Xvfb: time from the start of main to its first `ui` call, and to the
# "contacts on screen" line it logs once a frame with loaded contacts has been painted and
# swapped; then CPU used over 10 s with the window open and idle.   benches/app_startup.sh [RUNS]
# TREEPL_BIN=path measures that binary (e.g. the dist build) instead of building the release one.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
need=()
for p in Xvfb:xvfb xdotool:xdotool; do command -v "${p%%:*}" >/dev/null || need+=("${p#*:}"); done
[ ${#need[@]} -eq 0 ] || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
bin=${TREEPL_BIN:-target/release/treepl-contacts}
[ -n "${TREEPL_BIN:-}" ] || cargo build --release --quiet
display=:97
Xvfb $display -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
home=$(mktemp -d)
runtime_dir=$(mktemp -d); chmod 700 "$runtime_dir"
trap 'kill $xvfb 2>/dev/null; rm -rf "$home" "$runtime_dir"' EXIT
sleep 1
ticks=$(getconf CLK_TCK)
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); Xvfb 1280x800, software GL"
for run in $(seq 1 "$runs"); do
  # A fresh home each time but the first: run 1 seeds the sandbox, the others reuse it.
  DISPLAY=$display HOME=$home XDG_RUNTIME_DIR=$runtime_dir RUST_LOG=treepl_contacts=info \
    "$bin" >/tmp/app-startup.log 2>&1 &
  app=$!
  for _ in $(seq 1 200); do grep -q "contacts on screen" /tmp/app-startup.log && break; sleep 0.1; done
  first=$(grep "first ui call" /tmp/app-startup.log | grep -o 'after_ms=[0-9]*' | cut -d= -f2)
  shown=$(grep "contacts on screen" /tmp/app-startup.log | grep -o 'after_ms=[0-9]*' | cut -d= -f2)
  sleep 5 # let the sandbox start and the contacts load, then stand idle
  before=$(awk '{print $14 + $15}' /proc/$app/stat)
  sleep 10
  after=$(awk '{print $14 + $15}' /proc/$app/stat)
  cpu=$(echo "scale=2; ($after - $before) * 100 / $ticks / 10" | bc)
  rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$app/status)
  echo "run $run: first ui call after ${first} ms; contacts on screen after ${shown} ms; idle CPU over 10 s: ${cpu}%; RSS ${rss} MB"
  kill $app; wait $app 2>/dev/null || true
done
