#!/usr/bin/env python3
"""Why Lore indexes Chinese as character bigrams (docs/BENCHMARKS.md, "Languages (issue 18)"): how many of the pages
`git grep -F` finds for a Chinese word would an index segmented by jieba find (default mode, and search mode,
which adds the shorter words inside long ones)? Bigrams find all of them by construction.

Usage: pip install jieba; benches/cjk_segmentation.py [/tmp/tldr]
"""
import subprocess, sys, time
import jieba
jieba.setLogLevel(60)
repo = sys.argv[1] if len(sys.argv) > 1 else "/tmp/tldr"
words = ["压缩", "文件", "目录", "显示", "创建", "删除", "命令", "用户", "进程", "网络"]
files = subprocess.run(["git", "-C", repo, "ls-files", "pages.zh", "pages.zh_TW"], capture_output=True, text=True).stdout.split()
texts = {f: open(f"{repo}/{f}", encoding="utf-8").read() for f in files}
t0 = time.time()
default = {f: set(jieba.cut(t)) for f, t in texts.items()}
t1 = time.time()
search = {f: set(jieba.cut_for_search(t)) for f, t in texts.items()}
print(f"{len(texts)} pages; jieba default {t1 - t0:.1f} s, search mode {time.time() - t1:.1f} s (Python)")
tot = [0, 0, 0]
for w in words:
    ref = {f for f, t in texts.items() if w in t}
    d = sum(1 for f in ref if w in default[f]); s = sum(1 for f in ref if w in search[f])
    tot[0] += len(ref); tot[1] += d; tot[2] += s
    print(f"{w}: grep {len(ref)}, jieba {d} ({100*d/len(ref):.1f} %), jieba search mode {s} ({100*s/len(ref):.1f} %)")
print(f"all: jieba {100*tot[1]/tot[0]:.1f} %, search mode {100*tot[2]/tot[0]:.1f} %, bigrams 100 % (by construction)")
