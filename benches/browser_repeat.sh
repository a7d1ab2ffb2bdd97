#!/usr/bin/env bash
# Runs the browser tests again and again to show they are deterministic (issue 20): prints each run's result
# and "P of N passed" with the Chromium version. Not part of CI.
#
#   benches/browser_repeat.sh [RUNS] [--load]
# --load keeps both cores busy with other work meanwhile, as a loaded CI machine would.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
load=${2:-}
# Built once, then the same binary runs every time: edits made meanwhile do not rebuild it mid-loop.
binary=$(cargo test --test browser --no-run 2>&1 | grep -o 'target/debug/deps/browser-[0-9a-f]*' | tail -1)
[ -x "$binary" ] || { echo "no browser test binary was built" >&2; exit 1; }
echo "running $binary"
pids=()
if [ "$load" = --load ]; then
  for _ in 1 2; do (while :; do :; done) & pids+=($!); done
  trap 'kill "${pids[@]}" 2>/dev/null' EXIT
fi
passed=0
for run in $(seq 1 "$runs"); do
  started=$(date +%s%N)
  if out=$("$binary" 2>&1); then
    passed=$((passed + 1)); verdict=ok
  else
    verdict=FAILED
    printf '%s\n' "$out" | grep -E "panicked|FAILED" | head -5
  fi
  printf 'run %2d/%d: %s (%d ms)\n' "$run" "$runs" "$verdict" $((($(date +%s%N) - started) / 1000000))
done
echo "$passed of $runs passed; $(chromium --version 2>/dev/null); $(chromedriver --version | cut -d' ' -f1-2)${load:+; with both cores loaded}"
