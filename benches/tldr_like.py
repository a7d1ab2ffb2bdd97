#!/usr/bin/env python3
"""A stand-in for tldr-pages when no snapshot of it is at hand: takes a gen_corpus.py corpus (generate it with
`gen_corpus.py -n 38000 -m 2000 --nested --out DIR`) and moves its pages into 40 folders shaped like tldr's
(`pages.<lang>/common/<Page>.md`, one folder far bigger than the others as `pages/common` is), in one commit
made with git's plumbing (no work tree is touched). Rewrites pages.txt and corpus.json to match.

Usage: benches/tldr_like.py DIR
"""

import json
import subprocess
import sys
import zlib
from pathlib import Path

corpus = Path(sys.argv[1])
repo = corpus / "repo"


def git(*args, stdin=None):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          input=stdin).stdout


LANGS = ["pages"] + [f"pages.l{i:02}" for i in range(1, 40)]
entries = []
for line in git("ls-tree", "-r", "HEAD").splitlines():
    meta, path = line.split("\t", 1)
    mode, kind, blob = meta.split()
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".md"):
        # A quarter of the pages in `pages/common` (tldr's English pages), the rest spread over 39 others.
        bucket = zlib.crc32(name.encode()) % 160
        folder = LANGS[0] if bucket < 40 else LANGS[1 + bucket % 39]
        path = f"{folder}/common/{name}"
    entries.append(f"{mode} {blob}\t{path}")
index = corpus / "tldr.index"
env_index = {"GIT_INDEX_FILE": str(index)}
subprocess.run(["git", "-C", str(repo), "update-index", "--index-info"], input="\n".join(entries) + "\n",
               text=True, check=True, env={**__import__("os").environ, **env_index})
tree = subprocess.run(["git", "-C", str(repo), "write-tree"], capture_output=True, text=True, check=True,
                      env={**__import__("os").environ, **env_index}).stdout.strip()
index.unlink()
# Dated as the commit before it: the same corpus every time, and no page "changed a few minutes ago" (a view
# whose "N minutes ago" changes each minute goes stale each minute, and a benchmark run right after generating
# the corpus measured that instead of warm views).
date = git("log", "-1", "--format=%cI").strip()
commit = subprocess.run(["git", "-C", str(repo), "commit-tree", tree, "-p", "HEAD", "-m", "Shape like tldr-pages"],
                        capture_output=True, text=True, check=True,
                        env={**__import__("os").environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@example.com",
                             "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "b@example.com",
                             "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}).stdout.strip()
git("update-ref", "HEAD", commit)
git("reset", "-q", "--hard", "HEAD")
pages = sorted(p[:-3] for p in git("ls-files").splitlines() if p.endswith(".md"))
(corpus / "pages.txt").write_text("\n".join(pages) + "\n")
meta = json.loads((corpus / "corpus.json").read_text())
meta["commits"] += 1
meta["pages"] = len(pages)
meta["shape"] = "tldr-like: 40 folders pages*/common"
(corpus / "corpus.json").write_text(json.dumps(meta, indent=1))
sizes = {}
for p in pages:
    folder = p.rsplit("/", 1)[0]
    sizes[folder] = sizes.get(folder, 0) + 1
print(f"{len(pages)} pages in {len(sizes)} folders; largest {max(sizes.values())}, smallest {min(sizes.values())}")
