#!/usr/bin/env python3
"""A benchmark corpus folder from a tldr-pages repository (e.g. the snapshot `fetch github:tldr-pages/tldr`
brings), shaped as `gen_corpus.py` output so `page_views.py --corpus` takes it: `repo/` (a bare clone, objects
hard-linked), `pages.txt` (every page's URL path), `queries.tsv` (50 words of the English pages, from common to
rare, with how many pages hold each) and `corpus.json` (pages and commits).

Pages whose file name starts with a dot (tldr's `..md`, `.md`) have addresses that keep their extension
(`/pages/common/..md`): they are left out of `pages.txt`, which holds addresses without it.

Usage: benches/tldr_corpus.py TLDR_REPO OUT_DIR
"""

import collections
import json
import re
import subprocess
import sys
from pathlib import Path

source, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
repo = out / "repo"
if not repo.exists():
    print(f"cloning {source} into {repo}", flush=True)
    subprocess.run(["git", "clone", "-q", "--bare", "--local", str(source), str(repo)], check=True)


def git(*args, stdin=None) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, input=stdin).stdout


files = [it for it in git("ls-tree", "-r", "--name-only", "HEAD").decode().splitlines() if it.endswith(".md")]
pages = sorted(it[:-3] for it in files if not it.rsplit("/", 1)[-1].startswith("."))
(out / "pages.txt").write_text("\n".join(pages) + "\n")
commits = int(git("rev-list", "--count", "HEAD").strip())
print(f"{len(files)} Markdown files, {len(pages)} in pages.txt, {commits} commits; reading the English pages",
      flush=True)
english = [it for it in files if it.startswith("pages/common/")]
blobs = git("cat-file", "--batch", stdin="".join(f"HEAD:{it}\n" for it in english).encode()).decode("utf-8", "replace")
holding = collections.Counter()
for text in re.split(r"\n[0-9a-f]{40} blob \d+\n", "\n" + blobs):
    holding.update({word.lower() for word in re.findall(r"[A-Za-z]{4,}", text)})
ranked = [word for word, n in sorted(holding.items(), key=lambda it: (-it[1], it[0])) if n >= 5]
terms = ranked[:: max(1, len(ranked) // 50)][:50]
(out / "queries.tsv").write_text("# term\texpected_pages_wholeword\texpected_pages_substring\n"
                                 + "".join(f"{it}\t{holding[it]}\t{holding[it]}\n" for it in terms))
head = git("rev-parse", "HEAD").decode().strip()
(out / "corpus.json").write_text(json.dumps({"pages": len(pages), "edits": commits, "nested": True,
                                             "commits": commits, "shape": f"tldr-pages at {head}"}, indent=1))
print(f"wrote {out}/pages.txt, queries.tsv and corpus.json", flush=True)
