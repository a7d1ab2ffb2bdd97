#!/usr/bin/env python3
"""Search in every language (issue 18), measured on a tldr-pages clone (38,000 pages in 40 languages).

- Full build: `lore reindex` (history, then search), timed from its log; the search phase on its own.
- Index size on disk (`<data>/index/search`).
- Recall against `git grep -l` at the same commit, for 30 words (10 Chinese, 5 Japanese, 5 Korean, 10
  inflected European words): every hit of `/-/api/search?q=<word> ` is fetched (100 at a time) and compared
  with the pages `git grep` finds. A CJK word is grepped as written (`-F`) in the whole repository; a European
  word as the family of its inflected forms (`-i -P`, whole words, the regex beside it below) in its own
  language's folders (`pages.de/` for German), since that is what a search for it should find (Ukrainian
  pages also say `файл`, Romanian ones `archive`). Paths Lore does not index (`_`-prefixed segments) are
  left out of both.
- Precision of the top 10: the share of the first ten hits that `git grep` also finds; asked as a reader of
  that language (`Accept-Language: <lang>`, as the browser sends it) and with no `Accept-Language` at all.
- Query latency over HTTP for the 30 words (keep-alive, `limit=10`, as the search box asks), several rounds;
  and the server's own `took_ms`.

Unless --plain is given, a `lore.yaml` with tldr's translation patterns is written into the work folder, so
every page gets its language from its folder, through configuration alone (--plain runs an older binary,
which would refuse those keys, as it is).

Usage: benches/languages.py [--repo /tmp/tldr] [--lore BIN] [--rounds 20] [--plain] [--json F]
"""

import sys

sys.dont_write_bytecode = True

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from pathlib import Path  # noqa: E402

import lorebench as lb  # noqa: E402

LORE_YAML = """\
language: en
languages:
  - {path: "pages/**", lang: en}
translations:
  - "pages/{rest}"
  - "pages.{lang}/{rest}"
"""


def forms(regex: str) -> list[str]:
    """`git grep` arguments for a family of inflected forms, as whole words: git's own `-w` counts every byte of
    a non-ASCII letter as a word boundary (so `файл` would match inside `файловых`); PCRE's `\\p{L}` does not."""
    return ["-i", "-P", rf"(?<![\p{{L}}\p{{N}}_])(?:{regex})(?![\p{{L}}\p{{N}}_])"]


# (query, language, git grep arguments). CJK words are matched as written, as substrings, anywhere; European words
# in the folders of their language (see `FOLDERS`).
WORDS = [
    ("压缩", "zh", ["-F", "压缩"]),
    ("文件", "zh", ["-F", "文件"]),
    ("目录", "zh", ["-F", "目录"]),
    ("显示", "zh", ["-F", "显示"]),
    ("创建", "zh", ["-F", "创建"]),
    ("删除", "zh", ["-F", "删除"]),
    ("命令", "zh", ["-F", "命令"]),
    ("用户", "zh", ["-F", "用户"]),
    ("进程", "zh", ["-F", "进程"]),
    ("网络", "zh", ["-F", "网络"]),
    ("圧縮", "ja", ["-F", "圧縮"]),
    ("ファイル", "ja", ["-F", "ファイル"]),
    ("ディレクトリ", "ja", ["-F", "ディレクトリ"]),
    ("表示", "ja", ["-F", "表示"]),
    ("削除", "ja", ["-F", "削除"]),
    ("파일", "ko", ["-F", "파일"]),
    ("디렉토리", "ko", ["-F", "디렉토리"]),
    ("압축", "ko", ["-F", "압축"]),
    ("명령어", "ko", ["-F", "명령어"]),
    ("사용자", "ko", ["-F", "사용자"]),
    ("compactar", "pt", forms("compact(a|as|o|os|ar|am|ado|ada|ados|adas|ação|ações|ador|adores|ando)")),
    ("komprimieren", "de", forms("komprimier(en|e|t|te|tes|ten|ter|tem|ung|ungen)")),
    ("Dateien", "de", forms("datei(en)?")),
    ("Verzeichnisse", "de", forms("verzeichnis(se|ses|sen)?")),
    ("fichiers", "fr", forms("fichiers?")),
    ("repertoires", "fr", forms("r[ée]pertoires?")),
    ("archivos", "es", forms("archiv(o|os|a|as|ar|ado|ada|ados|adas|ador)")),
    ("bestanden", "nl", forms("bestand(en)?")),
    ("visualizza", "it", forms("visualizz(a|are|ato|ata|ati|ate|ano|azione|azioni)")),
    ("файлы", "ru", forms("файл(ы|а|ов|ам|ами|ах|е|у|ом)?")),
]


# The folders of a language in tldr.
FOLDERS = {"pt": ["pages.pt_BR", "pages.pt_PT"]}


def scope(lang: str) -> list[str]:
    """The pathspecs `git grep` searches for a word of `lang`."""
    if lang in ("zh", "ja", "ko"):
        return ["*.md"]
    return [f"{folder}/*.md" for folder in FOLDERS.get(lang, [f"pages.{lang}"])]


def searchable(path: str) -> bool:
    return path.endswith(".md") and not any(part.startswith("_") for part in path.split("/"))


def git_grep(repo: Path, args: list[str], pathspecs: list[str]) -> set[str]:
    env = dict(os.environ, LC_ALL="C.UTF-8")
    out = subprocess.run(["git", "-C", str(repo), "grep", "-l", "-I", *args, "HEAD", "--", *pathspecs],
                         capture_output=True, text=True, env=env).stdout
    return {line.split(":", 1)[1] for line in out.splitlines() if searchable(line.split(":", 1)[1])}


def get_json(client: lb.Client, path: str, accept_language: str | None):
    status, _, data, _ = client.request("GET", path, headers={"Accept-Language": accept_language} if accept_language else {})
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {data[:300]!r}")
    return json.loads(data)


def all_hits(client: lb.Client, query: str, accept_language: str | None) -> tuple[list[str], int]:
    """Every hit's path, best first, and the total the API reports."""
    q = urllib.parse.quote(query + " ")
    paths: list[str] = []
    total = None
    while total is None or len(paths) < total:
        answer = get_json(client, f"/-/api/search?q={q}&limit=100&offset={len(paths)}", accept_language)
        total = answer["total"]
        page = [it["path"] for it in answer["hits"]]
        if not page:
            break
        paths.extend(page)
    return paths, total or 0


def all_hits_top(client: lb.Client, query: str) -> list[str]:
    """The first ten hits with no `Accept-Language`."""
    answer = get_json(client, f"/-/api/search?q={urllib.parse.quote(query + ' ')}&limit=10", None)
    return [it["path"] for it in answer["hits"]]


def reindex(binary: Path, repo: Path, data: Path, cwd: Path) -> dict:
    t0 = time.monotonic()
    proc = subprocess.run([str(binary), "reindex", "--data", str(data), "--repo", str(repo)], cwd=cwd,
                          capture_output=True, text=True)
    total = time.monotonic() - t0
    if proc.returncode != 0:
        raise SystemExit(f"lore reindex failed:\n{proc.stderr[-3000:]}")
    text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr)
    history = re.search(r"history indexed .*?elapsed_ms=(\d+)", text)
    search = re.search(r"search index built .*?elapsed_ms=(\d+)", text)
    return {
        "reindex_s": total,
        "history_s": int(history.group(1)) / 1000 if history else None,
        "search_build_s": int(search.group(1)) / 1000 if search else None,
    }


def index_bytes(data: Path) -> int:
    return sum(it.stat().st_size for it in (data / "index" / "search").iterdir() if it.is_file())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repo", type=Path, default=Path("/tmp/tldr"), help="a clone of tldr-pages")
    p.add_argument("--lore", type=Path, default=lb.DEFAULT_TARGET / "release" / "lore")
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--plain", action="store_true", help="no lore.yaml (for a binary from before issue 18)")
    p.add_argument("--json", type=Path)
    args = p.parse_args()

    for line in lb.machine():
        print(line)
    head = lb.sh(["git", "-C", str(args.repo), "rev-parse", "--short", "HEAD"]).strip()
    print(f"corpus: {args.repo} at {head}, binary: {args.lore}{' (no lore.yaml)' if args.plain else ''}")
    work = lb.temp_dir("lore-bench-languages.")
    if not args.plain:
        (work / "lore.yaml").write_text(LORE_YAML)
    data = work / "data"

    lb.log("lore reindex")
    build = reindex(args.lore, args.repo, data, work)
    size = index_bytes(data)
    lore = lb.Lore(args.lore, args.repo, data, work)
    lore.start()
    client = lore.client()

    rows = []
    for query, lang, grep_args in WORDS:
        expected = git_grep(args.repo, grep_args, scope(lang))
        hits, total = all_hits(client, query, lang)
        found = set(hits)
        recall = len(found & expected) / len(expected) if expected else 1.0
        precision = lambda top: sum(1 for it in top if it in expected) / len(top) if top else 0.0  # noqa: E731
        top_plain = all_hits_top(client, query)
        rows.append({"query": query, "lang": lang, "grep": len(expected), "hits": total, "recall": recall,
                     "precision_at_10": precision(hits[:10]), "precision_at_10_plain": precision(top_plain),
                     "missed": sorted(expected - found)[:5],
                     "wrong_in_top_10": [it for it in hits[:10] if it not in expected],
                     "wrong_in_top_10_plain": [it for it in top_plain if it not in expected]})

    lb.log(f"latency: {args.rounds} rounds of {len(WORDS)} queries")
    samples, took = [], []
    for _ in range(args.rounds):
        for query, _, _ in WORDS:
            status, _, body, seconds = client.request("GET", f"/-/api/search?q={urllib.parse.quote(query + ' ')}")
            if status != 200:
                raise SystemExit(f"{query}: {status}")
            samples.append(seconds)
            took.append(json.loads(body)["took_ms"] / 1000)
    client.close()
    lore.stop()

    print()
    print("| query | lang | git grep pages | Lore hits | recall | precision of top 10 | same, no Accept-Language |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['query']} | {row['lang']} | {row['grep']:,} | {row['hits']:,} | {row['recall'] * 100:.1f} % "
              f"| {row['precision_at_10'] * 100:.0f} % | {row['precision_at_10_plain'] * 100:.0f} % |")
    mean = lambda key: sum(it[key] for it in rows) / len(rows)  # noqa: E731
    print(f"| **mean of {len(rows)}** | | | | **{mean('recall') * 100:.1f} %** "
          f"| **{mean('precision_at_10') * 100:.1f} %** | {mean('precision_at_10_plain') * 100:.1f} % |")
    low = lambda key: min(it[key] for it in rows) * 100  # noqa: E731
    print(f"| **lowest** | | | | {low('recall'):.1f} % | {low('precision_at_10'):.0f} % "
          f"| {low('precision_at_10_plain'):.0f} % |")
    print()
    for row in rows:
        if row["missed"] or row["wrong_in_top_10"] or row["wrong_in_top_10_plain"]:
            print(f"{row['query']}: missed e.g. {row['missed']}; not in git grep's list among the top 10: "
                  f"{row['wrong_in_top_10']}, without Accept-Language: {row['wrong_in_top_10_plain']}")
    print()
    print(f"full build (lore reindex): {build['reindex_s']:.1f} s; history {build['history_s']} s, "
          f"search {build['search_build_s']} s")
    print(f"index size: {size / 1e6:.1f} MB ({size:,} bytes)")
    print(f"query over HTTP: {lb.dist(samples)}")
    print(f"query, server's took_ms: p50 {lb.pct(took, 50) * 1e3:.0f} / p95 {lb.pct(took, 95) * 1e3:.0f} ms")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "build": build, "index_bytes": size,
                                         "http_p95_ms": lb.pct(samples, 95) * 1e3}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
