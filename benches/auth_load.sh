#!/usr/bin/env bash
# What authentication adds to a cached page view, end to end: the same release binary and starter wiki served
# in open mode (no credentials), then local mode with a session cookie, then local mode with a token, each
# measured with wrk against 127.0.0.1 only, in alternating rounds. Figures: docs/BENCHMARKS.md.
#
# Usage: benches/auth_load.sh   Environment: DURATION (seconds per run, default 10), ROUNDS (default 2),
# PAGE (default /guide/markdown), CARGO_TARGET_DIR (default /work/target-bench).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
duration="${DURATION:-10}"
rounds="${ROUNDS:-2}"
page="${PAGE:-/guide/markdown}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
for tool in cargo curl wrk python3; do command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }; done

tmp="$(mktemp -d /tmp/lore-auth-load.XXXXXX)"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(cd "$root" && cargo build --release --quiet)
lore="$CARGO_TARGET_DIR/release/lore"
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() { # mode data-dir port
  printf 'auth:\n  mode: %s\n' "$1" > "$2.yaml"
  "$lore" serve --config "$2.yaml" --data "$2" --listen "127.0.0.1:$3" >"$2.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$3/-/healthz" >/dev/null && return; sleep 0.1; done
  echo "lore did not start:" >&2; cat "$2.log" >&2; exit 1
}

open_port=$(port); local_port=$(port)
start open "$tmp/open" "$open_port"
mkdir -p "$tmp/local"
echo 'benchmark password' | "$lore" user add bench --name Bench --email bench@example.com --role editor \
  --password-stdin --data "$tmp/local" 2>/dev/null
token=$("$lore" token create bench --name load --data "$tmp/local" 2>/dev/null | tail -1)
start local "$tmp/local" "$local_port"

# Log in through the form, as a browser does: CSRF cookie and token first.
jar="$tmp/jar"
csrf_page=$(curl -fs -c "$jar" "http://127.0.0.1:$local_port/-/login")
csrf=$(printf '%s' "$csrf_page" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -o /dev/null -d "csrf_token=$csrf&username=bench&password=benchmark+password&next=/" \
  "http://127.0.0.1:$local_port/-/login"
session=$(awk '$6 == "lore_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "login failed" >&2; exit 1; }

run() { # label url [header]
  local out
  if [ $# -ge 3 ]; then out=$(wrk -t2 -c32 -d"${duration}s" -H "$3" "$2"); else out=$(wrk -t2 -c32 -d"${duration}s" "$2"); fi
  local rps latency
  rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
  latency=$(printf '%s\n' "$out" | awk '/Latency/ {print $2; exit}')
  printf '%-28s %10s req/s   mean latency %s   (load %s)\n' "$1" "$rps" "$latency" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

for round in $(seq "$rounds"); do
  echo "round $round"
  run "open, anonymous" "http://127.0.0.1:$open_port$page"
  run "local, session cookie" "http://127.0.0.1:$local_port$page" "Cookie: lore_session=$session"
  run "local, bearer token" "http://127.0.0.1:$local_port$page" "Authorization: Bearer $token"
done
