#!/usr/bin/env python3
"""Page views at scale (issue 15): random page views over every page of a corpus, cold and warm, against nginx
serving Lore's own HTML of the same pages from disk; page weight; first-view latency; memory; a save through
the browser form with its redirect; search p95. Each figure for the binary under test (--lore) beside the
same figure for a baseline binary (--baseline), measured in the same run.

Per binary: a fresh bare copy of the corpus and a fresh data folder; start and wait for every index; RSS at
idle; first views of --cold random pages, one at a time (nothing cached); `wrk -t2 -c8` over random pages for
--seconds ("cold": the page cache holds only those few); every page once (the binary under test only: it
fills the cache, and gives nginx its docroot), then wrk again ("warm"), plain and with `Accept-Encoding:
gzip`; RSS after; search p95 over the corpus's query list; --saves saves through the editor form (POST, then
the redirect's GET), each of another page; wrk again (gzip) after the saves, and RSS once the server has
returned what it freed.

nginx serves the same pages from disk (gzip_static for the compressed runs) under the same wrk, in turns with
the binary under test's warm runs: --rounds rounds of Lore plain, nginx plain, Lore gzip, nginx gzip. The
ratio to nginx is the median of the rounds' ratios, with their range. This machine's speed drifts by a third
within minutes (nginx alone: 34,500–55,600 req/s over one half hour): nginx measured once, after both
binaries' runs, met the machine in another state than Lore's runs had.

Usage: benches/page_views.py --corpus DIR [--lore BIN] [--baseline BIN] [--seconds 10] [--rounds 3]
                             [--cold 300] [--saves 30] [--json F]
Talks to 127.0.0.1 only; stops everything it started.
"""

import gzip
import random
import re
import statistics
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True

import lorebench as lb  # noqa: E402


def page_urls(corpus) -> list[str]:
    return ["/" + lb.quote(line.strip()) for line in open(corpus / "pages.txt") if line.strip()]


def kib(n: float) -> str:
    return f"{n / 1024:.1f} KiB"


def ratio(new: float, old: float, higher_is_better: bool) -> str:
    if not old or old != old or not new or new != new:
        return ""
    factor = new / old if higher_is_better else old / new
    return f"{factor:.1f}× {'better' if factor >= 1 else 'worse'}"


def unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'")
            .replace("&#39;", "'").replace("&amp;", "&"))


def save_through_form(client, url: str, n: int) -> tuple[float, float]:
    """One save through the editor form, and its redirect: (seconds for POST + GET of the redirect, status).
    Posts every field of the form as a browser does (the title, tags, owners and the rest of the front matter
    are fields of their own beside the text), with a line added to the text."""
    path = urllib.parse.unquote(url.lstrip("/"))
    status, headers, data, _ = client.request("GET", f"/-/edit/{lb.quote(path)}")
    assert status == 200, (url, status, data[:300])
    html = data.decode()
    cookie = next(v for k, v in headers.items() if k.lower() == "set-cookie" and v.startswith("lore_csrf="))
    cookie = cookie.split(";")[0]
    form = html[html.index('<form method="post"'):]
    form = form[:form.index("</form>")]
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'\bname="([^"]*)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea name="([^"]*)"[^>]*>\n?(.*?)</textarea>', form, re.S):
        fields[name] = unescape(text)
    fields.update({"markdown": fields["markdown"] + f"\nEdit {n}.\n", "message": f"bench edit {n}",
                   "author_name": "Bench Mark", "author_email": "bench@example.com"})
    body = urllib.parse.urlencode(fields)
    form_headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    status, headers, data, took_post = client.request("POST", f"/-/edit/{lb.quote(path)}", body, form_headers)
    assert status in (302, 303), (url, status, data[:300])
    location = headers["Location"]
    status, _, data, took_get = client.request("GET", location, headers={"Cookie": cookie})
    assert status == 200 and b"Saved" in data, (location, status)
    return took_post + took_get, len(data)


def run(label: str, binary, corpus, work, args, urls, res: lb.Results, is_new: bool) -> dict:
    out: dict = {}
    folder = work / label
    folder.mkdir()
    repo = lb.bare_copy(corpus, folder)
    if args.cache_mb is not None:
        # The server runs in `folder` and reads its lore.yaml.
        (folder / "lore.yaml").write_text(f"cache_mb: {args.cache_mb}\n")
    lore = lb.Lore(binary, repo, folder / "data", folder)
    timings = lore.start()
    out["start"] = timings
    client = lore.client()
    out["rss_idle"] = lore.rss_mib()
    rng = random.Random(7)
    sample = rng.sample(urls, min(args.cold, len(urls)))
    lb.log(f"{label}: first views of {len(sample)} random pages")
    cold, sizes = [], []
    for url in sample:
        status, _, data, took = client.request("GET", url)
        assert status == 200, (url, status)
        cold.append(took)
        sizes.append(len(data))
    out["cold"] = cold
    out["sizes"] = sizes
    paths_file = folder / "paths.txt"
    paths_file.write_text("\n".join(urls) + "\n")
    lb.log(f"{label}: wrk cold, load {open('/proc/loadavg').read().split()[:3]}")
    out["wrk_cold"] = lb.wrk_random(f"http://127.0.0.1:{lore.port}", paths_file, args.seconds, folder)
    if is_new:
        lb.log(f"{label}: every page once ({len(urls)})")
        docroot = folder / "www"
        sweep = []
        for url in urls:
            status, _, data, took = client.request("GET", url)
            assert status == 200, (url, status)
            sweep.append(took)
            target = docroot / urllib.parse.unquote(url.lstrip("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            (target.parent / (target.name + ".gz")).write_bytes(gzip.compress(data, 6))
        out["sweep"] = sweep
        out["docroot"] = docroot
        out["all_sizes"] = [(docroot / urllib.parse.unquote(u.lstrip("/"))).stat().st_size for u in urls]
    # Views compress for the cache after they are sent: let the last ones finish, so that "warm" is warm, and
    # say how much the cache holds (pages that did not fit, or whose compression was dropped, miss in the run).
    cached, deadline = -1, time.time() + 30
    while time.time() < deadline:
        now_cached = client.get_json("/-/healthz").get("page_cache_bytes", 0)
        if now_cached == cached:
            break
        cached = now_cached
        time.sleep(0.5)
    out["cached_before_warm"] = cached
    lb.log(f"{label}: the page cache holds {cached / 2**20:.1f} MiB before the warm runs")
    lb.log(f"{label}: wrk warm")
    def warm(url, **kw):
        return lb.wrk_random(url, paths_file, args.seconds, folder, **kw)

    lore_url = f"http://127.0.0.1:{lore.port}"
    if is_new:
        # nginx's workers must reach the docroot from the top of the benchmark's folder (`Nginx` opens the way).
        nginx = lb.Nginx(out["docroot"], work)
        out["rounds"] = []
        for n in range(args.rounds):
            lb.log(f"{label}: round {n + 1} of {args.rounds} against nginx, load "
                   f"{open('/proc/loadavg').read().split()[:3]}")
            out["rounds"].append({"lore": warm(lore_url, seed=2), "nginx": warm(nginx.url, seed=2),
                                  "lore_gzip": warm(lore_url, accept_encoding="gzip", seed=3),
                                  "nginx_gzip": warm(nginx.url, accept_encoding="gzip", seed=3)})
        nginx.stop()
        # A page nginx cannot read is a small, fast 403: such a run measures nothing.
        refused = sum(it[k]["errors"] for it in out["rounds"] for k in ("nginx", "nginx_gzip"))
        assert refused == 0, f"nginx answered {refused} requests with an error: see {work / 'nginx'}"
        out["wrk_warm"], out["wrk_warm_gzip"] = out["rounds"][0]["lore"], out["rounds"][0]["lore_gzip"]
    else:
        out["wrk_warm"] = warm(lore_url, seed=2)
        out["wrk_warm_gzip"] = warm(lore_url, accept_encoding="gzip", seed=3)
    out["rss_after"] = lore.rss_mib()
    out["rss_after_split"] = (lore.rss_mib("RssAnon"), lore.rss_mib("RssFile"))
    out["hwm_after"] = lore.rss_mib("VmHWM")
    if args.smaps:
        args.smaps.mkdir(parents=True, exist_ok=True)
        (args.smaps / f"{label}.smaps").write_text(open(f"/proc/{lore.proc.pid}/smaps").read())
    health = client.get_json("/-/healthz")
    out["caches"] = {k: v for k, v in health.items() if k.endswith("_bytes")}
    queries = [line.split("\t")[0] for line in open(corpus / "queries.tsv") if line.strip()]
    searches = []
    for _ in range(3):
        for query in queries:
            status, _, data, took = client.request("GET", f"/-/api/search?q={urllib.parse.quote(query)}")
            assert status == 200, (query, status)
            searches.append(took)
    out["search"] = searches
    lb.log(f"{label}: {args.saves} saves through the form")
    saves = []
    for n, url in enumerate(rng.sample(urls, args.saves)):
        took, _ = save_through_form(client, url, n)
        saves.append(took)
    out["saves"] = saves
    out["rss_end"] = lore.rss_mib()
    # A save changes its page's view and a few around it; the rest of the wiki's views stay warm (the
    # baseline before that change dropped every view at every save).
    time.sleep(0.5)
    out["cached_after_saves"] = client.get_json("/-/healthz").get("page_cache_bytes", 0)
    lb.log(f"{label}: wrk after the saves, gzip")
    out["wrk_after_saves"] = lb.wrk_random(f"http://127.0.0.1:{lore.port}", paths_file, args.seconds, folder,
                                           accept_encoding="gzip", seed=4)
    # The server hands what it freed back to the system every 10 s.
    time.sleep(11)
    out["rss_settled"] = lore.rss_mib()
    out["rss_settled_file"] = lore.rss_mib("RssFile")
    client.close()
    lore.stop()
    return out


def main():
    p = lb.arg_parser(__doc__.splitlines()[0], 10000, 20000)
    p.add_argument("--baseline", type=lb.Path, help="the binary to compare with (e.g. a build of main)")
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3, help="warm runs in turns with nginx")
    p.add_argument("--cold", type=int, default=300)
    p.add_argument("--saves", type=int, default=30)
    p.add_argument("--cache-mb", type=int, help="cache_mb for both servers (default: the server's own default)")
    p.add_argument("--smaps", type=lb.Path, help="copy the server's /proc/PID/smaps after the load runs here")
    args = p.parse_args()
    corpus = lb.corpus(args)
    meta = lb.json.loads((corpus / "corpus.json").read_text())
    work = lb.temp_dir("lore-bench-page-views.")
    urls = page_urls(corpus)
    shape = "nested" if meta.get("nested") else "flat"
    res = lb.Results(f"Page views: {len(urls)} pages ({shape}), {meta['commits']} commits")
    new = run("new", args.lore, corpus, work, args, urls, res, True)
    old = run("baseline", args.baseline, corpus, work, args, urls, res, False) if args.baseline else None

    def row(figure, pick, fmt, higher_is_better, target="", met=None):
        value = pick(new)
        text = fmt(value)
        if old is not None:
            before = pick(old)
            text += f" (baseline {fmt(before)}; {ratio(value, before, higher_is_better)})"
        res.add(figure, text, target, met)

    ms = lambda it: f"{it * 1000:.2f} ms"  # noqa: E731
    row("start until history and search are ready", lambda it: it["start"].get("search", float("nan")),
        lambda it: f"{it:.1f} s", False)
    row("memory at idle after start (VmRSS)", lambda it: it["rss_idle"], lambda it: f"{it:.0f} MiB", False)
    row(f"page size, {args.cold} random pages: median", lambda it: sorted(it["sizes"])[len(it["sizes"]) // 2],
        kib, False)
    row(f"page size, {args.cold} random pages: largest", lambda it: max(it["sizes"]), kib, False)
    if "all_sizes" in new:
        sizes = sorted(new["all_sizes"])
        res.add("page size, every page: median / largest", f"{kib(sizes[len(sizes) // 2])} / {kib(sizes[-1])}")
    row("first view of a page: p50", lambda it: lb.pct(it["cold"], 50), ms, False)
    row("first view of a page: p95", lambda it: lb.pct(it["cold"], 95), ms, False)
    if "sweep" in new:
        res.add(f"every page once, in order after the random sample: p50 / p95",
                f"{ms(lb.pct(new['sweep'], 50))} / {ms(lb.pct(new['sweep'], 95))}")
    rps = lambda it: f"{it:,.0f} req/s"  # noqa: E731
    row(f"wrk -t2 -c8 {args.seconds}s random pages, cold", lambda it: it["wrk_cold"]["rps"], rps, True)
    row("  cold: latency p50 / p99", lambda it: it["wrk_cold"]["p50"],
        lambda it: f"{it:.2f} ms", False)
    row(f"wrk random pages, warm (after every page once for the new binary)", lambda it: it["wrk_warm"]["rps"], rps,
        True)
    row("  warm: latency p50", lambda it: it["wrk_warm"]["p50"], lambda it: f"{it:.2f} ms", False)
    row("wrk random pages, warm, Accept-Encoding: gzip", lambda it: it["wrk_warm_gzip"]["rps"], rps, True)
    for lore_key, nginx_key, what in (("lore", "nginx", "plain"), ("lore_gzip", "nginx_gzip", "gzip")):
        rounds = new["rounds"]
        shares = sorted(it[lore_key]["rps"] / it[nginx_key]["rps"] for it in rounds)
        res.add(f"warm, {what}, in turns: Lore / nginx req/s",
                ", ".join(f"{it[lore_key]['rps']:,.0f} / {it[nginx_key]['rps']:,.0f}" for it in rounds))
        # With an even count of rounds, the mean of the two middle ones (not the higher of them).
        share = statistics.median(shares)
        res.add(f"Lore warm / nginx, {what}: median of {len(rounds)} rounds (range)",
                f"{share * 100:.0f} % ({shares[0] * 100:.0f}–{shares[-1] * 100:.0f} %)", "≥ 50 %", share >= 0.5)
    lore_runs = [it[k] for it in [new] + ([old] if old else []) for k in ("wrk_cold", "wrk_warm", "wrk_warm_gzip")]
    lore_runs += [it[k] for it in new["rounds"][1:] for k in ("lore", "lore_gzip")]
    errors = sum(it["errors"] for it in lore_runs)
    res.add("wrk non-2xx responses and socket errors (all Lore runs)", str(errors))
    row("memory after the load runs (VmRSS)", lambda it: it["rss_after"], lambda it: f"{it:.0f} MiB", False)
    row("  of which anonymous (heap) / file-backed (binary, mapped git packs and search index)",
        lambda it: it["rss_after_split"][0], lambda it: f"{it:.0f} MiB", False)
    res.add("  file-backed after the load runs", f"{new['rss_after_split'][1]:.0f} MiB"
            + (f" (baseline {old['rss_after_split'][1]:.0f} MiB)" if old else ""))
    row("peak memory (VmHWM)", lambda it: it["hwm_after"], lambda it: f"{it:.0f} MiB", False)
    res.add("page cache before the warm runs (healthz, once compressions settled)",
            f"{new.get('cached_before_warm', 0) / 2**20:.1f} MiB")
    res.add("web caches after the load runs (healthz)",
            ", ".join(f"{k}: {v / 2**20:.1f} MiB" for k, v in new["caches"].items()) or "n/a")
    row("search p95 (the corpus's 50 queries × 3)", lambda it: lb.pct(it["search"], 95), ms, False)
    row(f"save through the editor form + its redirect ({args.saves} pages): p50",
        lambda it: lb.pct(it["saves"], 50), ms, False)
    row("  save: p95", lambda it: lb.pct(it["saves"], 95), ms, False)
    row("memory right after the saves (VmRSS)", lambda it: it["rss_end"], lambda it: f"{it:.0f} MiB", False)
    row("page cache right after the saves (healthz)", lambda it: it["cached_after_saves"] / 2**20,
        lambda it: f"{it:.1f} MiB", True)
    row("wrk random pages after the saves, gzip", lambda it: it["wrk_after_saves"]["rps"], rps, True)
    row("memory at the end, 11 s after that run (VmRSS)", lambda it: it["rss_settled"], lambda it: f"{it:.0f} MiB",
        False)
    # The binary, and what of the search index's mapped files the searches read.
    row("  of which file-backed", lambda it: it["rss_settled_file"], lambda it: f"{it:.0f} MiB", False)
    res.print(args.json)


if __name__ == "__main__":
    main()
