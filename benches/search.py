#!/usr/bin/env python3
"""Search (issue 5) on a 10,000-page, 20,000-commit repository.

- Full build: first start until `/-/api/search` says `searchable: true` (every page indexed) and then
  `indexing: false` (authors from the history index added), and `lore reindex` (history, then
  search, timed phase by phase from its progress output).
- Query latency over HTTP (`GET /-/api/search?q=<term>`: ranked hits with snippets plus facets) for the 50
  terms of the corpus's queries.tsv, several rounds, beside `git grep -i -l -w <term> HEAD` per term.
- Incremental update: PUT a page with a new unique word, poll search until the word is found (--pause seconds
  between updates, so one update's indexing and merging does not overlap the next).
- Index size on disk and the server's memory.

Usage: benches/search.py [--corpus DIR] [--rounds 20] [--updates 30] [--pause 0.3] [--lore BIN] [--json F]
"""

import sys

sys.dont_write_bytecode = True

import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import lorebench as lb  # noqa: E402

AUTHOR = {"name": "Bench Writer", "email": "bench@example.com"}


def reindex(binary, repo, data, cwd):
    """Runs `lore reindex`; returns (seconds for history, seconds for search, seconds in all, 'Done in' line)."""
    t0 = time.monotonic()
    proc = subprocess.Popen([str(binary), "reindex", "--data", str(data), "--repo", str(repo)], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lb._started.append(proc)
    out = b""
    t_pages = None
    while True:
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        out += chunk
        if t_pages is None and b"Indexing pages" in out:
            t_pages = time.monotonic() - t0
    proc.wait()
    lb._started.remove(proc)
    total = time.monotonic() - t0
    if proc.returncode != 0:
        raise SystemExit(f"lore reindex failed: {out.decode(errors='replace')[-2000:]}")
    text = out.decode(errors="replace")
    done = re.search(r"Done in [0-9.]+ s", text)
    return t_pages or 0.0, total - (t_pages or 0.0), total, done.group(0) if done else "?"


def main():
    p = lb.arg_parser(__doc__.splitlines()[0], 10000, 20000)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--updates", type=int, default=30)
    p.add_argument("--pause", type=float, default=0.3, help="seconds between incremental updates")
    args = p.parse_args()
    corpus, meta, work, repo = lb.prepare(args, "search")
    data = work / "data"
    res = lb.Results("Search (issue 5)")
    res.add("repository", f"{meta['pages']} pages, {meta['commits']} commits, "
            f"{meta['total_bytes'] / 1e6:.0f} MB of Markdown at HEAD")

    lore = lb.Lore(args.lore, repo, data, work)
    t = lore.start()
    res.add("first start until every page is searchable (`searchable: true`)",
            f"{t['searchable']:.1f} s", "≤ 20 s", t["searchable"] <= 20)
    res.add("first start until indexing: false (authors and last updates from history added)",
            f"{t['search']:.1f} s")
    res.add("first start: history index ready", f"{t['history']:.1f} s")
    lore.stop()

    lb.log("lore reindex")
    t_history, t_search, t_all, done = reindex(args.lore, repo, data, work)
    res.add("lore reindex: search phase (first progress line to Done)", f"{t_search:.1f} s", "≤ 20 s", t_search <= 20)
    res.add("lore reindex: history phase / whole command", f"{t_history:.1f} s / {t_all:.1f} s ({done})")

    t = lore.start()
    res.add("start after reindex: search ready (index reused)", f"{t['search'] * 1000:.0f} ms")
    res.add("index size on disk (du -sh index/search)", lb.du(data / "index" / "search"))
    res.add("server memory after start (VmRSS)", f"{lore.rss_mib():.0f} MiB")
    client = lore.client()

    terms = []
    for line in open(corpus / "queries.tsv"):
        if line.startswith("#") or not line.strip():
            continue
        term, expected = line.split("\t")[:2]
        terms.append((term, int(expected)))
    lb.log(f"queries: {len(terms)} terms × {args.rounds} rounds")
    exact = 0
    took_ms = []
    for term, expected in terms:  # warm-up and correctness
        body = client.get_json(f"/-/api/search?q={term}")
        exact += body["total"] == expected
        if not body["hits"] or "facets" not in body:
            lb.log(f"warning: {term}: {body['total']} hits, facets {'facets' in body}")
    samples, per_term = [], {term: [] for term, _ in terms}
    for _ in range(args.rounds):
        for term, _ in terms:
            status, _, data_, took = client.request("GET", f"/-/api/search?q={term}")
            assert status == 200
            samples.append(took)
            per_term[term].append(took)
            took_ms.append(lb.json.loads(data_)["took_ms"])
    p95 = lb.pct(samples, 95)
    res.add(f"query p95 over HTTP, {len(terms)} terms × {args.rounds} rounds (10 hits, snippets, facets)",
            lb.ms(p95), "≤ 10 ms", p95 <= 0.010)
    res.add("query latency distribution", lb.dist(samples))
    worst = max(per_term, key=lambda it: lb.pct(per_term[it], 95))
    res.add("slowest term (its p95)", f"{worst}: {lb.ms(lb.pct(per_term[worst], 95))}")
    res.add("server-side took_ms (search alone): p50 / p95", f"{lb.pct(took_ms, 50)} / {lb.pct(took_ms, 95)} ms")
    res.add("totals equal to queries.tsv's whole-word counts", f"{exact} of {len(terms)}")

    lb.log("git grep -i -l -w <term> HEAD, once per term")
    subprocess.run(["git", "-C", str(repo), "grep", "-i", "-l", "-w", terms[0][0], "HEAD"], stdout=subprocess.DEVNULL)
    grep = []
    for term, _ in terms:
        t0 = time.perf_counter()
        subprocess.run(["git", "-C", str(repo), "grep", "-i", "-l", "-w", term, "HEAD"], stdout=subprocess.DEVNULL)
        grep.append(time.perf_counter() - t0)
    grep_med = statistics.median(grep)
    res.add("git grep -i -l -w <term> HEAD: median / p95 over the terms",
            f"{grep_med * 1000:.0f} / {lb.pct(grep, 95) * 1000:.0f} ms")
    res.add("Lore query p95 / git grep median", f"{p95 / grep_med:.4f} (Lore {grep_med / p95:.0f}× faster)")

    # Incremental updates: a new unique word in an existing page, until search finds it.
    pages = [line.strip() + ".md" for line in open(corpus / "pages.txt") if line.strip()]
    rng = random.Random(5)
    poller = lore.client()
    from_put, from_commit, polls = [], [], []
    lb.log(f"incremental: {args.updates} updates")
    for i in range(args.updates + 3):
        page = rng.choice(pages)
        word = "zq" + "".join(rng.choice("bcdfghjklmnpstvwxz") for _ in range(10))
        status, headers, data_, _ = client.request("GET", f"/-/api/pages/{lb.quote(page)}")
        markdown = lb.json.loads(data_)["markdown"] + f"\nNew word: {word}.\n"
        t0 = time.perf_counter()
        status, _, data_, put = client.request("PUT", f"/-/api/pages/{lb.quote(page)}",
                                               {"markdown": markdown, "author": AUTHOR}, {"If-Match": headers["ETag"]})
        assert status == 200, (status, data_)
        n = 0
        while True:
            n += 1
            body = poller.get_json(f"/-/api/search?q={word}")
            if body["total"] >= 1:
                break
            if time.perf_counter() - t0 > 30:
                raise SystemExit(f"{word} not searchable after 30 s")
        found = time.perf_counter() - t0
        if i >= 3:  # the first few are warm-up
            from_put.append(found)
            from_commit.append(found - put)
            polls.append(n)
        time.sleep(args.pause)
    res.add("incremental: PUT sent → word found, p50 / p95 / max",
            f"{lb.ms(lb.pct(from_put, 50))} / {lb.ms(lb.pct(from_put, 95))} / {lb.ms(max(from_put))}",
            "≤ 50 ms", lb.pct(from_put, 95) <= 0.050)
    res.add("incremental: PUT answered (committed) → word found", lb.dist(from_commit)
            + f", {statistics.mean(polls):.1f} polls on average")
    res.add("server memory after queries and updates (VmRSS / VmHWM)",
            f"{lore.rss_mib():.0f} / {lore.rss_mib('VmHWM'):.0f} MiB")
    res.add("index size on disk after the updates", lb.du(data / "index" / "search"))
    client.close()
    poller.close()
    lore.stop()
    res.print(args.json)


if __name__ == "__main__":
    main()
