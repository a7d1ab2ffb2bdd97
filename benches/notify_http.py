#!/usr/bin/env python3
"""Notifications (issue 14) through the real server, in local-accounts mode, on a generated wiki.

1. Fan-out: --followers accounts follow the tag `billing` (accounts made with `lore user add --no-password`,
   follows through `POST /-/api/follows`); one person asks a question in that tag through the API. Timed from
   the 201 to the moment every follower's inbox holds it (read from the state database, read-only).
2. Inbox API: one reader follows the folder `bulk/**`; one `git push` adds --items pages there, which become
   that many inbox items. Timed: the push until the last item is delivered, then `GET /-/api/inbox?limit=50`
   and `GET /-/api/inbox/unread` on one keep-alive connection. Baseline: nginx serving the same JSON bytes.
3. Saves: `PUT /-/api/pages/...` p50 for a page the followers follow (every save notifies) against a page
   nobody follows, in the same run, so notification cost on the request path shows as the difference.
4. Idle tabs: --tabs keep-alive connections each ask for the unread count once (what a tab does when it
   loads) and then stay open, idle: the server's RSS before and after. Tabs poll once a minute and never
   while hidden (lore.js), so an idle tab holds at most one keep-alive connection.

Usage: benches/notify_http.py [--corpus DIR] [--followers 1000] [--items 10000] [--tabs 1000] [--lore BIN]
                              [--json F]
"""

import sys

sys.dont_write_bytecode = True

import resource  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import lorebench as lb  # noqa: E402


def lore_cli(args, work, *rest, stdin=None) -> str:
    out = subprocess.run([str(args.lore), *rest, "--data", str(work / "data")], cwd=work, input=stdin,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"lore {' '.join(rest)}: {out.stderr}")
    return out.stdout


def token_of(args, work, username) -> str:
    out = lore_cli(args, work, "token", "create", "--name", "bench", username)
    # The token is the one word that starts with the token prefix; fall back to the last word printed.
    words = [it for it in out.split() if it.startswith("lore_")]
    return words[0] if words else out.split()[-1]


def delivered(db, kind) -> int:
    return db.execute("SELECT COUNT(*) FROM inbox_delivered d JOIN events e ON e.id = d.event_id WHERE e.kind = ?",
                      (kind,)).fetchone()[0]


def wait_for(what, check, deadline_s=600, poll=0.01) -> float:
    t0 = time.monotonic()
    while not check():
        if time.monotonic() - t0 > deadline_s:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(poll)
    return time.monotonic() - t0


def main():
    p = lb.arg_parser(__doc__.splitlines()[0], 2000, 4000)
    p.add_argument("--followers", type=int, default=1000)
    p.add_argument("--items", type=int, default=10000)
    p.add_argument("--tabs", type=int, default=1000)
    args = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.tabs + 256)), hard))
    corpus, meta, work, repo = lb.prepare(args, "notify")
    res = lb.Results("Notifications through the server (issue 14)")
    res.add("repository", f"{meta['pages']} pages, {meta['commits']} commits (gen_corpus --nested)")
    (work / "lore.yaml").write_text("auth:\n  mode: local\n")

    lb.log(f"making {args.followers + 2} accounts with lore user add --no-password")
    t0 = time.monotonic()
    lore_cli(args, work, "user", "add", "--name", "Ann Asker", "--email", "ann@example.com", "--role", "editor",
             "--no-password", "ann")
    lore_cli(args, work, "user", "add", "--name", "Rita Reader", "--email", "rita@example.com", "--role", "reader",
             "--no-password", "rita")
    for i in range(args.followers):
        lore_cli(args, work, "user", "add", "--name", f"Follower {i}", "--email", f"f{i}@example.com", "--role",
                 "reader", "--no-password", f"f{i}")
    tokens = {name: token_of(args, work, name) for name in ["ann", "rita"]}
    follower_tokens = [token_of(args, work, f"f{i}") for i in range(args.followers)]
    res.note(f"set-up: {args.followers + 2} accounts and tokens through the CLI in {time.monotonic() - t0:.0f} s")

    lore = lb.Lore(args.lore, repo, work / "data", work)
    lore.start()
    client = lore.client()

    def api(method, path, token, body=None, client=client):
        status, _, data, took = client.request(method, path, body, {"Authorization": f"Bearer {token}",
                                                                    "Accept": "application/json"})
        return status, data, took

    for token in follower_tokens:
        status, data, _ = api("POST", "/-/api/follows", token, {"kind": "tag", "target": "billing"})
        if status not in (200, 201):
            raise SystemExit(f"follow: {status} {data[:200]!r}")
    status, data, _ = api("POST", "/-/api/follows", tokens["rita"], {"kind": "folder", "target": "bulk/**"})
    if status not in (200, 201):
        raise SystemExit(f"follow bulk/**: {status} {data[:200]!r}")
    db = sqlite3.connect(f"file:{work / 'data' / 'lore.db'}?mode=ro", uri=True, timeout=30)

    # 1. Fan-out.
    question = {"title": "Who signs off the invoice run when finance is away?", "body": "Nobody knows.",
                "tags": ["billing"]}
    status, data, took = api("POST", "/-/api/questions", tokens["ann"], question)
    if status != 201:
        raise SystemExit(f"ask: {status} {data[:200]!r}")
    fan_out = wait_for("the question in every follower's inbox",
                       lambda: delivered(db, "question_asked") >= args.followers)
    res.add(f"question in a tag {args.followers} people follow: every inbox holds it", f"{fan_out * 1000:.0f} ms "
            f"after the 201 (ask took {took * 1000:.1f} ms)", "1,000 in ≤ 1 s", fan_out <= 1.0)

    # 2. A push of --items pages into a folder Rita follows; then her inbox.
    clone = work / "clone"
    lb.sh(["git", "clone", "-q", str(repo), str(clone)])
    (clone / "bulk").mkdir(exist_ok=True)
    for i in range(args.items):
        (clone / "bulk" / f"note-{i:05}.md").write_text(f"# Bulk note {i}\n\nImported note number {i}.\n")
    lb.sh(["git", "-C", str(clone), "add", "-A"])
    lb.sh(["git", "-C", str(clone), "-c", "user.name=Importer", "-c", "user.email=import@example.com", "commit", "-q",
           "-m", f"Import {args.items} notes"])
    t0 = time.monotonic()
    lb.sh(["git", "-C", str(clone), "push", "-q", "origin", "HEAD"])
    pushed = time.monotonic() - t0
    took = wait_for(f"{args.items} items in Rita's inbox", lambda: delivered(db, "page_created") >= args.items,
                    poll=0.05)
    res.add(f"one push of {args.items} new pages: all {args.items} in a follower's inbox",
            f"{took:.1f} s after the push returned (push {pushed:.1f} s)")
    samples = []
    for _ in range(500):
        status, body, took = api("GET", "/-/api/inbox?limit=50", tokens["rita"])
        if status != 200:
            raise SystemExit(f"inbox: {status} {body[:200]!r}")
        samples.append(took)
    unread = []
    for _ in range(500):
        status, count, took = api("GET", "/-/api/inbox/unread", tokens["rita"])
        unread.append(took)
    docroot = work / "docroot"
    docroot.mkdir()
    (docroot / "inbox.json").write_bytes(body)
    nginx = lb.Nginx(docroot, work)
    baseline = lb.timed_gets(lb.Client(nginx.port), "/inbox.json", 500)
    nginx.stop()
    res.add(f"GET /-/api/inbox?limit=50 over {args.items}+ items", lb.dist(samples), "p95 ≤ 5 ms",
            lb.pct(samples, 95) <= 0.005)
    res.add("nginx serving the same JSON bytes", lb.dist(baseline))
    res.add("ratio (p50 Lore / nginx)", f"{lb.pct(samples, 50) / lb.pct(baseline, 50):.1f}×")
    res.add("GET /-/api/inbox/unread", lb.dist(unread) + f" (answer {count.decode()[:40]})")

    # 3. Saves: a page every follower hears of, against a page nobody follows.
    def saves(path, tags, n=200):
        got = []
        status, headers, data, _ = client.request("GET", f"/-/api/pages/{path}", None,
                                                  {"Authorization": f"Bearer {tokens['ann']}"})
        etag = headers.get("ETag") if status == 200 else None
        for i in range(n):
            body = {"markdown": f"---\ntitle: Bench {path}\ntags: [{tags}]\n---\n\nVersion {i}.\n",
                    "message": "bench"}
            headers = {"Authorization": f"Bearer {tokens['ann']}"}
            if etag:
                headers["If-Match"] = etag
            status, h, data, took = client.request("PUT", f"/-/api/pages/{path}", body, headers)
            if status not in (200, 201):
                raise SystemExit(f"save {path}: {status} {data[:200]!r}")
            etag = h.get("ETag")
            got.append(took)
        return got

    followed = saves("bench/billing-rota", "billing")
    quiet = saves("bench/quiet-page", "")
    res.add(f"save p50, page in a tag {args.followers} people follow", lb.dist(followed), "p50 ≤ 5 ms",
            lb.pct(followed, 50) <= 0.005)
    res.add("save p50, a page nobody follows (baseline)", lb.dist(quiet))
    res.add("ratio (p50 followed / not followed)", f"{lb.pct(followed, 50) / lb.pct(quiet, 50):.2f}×")

    # 4. Idle tabs.
    time.sleep(2)
    before = lore.rss_mib()
    tabs = []
    request = (f"GET /-/api/inbox/unread HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {tokens['rita']}\r\n"
               f"Accept: application/json\r\n\r\n").encode()
    for _ in range(args.tabs):
        sock = socket.create_connection(("127.0.0.1", lore.port))
        sock.sendall(request)
        tabs.append(sock)
    for sock in tabs:
        sock.settimeout(30)
        got = sock.recv(65536)
        if not got.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"a tab got {got[:80]!r}")
    time.sleep(5)
    after = lore.rss_mib()
    still_open = 0
    for sock in tabs:
        sock.setblocking(False)
        try:
            still_open += 0 if sock.recv(1) == b"" else 1
        except BlockingIOError:
            still_open += 1
        sock.close()
    res.add(f"{args.tabs} idle tabs (one keep-alive connection each): RSS", f"{before:.0f} → {after:.0f} MiB "
            f"(+{after - before:.1f} MiB; {still_open} connections still open after 5 s)", "≤ +50 MB",
            after - before <= 50)
    res.add("RSS after the run", f"{lore.rss_mib():.0f} MiB (peak {lore.rss_mib('VmHWM'):.0f} MiB)")
    lore.stop()
    res.print(args.json)


if __name__ == "__main__":
    main()
