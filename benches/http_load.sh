#!/usr/bin/env bash
# HTTP load benchmark: cached page views on Lore against nginx serving the same HTML, Lore's memory, and
# start-up on a generated 10,000-page repository. Bounded and self-stopping; talks to 127.0.0.1 only and stops
# everything it started when it exits, however it exits. Figures and how to read them: docs/BENCHMARKS.md.
#
# Usage: benches/http_load.sh [--skip-corpus]
# Environment: DURATION (seconds per wrk run, default 15), ROUNDS (alternating Lore/nginx runs, default 1;
# use 5 on a busy machine), PAGE (default /guide/markdown), CORPUS_PAGES (10000), CORPUS_EDITS (20000),
# GEN_CORPUS (path to gen_corpus.py), CARGO_TARGET_DIR (default /work/target-bench: a target folder of its own,
# so a 15-minute release build never blocks everyone else's builds).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
duration="${DURATION:-15}"
rounds="${ROUNDS:-1}"
page="${PAGE:-/guide/markdown}"
corpus_pages="${CORPUS_PAGES:-10000}"
corpus_edits="${CORPUS_EDITS:-20000}"
gen_corpus="${GEN_CORPUS:-$root/../shared/bench/gen_corpus.py}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
skip_corpus=false
for arg in "$@"; do
  case "$arg" in
    --skip-corpus) skip_corpus=true ;;
    *) echo "usage: $0 [--skip-corpus]" >&2; exit 2 ;;
  esac
done

for tool in cargo curl wrk nginx python3 git; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

tmp="$(mktemp -d /tmp/lore-http-load.XXXXXX)"
started_pids=()

cleanup() {
  local status=$?
  for pid in "${started_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${started_pids[@]}"; do
    # Give each process five seconds to stop cleanly, then insist.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }

# Other work on the machine skews the figures: the results show how busy it was before each wrk run.
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints a /proc/PID/status field (VmRSS, VmHWM) in MiB with one decimal.
memory_mib() {
  awk -v field="$2:" '$1 == field { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# Waits until `curl URL` succeeds, at most $2 seconds.
wait_for_http() {
  local url="$1" deadline=$(( $(date +%s) + $2 ))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    (( $(date +%s) < deadline )) || { echo "timed out waiting for $url" >&2; return 1; }
    sleep 0.02
  done
}

# Waits until /-/healthz reports the history index as built, at most $2 seconds.
wait_for_history_index() {
  local url="$1/-/healthz" deadline=$(( $(date +%s) + $2 ))
  until curl -fsS "$url" | grep -q '"history_indexed":true'; do
    (( $(date +%s) < deadline )) || { echo "timed out waiting for the history index" >&2; return 1; }
    sleep 0.05
  done
}

# Starts Lore in the background with the given arguments after `serve`; sets lore_pid and lore_url.
start_lore() {
  local port log="$tmp/lore-$(( ${#started_pids[@]} + 1 )).log"
  port="$(free_port)"
  # Run from the temp folder so a lore.yaml in the caller's folder is not picked up.
  (cd "$tmp" && exec "$lore_bin" serve --listen "127.0.0.1:$port" "$@") >"$log" 2>&1 &
  lore_pid=$!
  started_pids+=("$lore_pid")
  lore_url="http://127.0.0.1:$port"
}

# The median of numbers given as arguments.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Runs wrk against a URL and prints "requests/s avg p50 p99 errors" (latencies as wrk prints them).
run_wrk() {
  local url="$1" out="$tmp/wrk-$2.txt"
  timeout $(( duration + 60 )) wrk -t2 -c32 -d"${duration}s" --latency "$url" >"$out"
  sed 's/^/    /' "$out" >&2
  awk '
    $1 == "Latency" && avg == "" { avg = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    $1 == "Requests/sec:" { rps = $2 }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) errors += $i }
    END { printf "%s %s %s %s %d\n", rps, avg, p50, p99, errors }
  ' "$out"
}

echo "== building lore (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
cargo build --release --quiet --bin lore --manifest-path "$root/Cargo.toml"
# Run a private copy: another checkout building into the same target folder must not swap the binary mid-run.
lore_bin="$tmp/lore"
cp "$CARGO_TARGET_DIR/release/lore" "$lore_bin"

results=()
record() { results+=("$(printf '%-50s %s' "$1" "$2")"); }

echo "== starter wiki: cached page view of $page" >&2
t0=$(now_ms)
start_lore --data "$tmp/data"
wait_for_http "$lore_url/-/healthz" 60
t_up=$(( $(now_ms) - t0 ))
wait_for_history_index "$lore_url" 60
sleep 2
record "starter: start until /-/healthz answers" "${t_up} ms (includes seeding wiki.git)"
record "starter: memory at idle after start (VmRSS)" "$(memory_mib "$lore_pid" VmRSS) MiB"

mkdir -p "$tmp/www$(dirname "$page")"
page_file="$tmp/www$page"
curl -fsS -o "$page_file" "$lore_url$page"
for _ in $(seq 100); do curl -fsS -o /dev/null "$lore_url$page"; done
curl -fsS "$lore_url$page" | cmp -s - "$page_file" || echo "warning: $page differs between requests" >&2
page_bytes=$(stat -c %s "$page_file")
record "starter: page" "$page, $page_bytes bytes of HTML"

echo "== nginx serving the same $page_bytes bytes" >&2
nginx_port="$(free_port)"
mkdir -p "$tmp/nginx"
# nginx's workers run as an unprivileged user when started as root: let them read the copy of the page.
chmod -R a+rX "$tmp"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    # Lore keeps keep-alive connections open indefinitely; do not make nginx reconnect every 1,000 requests.
    keepalive_requests 1000000;
    types { }
    default_type "text/html; charset=utf-8";
    client_body_temp_path $tmp/nginx/client_body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $tmp/www;
    }
}
EOF
nginx -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
started_pids+=("$nginx_pid")
nginx_url="http://127.0.0.1:$nginx_port"
wait_for_http "$nginx_url$page" 10
curl -fsS "$nginx_url$page" | cmp -s - "$page_file" || { echo "nginx serves other bytes" >&2; exit 1; }

# Both servers stay up and the runs alternate, so a burst of other work on the machine hits both alike.
lore_rates=()
nginx_rates=()
for round in $(seq "$rounds"); do
  for server in lore nginx; do
    if [[ $server == lore ]]; then url="$lore_url$page"; else url="$nginx_url$page"; fi
    load="$(load_average)"
    echo "== round $round/$rounds: $server (load average $load)" >&2
    read -r rps avg p50 p99 errors < <(run_wrk "$url" "$server-$round")
    [[ -n "$rps" ]] || { echo "wrk failed against $server" >&2; exit 1; }
    if [[ $server == lore ]]; then lore_rates+=("$rps"); else nginx_rates+=("$rps"); fi
    record "$server, round $round: requests/s" "$rps (latency avg $avg, p50 $p50, p99 $p99; $errors errors; load $load)"
  done
done
record "lore: memory after load (VmRSS)" "$(memory_mib "$lore_pid" VmRSS) MiB"
record "lore: peak memory (VmHWM)" "$(memory_mib "$lore_pid" VmHWM) MiB"
stop_pid "$lore_pid"
stop_pid "$nginx_pid"
lore_median="$(median "${lore_rates[@]}")"
nginx_median="$(median "${nginx_rates[@]}")"
record "lore: requests/s, median of $rounds (wrk -t2 -c32 -d${duration}s)" "$lore_median"
record "nginx: requests/s, median of $rounds (same page, same wrk)" "$nginx_median"
record "lore's share of nginx's ceiling (medians)" "$(python3 -c "print(f'{100 * $lore_median / $nginx_median:.0f} %')")"

if $skip_corpus; then
  echo "== skipping the generated repository (--skip-corpus)" >&2
elif [[ ! -f "$gen_corpus" ]]; then
  echo "== skipping the generated repository: no $gen_corpus (set GEN_CORPUS)" >&2
else
  echo "== generated repository: $corpus_pages pages, $corpus_edits edit commits" >&2
  t0=$(now_ms)
  timeout 1200 python3 "$gen_corpus" -n "$corpus_pages" -m "$corpus_edits" --nested --out "$tmp/corpus" >&2
  record "corpus: generation (not Lore)" "$(( $(now_ms) - t0 )) ms"
  n_commits=$(git -C "$tmp/corpus/repo" rev-list --count HEAD)
  repo_mib=$(du -sm "$tmp/corpus/repo/.git" | cut -f1)
  record "corpus: repository" "$(wc -l <"$tmp/corpus/pages.txt") pages, $n_commits commits, ${repo_mib} MiB .git"
  # A yardstick for the history index: git itself listing the files every commit changed.
  t0=$(now_ms)
  git -C "$tmp/corpus/repo" log --format=%H --name-only HEAD >/dev/null
  record "corpus: git log --name-only, whole history (git)" "$(( $(now_ms) - t0 )) ms"

  t0=$(now_ms)
  start_lore --data "$tmp/corpus-data" --repo "$tmp/corpus/repo"
  wait_for_http "$lore_url/-/healthz" 600
  t_up=$(( $(now_ms) - t0 ))
  wait_for_history_index "$lore_url" 1200
  t_indexed=$(( $(now_ms) - t0 ))
  record "corpus: start until /-/healthz answers" "$t_up ms"
  record "corpus: start until history_indexed" "$t_indexed ms"
  sleep 2
  record "corpus: memory at idle after start (VmRSS)" "$(memory_mib "$lore_pid" VmRSS) MiB"

  t0=$(now_ms)
  curl -fsS -o /dev/null "$lore_url/-/pages"
  record "corpus: first /-/pages (all pages as a tree)" "$(( $(now_ms) - t0 )) ms"
  # The first page in the list: an ordinary page, neither the most nor the least edited.
  corpus_page="/$(head -n 1 "$tmp/corpus/pages.txt")"
  t0=$(now_ms)
  curl -fsS -o "$tmp/corpus-page.html" "$lore_url$corpus_page"
  record "corpus: first (uncached) view of $corpus_page" "$(( $(now_ms) - t0 )) ms, $(stat -c %s "$tmp/corpus-page.html") bytes"
  for _ in $(seq 100); do curl -fsS -o /dev/null "$lore_url$corpus_page"; done
  record "corpus: load average before the run" "$(load_average)"
  read -r rps avg p50 p99 errors < <(run_wrk "$lore_url$corpus_page" corpus)
  record "corpus: requests/s on that page" "$rps"
  record "corpus: latency avg / p50 / p99" "$avg / $p50 / $p99"
  record "corpus: non-2xx responses and socket errors" "$errors"
  record "corpus: peak memory (VmHWM)" "$(memory_mib "$lore_pid" VmHWM) MiB"
  stop_pid "$lore_pid"
fi

echo
echo "== results ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown))"
printf '%s\n' "${results[@]}"
