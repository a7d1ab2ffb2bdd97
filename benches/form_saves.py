"""Saves through the editor form, timed apart: the POST and the GET of its redirect, for one or more binaries
in turn (alternating, so that a machine whose speed drifts treats them alike).

    python3 benches/form_saves.py --corpus /tmp/weight-corpora/flat --saves 80 --rounds 2 BIN_A BIN_B

Per binary and round: a fresh bare copy of the corpus and data folder, start and wait for every index, 20
saves to warm up, then `--saves` saves of random pages (the same pages for every binary), each through the
form like `page_views.py` does. Prints p50 and p95 of the whole save and the p50 of each half. Optionally
`--perf FILE` records the server with `perf record -e cpu-clock --call-graph dwarf` during the timed saves
(of the last binary's last round). Figures: docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import time
from pathlib import Path

import lorebench as lb
import page_views as pv


def run(binary: Path, corpus: Path, n: int, perf: str | None) -> dict:
    work = lb.temp_dir("form-saves")
    lore = lb.Lore(binary, lb.bare_copy(corpus, work), work / "data", work)
    lore.start()
    client = lore.client()
    halves: dict[str, list[float]] = {"POST": [], "GET": []}
    request = client.request

    def timed(method, path, *args, **kwargs):
        res = request(method, path, *args, **kwargs)
        if method == "POST" or (method == "GET" and "?" in path):
            halves[method].append(res[3])
        return res

    client.request = timed
    urls = pv.page_urls(corpus)
    rng = random.Random(11)
    for i, url in enumerate(rng.sample(urls, 20)):
        pv.save_through_form(client, url, 1000 + i)
    halves = {"POST": [], "GET": []}
    recorder = None
    if perf:
        recorder = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "1000", "--call-graph", "dwarf,16384",
                                     "-p", str(lore.proc.pid), "-o", perf], stderr=subprocess.DEVNULL)
        time.sleep(1)
    took = [pv.save_through_form(client, url, i)[0] for i, url in enumerate(rng.sample(urls, n))]
    if recorder:
        recorder.send_signal(2)
        recorder.wait()
    client.close()
    lore.stop()
    return {"save": took, "post": halves["POST"], "get": halves["GET"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+", type=Path)
    parser.add_argument("--corpus", type=Path, required=True, help="a gen_corpus.py folder (repo/, pages.txt)")
    parser.add_argument("--saves", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--perf", help="perf.data to write for the last run")
    args = parser.parse_args()
    lb.log(*lb.machine())
    for round_ in range(args.rounds):
        for i, binary in enumerate(args.binaries):
            last = round_ == args.rounds - 1 and i == len(args.binaries) - 1
            lb.log(f"round {round_ + 1}: {binary}, load {open('/proc/loadavg').read().split()[:3]}")
            res = run(binary, args.corpus, args.saves, args.perf if last else None)
            print(f"{binary}: save p50 {lb.ms(lb.pct(res['save'], 50))} p95 {lb.ms(lb.pct(res['save'], 95))}; "
                  f"POST p50 {lb.ms(lb.pct(res['post'], 50))}; redirect GET p50 {lb.ms(lb.pct(res['get'], 50))}",
                  flush=True)


if __name__ == "__main__":
    main()
