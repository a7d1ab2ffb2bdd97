#!/usr/bin/env python3
"""Where a server's memory goes over a run, read many times over: memory varies by up to 18 MiB between runs of
one build (which threads allocate in which of glibc's arenas), so one `page_views.py` run cannot tell a change
of a few MiB. Each round, for each build: starts it on a copy of CORPUS (a `gen_corpus.py` or `tldr_corpus.py`
folder), reads VmRSS and RssAnon at idle after the start, after viewing every page once (13 s later, past the
server's next return of freed memory), right after SAVES saves through the form, with `--load S` after S seconds
of wrk over random pages (gzip, 8 connections, as `page_views.py` runs after its saves), and 25 s after.
`--searches` runs the corpus's queries three times through the search API after the sweep, as `page_views.py`
does (the search index is mapped from its files: what searches read stays resident, file-backed). With
`--malloc-info` it also asks glibc, through gdb, what each arena holds and how much of it is free, after the
sweep (what the live heap is, and what the arenas keep beside it; needs gdb: `apt-get install gdb`).

A build is LABEL=BINARY, optionally LABEL=BINARY:NAME=VALUE,NAME=VALUE for environment variables (glibc's
`GLIBC_TUNABLES` takes `:`-separated settings of its own: use a build's environment through `env` instead).

Usage: benches/memory_probe.py --corpus DIR [--rounds 3] [--saves 60] [--searches] [--load S] [--malloc-info]
                               LABEL=BIN ...
Prints one line per run and a table of medians; never run it while something else compiles.
"""

import argparse
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import lorebench as lb  # noqa: E402
import page_views as pv  # noqa: E402

READINGS = ["idle", "sweep", "searches", "saves", "load", "settled"]


def run_once(binary: Path, env: dict, corpus: Path, urls: list, args: argparse.Namespace) -> dict:
    folder = lb.temp_dir("memory_probe.")
    repo = lb.bare_copy(corpus, folder)
    lore = lb.Lore(binary, repo, folder / "data", folder, env=env)
    lore.start()
    out = {}

    def read(name: str):
        out[name] = (lore.rss_mib(), lore.rss_mib("RssAnon"))

    time.sleep(13)
    read("idle")
    client = lore.client()
    for url in urls:
        status, _, _, _ = client.request("GET", url)
        assert status == 200, (url, status)
    time.sleep(13)
    read("sweep")
    if args.malloc_info:
        out["arenas"] = arenas(lore.proc.pid, folder)
    if args.searches:
        queries = [line.split("\t")[0] for line in open(corpus / "queries.tsv") if line.strip()]
        for query in queries * 3:
            status, _, _, _ = client.request("GET", f"/-/api/search?q={urllib.parse.quote(query)}")
            assert status == 200, (query, status)
        read("searches")
    for n, url in enumerate(random.Random(5).sample(urls, args.saves)):
        pv.save_through_form(client, url, n)
    read("saves")
    if args.load:
        paths_file = folder / "paths.txt"
        paths_file.write_text("\n".join(urls) + "\n")
        lb.wrk_random(f"http://127.0.0.1:{lore.port}", paths_file, args.load, folder, accept_encoding="gzip", seed=4)
        read("load")
    time.sleep(25)
    read("settled")
    client.close()
    lore.stop()
    return out


def arenas(pid: int, folder: Path) -> list:
    """glibc's `malloc_info` of a running process (through gdb): each arena's bytes from the system and free."""
    report = folder / "malloc_info.xml"
    subprocess.run(["gdb", "-p", str(pid), "-batch",
                    "-ex", f'call (int)malloc_info(0, (void*)fopen("{report}", "w"))',
                    "-ex", "call (int)fflush(0)"], check=True, capture_output=True)
    res = []
    for heap in re.findall(r'<heap nr="\d+">(.*?)</heap>', report.read_text(), re.S):
        free = sum(int(it) for it in re.findall(r'<total type="(?:fast|rest)" count="\d+" size="(\d+)"/>', heap))
        holes = sum(int(it) for it in re.findall(r'<total type="(?:fast|rest)" count="(\d+)"', heap))
        system = int(re.search(r'<system type="current" size="(\d+)"/>', heap).group(1))
        res.append({"system_mib": system / 2**20, "free_mib": free / 2**20, "free_blocks": holes})
    return res


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--saves", type=int, default=60)
    parser.add_argument("--searches", action="store_true")
    parser.add_argument("--load", type=int, default=0, help="seconds of wrk after the saves (0: none)")
    parser.add_argument("--malloc-info", action="store_true")
    parser.add_argument("builds", nargs="+", help="LABEL=BINARY[:NAME=VALUE,...]")
    args = parser.parse_args()
    builds = []
    for spec in args.builds:
        label, _, rest = spec.partition("=")
        binary, _, env = rest.partition(":")
        builds.append((label, Path(binary), dict(it.split("=", 1) for it in env.split(",") if it)))
    urls = pv.page_urls(args.corpus)
    skipped = {"load": not args.load, "searches": not args.searches}
    readings = [it for it in READINGS if not skipped.get(it)]
    results = {label: [] for label, _, _ in builds}
    for round_ in range(1, args.rounds + 1):
        # Builds take turns, so that what changes on the machine over the rounds falls on each alike.
        for label, binary, env in builds:
            lb.log(f"round {round_}: {label}")
            got = run_once(binary, env, args.corpus, urls, args)
            results[label].append(got)
            line = "  ".join(f"{name} {got[name][0]:.0f} ({got[name][1]:.0f} anon)" for name in readings)
            print(f"{label} round {round_}: {line} MiB", flush=True)
            for n, arena in enumerate(got.get("arenas", [])):
                print(f"  arena {n}: {arena['system_mib']:.1f} MiB from the system, {arena['free_mib']:.1f} free "
                      f"in {arena['free_blocks']} blocks", flush=True)
    print(f"\nmedians of {args.rounds} rounds, VmRSS (RssAnon) in MiB; {len(urls)} pages, {args.saves} saves")
    print("| build | " + " | ".join(readings) + " | settled, lowest–highest |")
    print("| --- " * (len(readings) + 2) + "|")
    for label, runs in results.items():
        cells = [f"{statistics.median(it[name][0] for it in runs):.0f} "
                 f"({statistics.median(it[name][1] for it in runs):.0f})" for name in readings]
        settled = [it["settled"][0] for it in runs]
        print(f"| {label} | " + " | ".join(cells) + f" | {min(settled):.0f}–{max(settled):.0f} |")


if __name__ == "__main__":
    main()
