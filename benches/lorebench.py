"""Shared helpers for Lore's feature benchmarks (benches/editing.py, history.py, search.py, git.py,
questions.py, navigation.py): the machine, corpora, starting and stopping `lore serve`, keep-alive HTTP
timing and percentiles, and the table of figures each script prints at the end.

Standard library only. Everything talks to 127.0.0.1 and every process a script starts is stopped when it
exits, however it exits (atexit plus SIGINT/SIGTERM handlers). Figures: docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGET = Path(os.environ.get("CARGO_TARGET_DIR", "/work/target-bench"))
DEFAULT_GEN = Path(os.environ.get("GEN_CORPUS", str(ROOT.parent / "shared" / "bench" / "gen_corpus.py")))

_started: list[subprocess.Popen] = []
_binaries: list[str] = []
_groups: set[int] = set()
_temp_dirs: list[Path] = []


def _signal(proc: subprocess.Popen, sig: int) -> None:
    """Sends sig to the process, or to its whole process group when it was started as one."""
    try:
        if proc.pid in _groups:
            os.killpg(proc.pid, sig)
        elif proc.poll() is None:
            proc.send_signal(sig)
    except ProcessLookupError:
        pass


def _cleanup() -> None:
    for proc in reversed(_started):
        _signal(proc, signal.SIGTERM)
    for proc in reversed(_started):
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal(proc, signal.SIGKILL)
            proc.wait()
        if proc.pid in _groups:
            _signal(proc, signal.SIGKILL)  # children that outlived their parent (fcgiwrap's preforked ones)
    _started.clear()
    if not os.environ.get("KEEP_TMP"):
        for path in _temp_dirs:
            shutil.rmtree(path, ignore_errors=True)


atexit.register(_cleanup)


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def spawn(args: list[str], log: Path | None = None, group: bool = False, **kwargs) -> subprocess.Popen:
    """Starts a process that is stopped when the script exits; with group=True, in a process group of its
    own that is stopped as a whole (for servers that fork workers which would otherwise outlive them)."""
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=group, **kwargs)
    _started.append(proc)
    if group:
        _groups.add(proc.pid)
    return proc


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    _signal(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal(proc, signal.SIGKILL)
        proc.wait()
    if proc.pid in _groups:
        _signal(proc, signal.SIGKILL)
        _groups.discard(proc.pid)
    if proc in _started:
        _started.remove(proc)


def temp_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    _temp_dirs.append(path)
    return path


def log(*args) -> None:
    print("==", *args, file=sys.stderr, flush=True)


def sh(cmd: list[str] | str, **kwargs) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, shell=isinstance(cmd, str), **kwargs).stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> list[str]:
    model = next((line.split(":", 1)[1].strip() for line in sh("lscpu").splitlines() if "Model name" in line), "?")
    mem = sh("free -h").splitlines()[1].split()[1]
    try:
        commit = sh(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]).strip()
        dirty = " (+ uncommitted changes)" if sh(["git", "-C", str(ROOT), "status", "--porcelain", "src"]).strip() else ""
    except subprocess.CalledProcessError:
        commit, dirty = "unknown", ""
    return [
        f"date: {sh(['date', '-u']).strip()}",
        f"machine: {os.cpu_count()} cores (nproc {sh('nproc').strip()}), {model}, {mem} RAM",
        f"commit: {commit}{dirty}",
        f"load average at start: {Path('/proc/loadavg').read_text().split()[:3]}",
    ]


# ---------------------------------------------------------------------------------------------- arguments


def arg_parser(description: str, pages: int, edits: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--corpus", type=Path, help=f"an existing gen_corpus.py output folder "
                   f"(default: generate -n {pages} -m {edits} --nested into /tmp and delete it afterwards)")
    p.add_argument("--lore", type=Path, default=DEFAULT_TARGET / "release" / "lore", help="the lore binary (release)")
    p.add_argument("--json", type=Path, help="also write the figures as JSON here")
    p.set_defaults(pages=pages, edits=edits)
    return p


def prepare(args, name: str):
    """The corpus (generated when --corpus is left out), its corpus.json, a temporary work folder named after
    the script, and a bare copy of the corpus repository in it: what every benchmark script starts from."""
    corpus_dir = corpus(args)
    meta = json.loads((corpus_dir / "corpus.json").read_text())
    work = temp_dir(f"lore-bench-{name}.")
    return corpus_dir, meta, work, bare_copy(corpus_dir, work)


def corpus(args) -> Path:
    """The corpus folder: --corpus, or a freshly generated one."""
    if args.corpus:
        meta = json.loads((args.corpus / "corpus.json").read_text())
        if (meta["pages"], meta["edits"], meta["nested"]) != (args.pages, args.edits, True):
            log(f"warning: {args.corpus} is -n {meta['pages']} -m {meta['edits']}, the figures' targets are for "
                f"-n {args.pages} -m {args.edits} --nested")
        return args.corpus
    out = temp_dir("lore-corpus.") / "corpus"
    log(f"generating corpus -n {args.pages} -m {args.edits} --nested into {out}")
    t0 = time.monotonic()
    subprocess.run([sys.executable, str(DEFAULT_GEN), "-n", str(args.pages), "-m", str(args.edits), "--nested",
                    "--out", str(out)], check=True, stdout=subprocess.DEVNULL, timeout=1800)
    log(f"corpus generated in {time.monotonic() - t0:.0f} s")
    return out


def bare_copy(corpus_dir: Path, into: Path) -> Path:
    """A bare clone of the corpus (objects hard-linked), so saves and pushes never change the corpus."""
    dest = into / "wiki.git"
    subprocess.run(["git", "clone", "-q", "--bare", "--local", str(corpus_dir / "repo"), str(dest)], check=True)
    expected = json.loads((corpus_dir / "corpus.json").read_text())["commits"]
    found = int(sh(["git", "-C", str(dest), "rev-list", "--count", "HEAD"]).strip())
    if found != expected:
        raise SystemExit(f"{corpus_dir}/repo has {found} commits, corpus.json says {expected}: something changed the "
                         "corpus; generate a fresh one")
    return dest


# ---------------------------------------------------------------------------------------------- HTTP


class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1."""

    def __init__(self, port: int, timeout: float = 60):
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, body=None, headers: dict | None = None):
        """Returns (status, headers, body bytes, seconds from sending to the last byte read)."""
        headers = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        for attempt in range(2):
            t0 = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                res = self.conn.getresponse()
                data = res.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once (not timed as a sample).
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt:
                    raise
                continue
            return res.status, res.headers, data, time.perf_counter() - t0
        raise AssertionError("unreachable")

    def get_json(self, path: str):
        status, _, data, _ = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {data[:300]!r}")
        return json.loads(data)

    def close(self):
        self.conn.close()


def quote(path: str) -> str:
    return urllib.parse.quote(path, safe="/")


def timed_gets(client: Client, path: str, n: int, warmup: int = 10, expect: int = 200) -> list[float]:
    """n sequential GETs after warm-up on one keep-alive connection; seconds per request."""
    for _ in range(warmup):
        status, _, data, _ = client.request("GET", path)
        if status != expect:
            raise RuntimeError(f"GET {path}: {status} {data[:300]!r}")
    samples = []
    for _ in range(n):
        status, _, data, took = client.request("GET", path)
        if status != expect:
            raise RuntimeError(f"GET {path}: {status} {data[:300]!r}")
        samples.append(took)
    return samples


def pct(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(samples)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def dist(samples: list[float]) -> str:
    """`p50 / p95 / p99 / max (n)` in milliseconds."""
    return (f"p50 {pct(samples, 50) * 1e3:.2f} / p95 {pct(samples, 95) * 1e3:.2f} / p99 {pct(samples, 99) * 1e3:.2f}"
            f" / max {max(samples) * 1e3:.2f} ms (n={len(samples)})")


# ---------------------------------------------------------------------------------------------- the server


class Lore:
    """`lore serve` on a free loopback port with its own data folder."""

    def __init__(self, binary: Path, repo: Path, data: Path, workdir: Path, env: dict | None = None):
        """`env`: environment variables for the server besides the caller's own."""
        if not binary.exists():
            raise SystemExit(f"no {binary}: build it with CARGO_TARGET_DIR={DEFAULT_TARGET} cargo build --release")
        self.binary, self.repo, self.data, self.workdir = binary, repo, data, workdir
        self.env = {**os.environ, **env} if env else None
        built = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(binary.stat().st_mtime))
        if not _binaries:
            _binaries.append(f"binary: {binary}, built {built}")
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> dict:
        """Starts the server and waits for every index; returns timings in seconds since the process started."""
        self.port = free_port()
        self.starts += 1
        self.log_file = self.workdir / f"lore-{self.starts}.log"
        t0 = time.monotonic()
        # Run from a folder of its own so no lore.yaml of the caller's is picked up.
        self.proc = spawn([str(self.binary), "serve", "--listen", f"127.0.0.1:{self.port}", "--data", str(self.data),
                           "--repo", str(self.repo)], log=self.log_file, cwd=self.workdir, env=self.env)
        timings: dict[str, float] = {}
        client = None
        deadline = t0 + 1800
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"lore exited with {self.proc.returncode}; see {self.log_file}:\n"
                                 + self.log_file.read_text()[-2000:])
            try:
                client = client or Client(self.port, timeout=10)
                status, _, data, _ = client.request("GET", "/-/healthz")
            except OSError:
                client = None
                time.sleep(0.01)
                continue
            now = time.monotonic() - t0
            timings.setdefault("healthz", now)
            health = json.loads(data) if status == 200 else {}
            if health.get("history_indexed"):
                timings.setdefault("history", now)
            if "search" not in timings:
                status, _, data, _ = client.request("GET", "/-/api/search?q=x")
                answer = json.loads(data) if status == 200 else {}
                # `searchable`: every page is in the index; `indexing: false`: with authors from history too.
                if answer.get("searchable") is True:
                    timings.setdefault("searchable", time.monotonic() - t0)
                if answer.get("indexing") is False:
                    timings["search"] = time.monotonic() - t0
                    timings.setdefault("searchable", timings["search"])
            if "history" in timings and "search" in timings:
                client.close()
                return timings
            time.sleep(0.02)
        raise SystemExit("timed out waiting for lore's indexes")

    def client(self) -> Client:
        return Client(self.port)

    def rss_mib(self, field: str = "VmRSS") -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def thread_cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the server's live threads, summed by thread name."""
        res: dict[str, float] = {}
        tick = os.sysconf("SC_CLK_TCK")
        for tid in os.listdir(f"/proc/{self.proc.pid}/task"):
            try:
                name = Path(f"/proc/{self.proc.pid}/task/{tid}/comm").read_text().strip()
                fields = Path(f"/proc/{self.proc.pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            res[name] = res.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
        return res

    def stop(self) -> None:
        if self.proc:
            stop(self.proc)
            self.proc = None


def du(path: Path) -> str:
    return sh(["du", "-sh", str(path)]).split()[0]


# ---------------------------------------------------------------------------------------------- load tests


WRK_RANDOM_LUA = """
-- Requests a random path of PATHS_FILE (one per line) each time, with the headers in HEADERS.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
math.randomseed(tonumber(os.getenv("SEED") or "1"))
local encoding = os.getenv("ACCEPT_ENCODING") or ""
request = function()
  local headers = {}
  if encoding ~= "" then headers["Accept-Encoding"] = encoding end
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
"""


def wrk_random(url: str, paths_file: Path, seconds: int, work: Path, connections: int = 8,
               accept_encoding: str = "", seed: int = 1) -> dict:
    """`wrk -t2 -cN` over random paths of paths_file against url (loopback only); requests/s, latency
    percentiles in ms, errors."""
    assert url.startswith("http://127.0.0.1:"), url
    script = work / "random.lua"
    script.write_text(WRK_RANDOM_LUA)
    env = dict(os.environ, PATHS_FILE=str(paths_file), ACCEPT_ENCODING=accept_encoding, SEED=str(seed))
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                         check=True, capture_output=True, text=True, env=env, timeout=seconds + 120).stdout
    res = {"rps": 0.0, "errors": 0, "p50": float("nan"), "p99": float("nan"), "raw": out}
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for line in out.splitlines():
        words = line.split()
        if words[:1] == ["Requests/sec:"]:
            res["rps"] = float(words[1])
        elif len(words) == 2 and words[0] in ("50%", "90%", "99%"):
            number = words[1].rstrip("usm")
            suffix = words[1][len(number):]
            res["p" + words[0].rstrip("%")] = float(number) * unit.get(suffix, 1.0)
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            res["errors"] += int(words[-1])
        elif line.strip().startswith("Socket errors:"):
            res["errors"] += sum(int(w.strip(",")) for w in words if w.strip(",").isdigit())
    return res


class Nginx:
    """nginx serving a folder of files on a free loopback port (text/html), with precompressed `.gz` twins
    served to clients that accept gzip (gzip_static), like Lore's cached pages."""

    def __init__(self, docroot: Path, work: Path):
        self.docroot, self.work = docroot, work
        self.port = free_port()
        conf_dir = work / "nginx"
        conf_dir.mkdir(exist_ok=True)
        # nginx's workers run as an unprivileged user when started as root: let them read the files.
        subprocess.run(["chmod", "-R", "a+rX", str(work)], check=True)
        (conf_dir / "nginx.conf").write_text(f"""
worker_processes 2;
pid {conf_dir}/nginx.pid;
error_log {conf_dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ }}
    default_type "text/html; charset=utf-8";
    gzip_static on;
    client_body_temp_path {conf_dir}/client_body;
    proxy_temp_path {conf_dir}/proxy;
    fastcgi_temp_path {conf_dir}/fastcgi;
    uwsgi_temp_path {conf_dir}/uwsgi;
    scgi_temp_path {conf_dir}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        root {docroot};
    }}
}}
""")
        self.proc = spawn(["nginx", "-p", str(conf_dir), "-e", str(conf_dir / "error.log"), "-c",
                           str(conf_dir / "nginx.conf"), "-g", "daemon off;"], log=conf_dir / "stdout.log", group=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("nginx did not start; see " + str(conf_dir / "error.log"))

    def stop(self) -> None:
        stop(self.proc)


# ---------------------------------------------------------------------------------------------- results


class Results:
    """Rows of figure / measured / target / verdict, printed as a Markdown table at the end."""

    def __init__(self, title: str):
        self.title = title
        self.rows: list[tuple[str, str, str, str]] = []
        self.notes: list[str] = []
        self.header = machine()

    def add(self, figure: str, measured: str, target: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else ("met" if met else "**missed**")
        self.rows.append((figure, measured, target, verdict))
        print(f"   {figure}: {measured}" + (f"  [target {target}: {verdict}]" if target else ""), file=sys.stderr,
              flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"   note: {text}", file=sys.stderr, flush=True)

    def print(self, json_path: Path | None = None) -> None:
        print(f"\n### {self.title}\n")
        for line in self.header + _binaries:
            print(f"- {line}")
        print("\n| Figure | Measured | Target | |\n|---|---|---|---|")
        for row in self.rows:
            print("| " + " | ".join(row) + " |")
        print(f"\n- load average at the end: {Path('/proc/loadavg').read_text().split()[:3]}")
        if self.notes:
            for note in self.notes:
                print(f"- {note}")
        if json_path:
            json_path.write_text(json.dumps({"title": self.title, "header": self.header + _binaries, "rows": self.rows,
                                             "notes": self.notes}, indent=2))
