#!/usr/bin/env python3
"""Git (issue 6) on a 10,000-page, 20,000-commit repository served by Lore.

1. Full clone through Lore (`git clone http://127.0.0.1:PORT/wiki.git`) beside `git clone` of the same
   repository served by `git http-backend` directly: nginx + fcgiwrap when both are installed (Debian:
   `apt-get install nginx fcgiwrap`), else a minimal threaded Python HTTP server that runs the CGI. The two
   alternate, --clones times each, with `--no-checkout` (the whole history; what the servers take part in) and
   without (plus a checkout of 10,000 files, which varies a lot on a shared disk); medians, minimums, ratios.
2. Push-to-searchable: in a clone, each round changes 20 pages adding one new unique word, commits, and times
   from starting `git push` until `/-/api/search` finds the word in all 20 pages (polled every 5 ms while the
   push runs). --pushes rounds after 2 warm-up rounds; p50/p95. Each round's commit is then also pushed to a
   plain bare copy (no hooks) behind the baseline server: git's own share of a push. With --trace-hooks,
   `pre-receive.local` / `post-receive.local` hooks stamp when Lore's check and Lore's refresh ended.

Usage: benches/git.py [--corpus DIR] [--clones 5] [--pushes 30] [--trace-hooks] [--lore BIN] [--json F]
"""

import sys

sys.dont_write_bytecode = True

import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from pathlib import Path  # noqa: E402

import lorebench as lb  # noqa: E402

GIT_ENV = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"}


def exec_path() -> str:
    return lb.sh(["git", "--exec-path"]).strip()


def start_nginx_fcgiwrap(project_root: Path, work: Path) -> tuple[int, str]:
    """nginx in front of fcgiwrap running git-http-backend; returns (port, description)."""
    fcgi_port, port = lb.free_port(), lb.free_port()
    # fcgiwrap preforks its workers: a process group of its own, so they stop with it.
    lb.spawn(["fcgiwrap", "-c", "4", "-s", f"tcp:127.0.0.1:{fcgi_port}"], log=work / "fcgiwrap.log", group=True)
    conf = work / "nginx"
    conf.mkdir()
    (conf / "nginx.conf").write_text(f"""
worker_processes 2;
pid {conf}/nginx.pid;
error_log {conf}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {conf}/client_body;
    proxy_temp_path {conf}/proxy;
    fastcgi_temp_path {conf}/fastcgi;
    uwsgi_temp_path {conf}/uwsgi;
    scgi_temp_path {conf}/scgi;
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            include /etc/nginx/fastcgi_params;
            fastcgi_buffering off;
            fastcgi_request_buffering off;
            fastcgi_param SCRIPT_FILENAME {exec_path()}/git-http-backend;
            fastcgi_param GIT_PROJECT_ROOT {project_root};
            fastcgi_param GIT_HTTP_EXPORT_ALL 1;
            fastcgi_param PATH_INFO $uri;
            fastcgi_param REMOTE_USER anonymous;
            fastcgi_pass 127.0.0.1:{fcgi_port};
        }}
    }}
}}
""")
    lb.spawn(["nginx", "-p", str(conf), "-e", str(conf / "error.log"), "-c", str(conf / "nginx.conf"), "-g",
              "daemon off;"], log=work / "nginx.log", group=True)
    return port, "nginx + fcgiwrap + git http-backend"


class CgiHandler(BaseHTTPRequestHandler):
    """A minimal CGI bridge for git http-backend (no chunked request bodies: enough for clone and fetch)."""

    protocol_version = "HTTP/1.0"
    project_root = ""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.run()

    def do_POST(self):
        self.run()

    def run(self):
        path, _, query = self.path.partition("?")
        env = {"PATH": os.environ["PATH"], "GIT_PROJECT_ROOT": self.project_root, "GIT_HTTP_EXPORT_ALL": "1",
               "PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": self.command, "REMOTE_ADDR": "127.0.0.1",
               "CONTENT_TYPE": self.headers.get("Content-Type", ""), "GATEWAY_INTERFACE": "CGI/1.1",
               "SERVER_PROTOCOL": "HTTP/1.0"}
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        length = int(self.headers.get("Content-Length") or 0)
        env["CONTENT_LENGTH"] = str(length)
        body = self.rfile.read(length) if length else b""
        proc = subprocess.Popen(["git", "http-backend"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        threading.Thread(target=lambda: (proc.stdin.write(body), proc.stdin.close()), daemon=True).start()
        status, headers = "200 OK", []
        while True:
            line = proc.stdout.readline().rstrip(b"\r\n")
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "status":
                status = value.strip()
            else:
                headers.append((name, value.strip()))
        self.wfile.write(f"HTTP/1.0 {status}\r\n".encode())
        for name, value in headers:
            self.wfile.write(f"{name}: {value}\r\n".encode("latin-1"))
        self.wfile.write(b"Connection: close\r\n\r\n")
        shutil.copyfileobj(proc.stdout, self.wfile, 256 * 1024)
        proc.wait()


def start_python_cgi(project_root: Path) -> tuple[int, str]:
    CgiHandler.project_root = str(project_root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), CgiHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1], "Python ThreadingHTTPServer + git http-backend (CGI)"


def timed_clone(url: str, dest: Path, checkout: bool) -> float:
    t0 = time.perf_counter()
    subprocess.run(["git", "clone", "-q", *([] if checkout else ["--no-checkout"]), url, str(dest)], check=True,
                   env=GIT_ENV, timeout=900)
    return time.perf_counter() - t0


def main():
    p = lb.arg_parser(__doc__.splitlines()[0], 10000, 20000)
    p.add_argument("--clones", type=int, default=5)
    p.add_argument("--pushes", type=int, default=30)
    p.add_argument("--baseline", choices=["auto", "nginx", "python"], default="auto")
    p.add_argument("--trace-hooks", action="store_true",
                   help="add pre-/post-receive.local hooks that stamp the time, to see where a push's time goes")
    args = p.parse_args()
    corpus, meta, work, repo = lb.prepare(args, "git")
    res = lb.Results("Git (issue 6)")
    res.add("repository", f"{meta['pages']} pages, {meta['commits']} commits, .git {lb.du(repo)}")

    lore = lb.Lore(args.lore, repo, work / "data", work)
    t = lore.start()
    res.add("first start: history / search index ready", f"{t['history']:.1f} s / {t['search']:.1f} s")

    use_nginx = args.baseline == "nginx" or (
        args.baseline == "auto" and shutil.which("nginx") and shutil.which("fcgiwrap"))
    port, baseline = start_nginx_fcgiwrap(work, work) if use_nginx else start_python_cgi(work)
    base_url, lore_url = f"http://127.0.0.1:{port}/wiki.git", f"http://127.0.0.1:{lore.port}/wiki.git"
    for _ in range(200):
        if subprocess.run(["git", "ls-remote", base_url, "HEAD"], capture_output=True, env=GIT_ENV).returncode == 0:
            break
        time.sleep(0.05)
    else:
        raise SystemExit(f"{baseline} does not answer; see {work}")
    res.add("baseline server", baseline)

    # 1. Full clones, alternating: with --no-checkout (all history, no working tree: the part the servers take
    # part in) and as a plain `git clone` (plus writing 10,000 files, which on a shared disk varies a lot).
    times = {(name, mode): [] for name in ("lore", "baseline") for mode in ("no-checkout", "checkout")}
    keep = work / "clone"
    for i in range(args.clones):
        for mode in ("no-checkout", "checkout"):
            for name, url in (("lore", lore_url), ("baseline", base_url)):
                dest = work / f"clone-{name}-{mode}-{i}"
                lb.log(f"clone {i + 1}/{args.clones} from {name}, {mode}")
                times[(name, mode)].append(timed_clone(url, dest, mode == "checkout"))
                if name == "lore" and mode == "checkout" and not keep.exists():
                    dest.rename(keep)
                else:
                    shutil.rmtree(dest)
    for mode, label in (("no-checkout", "git clone --no-checkout (whole history, no working tree)"),
                        ("checkout", "git clone (whole history and a checkout of 10,000 files)")):
        lore_t, base_t = times[("lore", mode)], times[("baseline", mode)]
        lore_med, base_med = statistics.median(lore_t), statistics.median(base_t)
        res.add(f"{label} through Lore: median / min of {args.clones}",
                f"{lore_med:.2f} / {min(lore_t):.2f} s ({', '.join(f'{x:.2f}' for x in lore_t)})")
        res.add(f"{label} from {baseline}: median / min",
                f"{base_med:.2f} / {min(base_t):.2f} s ({', '.join(f'{x:.2f}' for x in base_t)})")
        res.add(f"{label}: Lore / direct http-backend, medians (mins)",
                f"{lore_med / base_med:.2f}× ({min(lore_t) / min(base_t):.2f}×)", "≤ 1.5×", lore_med / base_med <= 1.5)
    res.add("clone size (.git of the clone)", lb.du(keep / ".git"))

    # 2. Push to searchable; each round's commit is then pushed to a plain bare copy (no Lore, no hooks) behind
    # the baseline server, which shows what the same push costs git alone. Lore has written nothing yet, so the
    # copy holds exactly what the clone started from.
    plain = work / "plain.git"
    subprocess.run(["git", "clone", "-q", "--bare", "--local", str(repo), str(plain)], check=True)
    subprocess.run(["git", "-C", str(plain), "config", "http.receivepack", "true"], check=True)
    plain_url = f"http://127.0.0.1:{port}/plain.git"
    subprocess.run(["git", "-C", str(keep), "config", "user.name", "Bench Pusher"], check=True)
    subprocess.run(["git", "-C", str(keep), "config", "user.email", "pusher@example.com"], check=True)
    stamps = work / "hook-stamps"
    if args.trace_hooks:
        # Lore runs <hook>.local after its own work: the stamps say when its check and its refresh ended.
        for hook in ("pre-receive", "post-receive"):
            script = repo / "hooks" / f"{hook}.local"
            script.write_text(f"#!/bin/sh\ncat >/dev/null\necho {hook} $(date +%s.%N) >> {stamps}\n")
            script.chmod(0o755)
    pages = [line.strip() + ".md" for line in open(corpus / "pages.txt") if line.strip()]
    rng = random.Random(6)
    poller = lore.client()
    to_all, to_first, push_times, plain_times, pre_done, post_done = [], [], [], [], [], []
    for i in range(args.pushes + 2):
        word = "zp" + "".join(rng.choice("bcdfghjklmnpstvwxz") for _ in range(10))
        for page in rng.sample(pages, 20):
            with open(keep / page, "a") as f:
                f.write(f"\nPushed word: {word}.\n")
        subprocess.run(["git", "-C", str(keep), "commit", "-q", "-a", "-m", f"Push round {i}"], check=True)
        stamps.unlink(missing_ok=True)
        wall0 = time.time()
        t0 = time.perf_counter()
        push = subprocess.Popen(["git", "-C", str(keep), "push", "-q", "origin", "HEAD:master"], env=GIT_ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        pushed = first = None
        while True:
            if pushed is None and push.poll() is not None:
                pushed = time.perf_counter() - t0
                if push.returncode != 0:
                    raise SystemExit(f"git push failed: {push.stderr.read().decode(errors='replace')}")
            total = poller.get_json(f"/-/api/search?q={word}&limit=1")["total"]
            now = time.perf_counter() - t0
            if total >= 1 and first is None:
                first = now
            if total >= 20:
                break
            if now > 60:
                raise SystemExit(f"round {i}: {word} found in {total} pages after 60 s")
            time.sleep(0.005)
        if pushed is None:
            push.wait()
            pushed = time.perf_counter() - t0
        time.sleep(0.2)
        t1 = time.perf_counter()
        subprocess.run(["git", "-C", str(keep), "push", "-q", plain_url, "HEAD:master"], check=True, env=GIT_ENV,
                       stdout=subprocess.DEVNULL)
        plain_push = time.perf_counter() - t1
        if i >= 2:
            to_all.append(now)
            to_first.append(first)
            push_times.append(pushed)
            plain_times.append(plain_push)
            if args.trace_hooks and stamps.exists():
                marks = dict(line.split() for line in stamps.read_text().splitlines())
                pre_done.append(float(marks["pre-receive"]) - wall0)
                post_done.append(float(marks["post-receive"]) - wall0)
    p95 = lb.pct(to_all, 95)
    res.add(f"push of 20 pages → word found in all 20: p95 over {len(to_all)} pushes", lb.ms(p95), "≤ 300 ms",
            p95 <= 0.300)
    res.add("push → searchable in all 20: distribution", lb.dist(to_all))
    res.add("push → first page searchable: distribution", lb.dist(to_first))
    res.add("git push to Lore (until the process exits): distribution", lb.dist(push_times))
    res.add(f"same pushes to a plain bare repository behind {baseline}", lb.dist(plain_times))
    if pre_done:
        res.add("push start → Lore's pre-receive check done (trace-hooks)", lb.dist(pre_done))
        res.add("push start → Lore's post-receive refresh done (trace-hooks)", lb.dist(post_done))
    res.add("server memory (VmRSS / VmHWM)", f"{lore.rss_mib():.0f} / {lore.rss_mib('VmHWM'):.0f} MiB")
    poller.close()
    lore.stop()
    res.print(args.json)


if __name__ == "__main__":
    main()
