#!/usr/bin/env python3
"""History (issue 4) on a 10,000-page, 100,000-commit repository.

- History index build on first start (until /-/healthz says history_indexed), and reuse on a second start.
- `GET /-/api/history/<path>` (first page of 50) p95 for the most edited page (corpus.json) and a rarely
  edited one, beside `git log --format=%H -n 50 -- <file>` on the same repository after
  `git commit-graph write --reachable --changed-paths` (timed in the same run).
- `GET /-/api/changes` p95.
- `GET /-/api/diff/<path>?from=&to=` between two versions of a 2,000-line page made through the API.

Usage: benches/history.py [--corpus DIR] [--requests 300] [--lore BIN] [--json F]
"""

import sys

sys.dont_write_bytecode = True

import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import lorebench as lb  # noqa: E402

AUTHOR = {"name": "Bench Writer", "email": "bench@example.com"}


def git_log_times(repo, file, n):
    cmd = ["git", "-C", str(repo), "log", "--format=%H", "-n", "50", "--", file]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout  # warm-up (page cache)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times, len(out.split())


def main():
    p = lb.arg_parser(__doc__.splitlines()[0], 10000, 100000)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--git-runs", type=int, default=10)
    args = p.parse_args()
    corpus, meta, work, repo = lb.prepare(args, "history")
    n_commits = int(lb.sh(["git", "-C", str(repo), "rev-list", "--count", "HEAD"]).strip())
    res = lb.Results("History (issue 4)")
    res.add("repository", f"{meta['pages']} pages, {n_commits} commits, .git {lb.du(repo)}")

    # Index build on first start, reuse on the second.
    lore = lb.Lore(args.lore, repo, work / "data", work)
    t = lore.start()
    res.add("first start: /-/healthz answers", f"{t['healthz'] * 1000:.0f} ms")
    res.add("first start: history index built (history_indexed: true)", f"{t['history']:.1f} s")
    res.add("first start: search index built (indexing: false)", f"{t['search']:.1f} s")
    res.add("first start: memory once indexed (VmRSS / VmHWM)",
            f"{lore.rss_mib():.0f} / {lore.rss_mib('VmHWM'):.0f} MiB")
    lore.stop()
    changes_bin = work / "data" / "index" / "changes.bin"
    search_dir = work / "data" / "index" / "search"
    res.add("saved indexes", f"changes.bin {lb.du(changes_bin) if changes_bin.exists() else 'MISSING'}, "
            f"search/ {lb.du(search_dir) if search_dir.exists() else 'MISSING'}")
    mtime = changes_bin.stat().st_mtime if changes_bin.exists() else None
    t = lore.start()
    reused = changes_bin.exists() and changes_bin.stat().st_mtime == mtime
    res.add("second start: history index ready / search ready", f"{t['history'] * 1000:.0f} ms / "
            f"{t['search'] * 1000:.0f} ms (changes.bin {'reused, not rewritten' if reused else 'rewritten'})")
    client = lore.client()

    # Which pages: the most edited (corpus.json) and the least edited of a sample.
    most = meta["most_edited_file"]
    pages = [line.strip() + ".md" for line in open(corpus / "pages.txt") if line.strip()]
    rng = random.Random(4)
    rare, rare_total = None, None
    for page in rng.sample(pages, 200):
        total = client.get_json(f"/-/api/history/{lb.quote(page)}?limit=1")["total"]
        if rare_total is None or total < rare_total:
            rare, rare_total = page, total

    lb.log("git commit-graph write --reachable --changed-paths")
    t0 = time.perf_counter()
    subprocess.run(["git", "-C", str(repo), "commit-graph", "write", "--reachable", "--changed-paths"], check=True,
                   capture_output=True)
    res.add("git commit-graph write --reachable --changed-paths (setup for the baseline)",
            f"{time.perf_counter() - t0:.1f} s")

    for label, page in (("most edited", most), ("rarely edited", rare)):
        url = f"/-/api/history/{lb.quote(page)}"
        status, _, data, cold = client.request("GET", url)
        body = lb.json.loads(data)
        samples = lb.timed_gets(client, url, args.requests)
        git, git_n = git_log_times(repo, page, args.git_runs)
        p95 = lb.pct(samples, 95)
        res.add(f"history API, {label} page ({page}, {body['total']} versions): first request", lb.ms(cold))
        res.add(f"history API, {label} page: p95 (first page, {len(body['commits'])} rows)", lb.ms(p95), "≤ 20 ms",
                p95 <= 0.020)
        res.add(f"history API, {label} page: distribution", lb.dist(samples))
        git_med = statistics.median(git)
        res.add(f"git log -n 50 -- {page} ({git_n} commits): median of {len(git)}",
                f"{git_med * 1000:.1f} ms (min {min(git) * 1000:.1f}, max {max(git) * 1000:.1f})")
        res.add(f"{label}: Lore p95 / git log median", f"{p95 / git_med:.3f} (Lore {git_med / p95:.0f}× faster)")

    samples = lb.timed_gets(client, "/-/api/changes", args.requests)
    res.add("GET /-/api/changes (newest 50): p95", lb.ms(lb.pct(samples, 95)), "≤ 10 ms",
            lb.pct(samples, 95) <= 0.010)
    res.add("GET /-/api/changes: distribution", lb.dist(samples))

    # A 2,000-line page with two versions: every 10th line changed in the second.
    path = "bench/Two-Thousand-Lines.md"
    lines = [f"Line {i}: the quick brown fox jumps over the lazy dog, item {i * 7919 % 10007}." for i in range(2000)]
    status, headers, data, _ = client.request("PUT", f"/-/api/pages/{path}",
                                              {"markdown": "\n".join(lines) + "\n", "author": AUTHOR})
    assert status == 201, (status, data)
    first = lb.json.loads(data)["commit"]
    changed = [line + " Changed." if i % 10 == 0 else line for i, line in enumerate(lines)]
    status, _, data, _ = client.request("PUT", f"/-/api/pages/{path}", {"markdown": "\n".join(changed) + "\n",
                                        "author": AUTHOR}, {"If-Match": headers["ETag"]})
    assert status == 200, (status, data)
    second = lb.json.loads(data)["commit"]
    for label, query in (("collapsed context", ""), ("full context (context=all)", "&context=all")):
        url = f"/-/api/diff/{path}?from={first}&to={second}{query}"
        status, _, data, cold = client.request("GET", url)
        body = lb.json.loads(data)
        samples = lb.timed_gets(client, url, args.requests)
        p95 = lb.pct(samples, 95)
        res.add(f"diff API, 2,000 lines, 200 changed, {label}: first request",
                f"{lb.ms(cold)} ({len(body['hunks'])} hunks, {len(data) // 1024} KiB, truncated {body['truncated']})")
        res.add(f"diff API, {label}: p95", lb.ms(p95), "≤ 10 ms", p95 <= 0.010)
        res.add(f"diff API, {label}: distribution", lb.dist(samples))
    res.add("server memory (VmRSS / VmHWM)", f"{lore.rss_mib():.0f} / {lore.rss_mib('VmHWM'):.0f} MiB")
    client.close()
    lore.stop()
    res.print(args.json)


if __name__ == "__main__":
    main()
