#!/usr/bin/env python3
"""Navigation (issue 10) on a 10,000-page, 20,000-commit repository.

- `GET /-/api/links/<path>` (outgoing, backlinks, broken): every page once, then --requests times on the page
  with the most backlinks.
- `GET /-/api/tags`: --requests times.
- `GET /-/api/tree?path=<folder>`: every top-level folder and the root, --rounds rounds; and the biggest folder
  --requests times.

Usage: benches/navigation.py [--corpus DIR] [--requests 300] [--rounds 20] [--lore BIN] [--json F]
"""

import sys

sys.dont_write_bytecode = True

import lorebench as lb  # noqa: E402


def main():
    p = lb.arg_parser(__doc__.splitlines()[0], 10000, 20000)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--rounds", type=int, default=20)
    args = p.parse_args()
    corpus, meta, work, repo = lb.prepare(args, "navigation")
    res = lb.Results("Navigation (issue 10)")
    res.add("repository", f"{meta['pages']} pages, {meta['commits']} commits")
    lore = lb.Lore(args.lore, repo, work / "data", work)
    lore.start()
    client = lore.client()
    pages = [line.strip() + ".md" for line in open(corpus / "pages.txt") if line.strip()]

    lb.log(f"links: all {len(pages)} pages once")
    sweep, most, most_in = [], None, -1
    incoming_total = 0
    for page in pages:
        status, _, data, took = client.request("GET", f"/-/api/links/{lb.quote(page)}")
        assert status == 200, (page, status, data[:200])
        sweep.append(took)
        n_in = len(lb.json.loads(data)["incoming"])
        incoming_total += n_in
        if n_in > most_in:
            most, most_in = page, n_in
    p95 = lb.pct(sweep, 95)
    res.add(f"GET /-/api/links/<path>, every page once: p95", lb.ms(p95), "≤ 5 ms", p95 <= 0.005)
    res.add("links, every page once: distribution",
            lb.dist(sweep) + f"; {incoming_total / len(pages):.1f} backlinks per page on average")
    samples = lb.timed_gets(client, f"/-/api/links/{lb.quote(most)}", args.requests)
    p95 = lb.pct(samples, 95)
    res.add(f"links of the most linked page ({most}, {most_in} backlinks): p95", lb.ms(p95), "≤ 5 ms",
            p95 <= 0.005)
    res.add("links of the most linked page: distribution", lb.dist(samples))

    tags = client.get_json("/-/api/tags")["tags"]
    samples = lb.timed_gets(client, "/-/api/tags", args.requests)
    p95 = lb.pct(samples, 95)
    res.add(f"GET /-/api/tags ({len(tags)} tags): p95", lb.ms(p95), "≤ 10 ms", p95 <= 0.010)
    res.add("tags: distribution", lb.dist(samples))

    root = client.get_json("/-/api/tree?path=")
    folders = [""] + [e["path"].strip("/") for e in root["entries"] if e["is_folder"]]
    sizes = {f: len(client.get_json(f"/-/api/tree?path={lb.quote(f)}")["entries"]) for f in folders}
    samples, by_folder = [], {f: [] for f in folders}
    for _ in range(args.rounds):
        for folder in folders:
            status, _, data, took = client.request("GET", f"/-/api/tree?path={lb.quote(folder)}")
            assert status == 200, (folder, status)
            samples.append(took)
            by_folder[folder].append(took)
    p95 = lb.pct(samples, 95)
    res.add(f"GET /-/api/tree?path=<folder>, root and {len(folders) - 1} folders × {args.rounds}: p95", lb.ms(p95),
            "≤ 10 ms", p95 <= 0.010)
    res.add("tree: distribution", lb.dist(samples))
    res.add(f"tree of the root ({sizes['']} entries): distribution", lb.dist(by_folder[""]))
    rest = [x for f in folders[1:] for x in by_folder[f]]
    res.add(f"tree of the {len(folders) - 1} team folders: distribution", lb.dist(rest))
    biggest = max(sizes, key=sizes.get)
    samples = lb.timed_gets(client, f"/-/api/tree?path={lb.quote(biggest)}", args.requests)
    p95 = lb.pct(samples, 95)
    res.add(f"tree of the biggest folder ({biggest or '/'}, {sizes[biggest]} entries): p95", lb.ms(p95), "≤ 10 ms",
            p95 <= 0.010)
    res.add("tree of the biggest folder: distribution", lb.dist(samples))
    res.add("server memory (VmRSS / VmHWM)", f"{lore.rss_mib():.0f} / {lore.rss_mib('VmHWM'):.0f} MiB")
    client.close()
    lore.stop()
    res.print(args.json)


if __name__ == "__main__":
    main()
