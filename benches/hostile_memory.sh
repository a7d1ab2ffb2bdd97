#!/usr/bin/env bash
# Memory after viewing huge pages (issue 15): a repository of 14 pages of 250,000 headings each (2.6 MB of
# Markdown, 50+ MB of HTML), served by a release `lore`; VmRSS at idle, after viewing every page twice, and
# again after ten idle seconds. Bounded and self-stopping; talks to 127.0.0.1 only and stops what it started.
# Figures: docs/BENCHMARKS.md, section "Hostile input costs (issue 15)".
#
# Usage: benches/hostile_memory.sh [LORE_BINARY]   (default: builds and runs target/release/lore)
# Environment: PAGES (14), HEADINGS (250000), CACHE_MB (unset: lore's default).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
pages="${PAGES:-14}"
headings="${HEADINGS:-250000}"
binary="${1:-}"
if [[ -z "$binary" ]]; then
  (cd "$root" && nice -n 10 cargo build --release --bin lore)
  binary="${CARGO_TARGET_DIR:-$root/target}/release/lore"
fi

tmp="$(mktemp -d /tmp/lore-hostile-memory.XXXXXX)"
lore_pid=""
cleanup() {
  local status=$?
  if [[ -n "$lore_pid" ]]; then
    kill "$lore_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$lore_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$lore_pid" 2>/dev/null || true
    wait "$lore_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rss_mib() { awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
hwm_mib() { awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

git init -q -b main "$tmp/wiki"
python3 - "$tmp/wiki" "$pages" "$headings" <<'EOF'
import sys
folder, pages, headings = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for page in range(pages):
    with open(f"{folder}/huge-{page}.md", "w") as out:
        out.write("".join(f"## h{i}\n" for i in range(headings)))
EOF
git -C "$tmp/wiki" add -A
git -C "$tmp/wiki" -c user.name=Bench -c user.email=bench@example.com commit -qm "Huge pages"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
config="$tmp/lore.yaml"
{
  echo "listen: 127.0.0.1:$port"
  echo "data: $tmp/data"
  echo "repo: $tmp/wiki"
  if [[ -n "${CACHE_MB:-}" ]]; then echo "cache_mb: $CACHE_MB"; fi
} > "$config"
"$binary" serve --config "$config" > "$tmp/lore.log" 2>&1 &
lore_pid=$!
for _ in $(seq 600); do curl -fsS -o /dev/null "http://127.0.0.1:$port/-/healthz" 2>/dev/null && break; sleep 0.1; done
sleep 2
echo "pages: $pages x $headings headings ($(du -sh "$tmp/wiki/huge-0.md" | cut -f1) each); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "idle:            VmRSS $(rss_mib "$lore_pid") MiB"
started=$(date +%s%3N)
for round in 1 2; do
  for page in $(seq 0 $((pages - 1))); do
    curl -fsS -o /dev/null -w "round $round huge-$page: %{size_download} bytes in %{time_total} s\n" \
      --max-time 300 "http://127.0.0.1:$port/huge-$page"
  done
  echo "after round $round:   VmRSS $(rss_mib "$lore_pid") MiB, VmHWM $(hwm_mib "$lore_pid") MiB"
done
echo "views took $(( $(date +%s%3N) - started )) ms in all"
sleep 10
echo "idle 10 s later: VmRSS $(rss_mib "$lore_pid") MiB"
