#!/usr/bin/env bash
# Feature benchmarks (issues 3 to 7 and 10): builds Lore (release), generates the two corpora once, runs each
# benches/<feature>.py on them one after another and prints every script's table of figures. Bounded and
# self-stopping; talks to 127.0.0.1 only; each script stops the servers it started, and this one deletes the
# corpora it generated. Figures and how to read them: docs/BENCHMARKS.md.
#
# Usage: benches/features.sh [editing] [search] [git] [questions] [navigation] [history]   (default: all)
# Environment: CORPUS_20K, CORPUS_100K (existing gen_corpus.py outputs for -n 10000 -m 20000 --nested and
# -n 10000 -m 100000 --nested; default: generate into /tmp), GEN_CORPUS (path to gen_corpus.py),
# CARGO_TARGET_DIR (default /work/target-bench), OUT (also append the tables to this file).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
gen_corpus="${GEN_CORPUS:-$root/../shared/bench/gen_corpus.py}"
features=("$@")
[[ ${#features[@]} -gt 0 ]] || features=(editing search git questions navigation history)

for tool in cargo git python3; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

tmp="$(mktemp -d /tmp/lore-features.XXXXXX)"
cleanup() {
  local status=$?
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building lore (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
cargo build --release --quiet --bin lore --manifest-path "$root/Cargo.toml"

needs() { local it; for it in "${features[@]}"; do [[ $it == "$1" ]] && return 0; done; return 1; }

corpus() {  # corpus EDITS VAR: prints the folder of the -n 10000 -m EDITS corpus
  local edits="$1" given="$2"
  if [[ -n "$given" ]]; then echo "$given"; return; fi
  echo "== generating corpus -n 10000 -m $edits --nested" >&2
  timeout 1800 python3 "$gen_corpus" -n 10000 -m "$edits" --nested --out "$tmp/corpus-$edits" >/dev/null
  echo "$tmp/corpus-$edits"
}

c20k=""
c100k=""
for feature in "${features[@]}"; do
  case "$feature" in
    editing|search|git|questions|navigation) [[ -n "$c20k" ]] || c20k="$(corpus 20000 "${CORPUS_20K:-}")" ;;
    history) [[ -n "$c100k" ]] || c100k="$(corpus 100000 "${CORPUS_100K:-}")" ;;
    *) echo "unknown feature: $feature (editing search git questions navigation history)" >&2; exit 2 ;;
  esac
done

for feature in "${features[@]}"; do
  corpus_dir="$c20k"
  [[ $feature == history ]] && corpus_dir="$c100k"
  echo "== $feature" >&2
  PYTHONDONTWRITEBYTECODE=1 timeout 3600 python3 "$root/benches/$feature.py" --corpus "$corpus_dir" \
    --lore "$CARGO_TARGET_DIR/release/lore" | tee -a "${OUT:-/dev/null}"
done
