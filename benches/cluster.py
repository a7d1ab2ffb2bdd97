#!/usr/bin/env python3
"""Replication benchmarks (issue 19): a primary and a replica of Lore on loopback, sharing one PostgreSQL
database of a server this script starts (Debian's postgresql: initdb and pg_ctl in a temporary folder, a Unix
socket only, as `nobody` when run as root), both `lore serve` from a release build.

1. Replication lag: a page saved on the primary (PUT /-/api/pages, acknowledged), then the time until the
   replica serves it (GET /-/raw/… polled every millisecond). Saves are sequential: each starts once the last is
   visible. Baseline: the same poll loop against the primary itself, right after its acknowledgement (what the
   measurement costs when nothing has to travel). Target: p95 <= 500 ms.
2. A forwarded write: PUT through the replica (forwarded to the primary, answered once the replica serves the
   commit) against the same PUT straight to the primary, alternating, each to a new page. Target: the forwarded
   write's p50 and p95 at most 10 ms over the direct write's.
3. Replica to replica: a second replica starts (after 1 and 2, so that those run with two nodes); a page saved
   through replica A (forwarded, acknowledged), then the time until replica B serves it, polled every
   millisecond; sequential. Target: p95 <= 1 s.

    CARGO_TARGET_DIR=/work/target-bench cargo build --release
    python3 benches/cluster.py [--saves 200] [--lore PATH]

Standard library only; talks to 127.0.0.1 only; stops everything it started. Figures: docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lorebench as lb  # noqa: E402


def postgres_bin() -> Path:
    versions = sorted(
        (int(p.name), p / "bin") for p in Path("/usr/lib/postgresql").glob("*") if p.name.isdigit() and (p / "bin" / "initdb").exists()
    )
    if not versions:
        raise SystemExit("PostgreSQL is not installed: apt-get install postgresql")
    return versions[-1][1]


def start_postgres(work: Path) -> str:
    """A PostgreSQL server in work/pg on a Unix socket; returns the URL of a fresh database `lore`."""
    bin_dir = postgres_bin()
    pg = work / "pg"
    pg.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        subprocess.run(["chown", "nobody", str(pg)], check=True)
        work.chmod(0o755)
        as_user = ["runuser", "-u", "nobody", "--"]
    data = pg / "data"
    lb.sh(as_user + [str(bin_dir / "initdb"), "-D", str(data), "-U", "lore", "--auth=trust", "--locale=C", "--no-sync"],
          cwd="/")
    options = f"-c listen_addresses='' -c unix_socket_directories='{pg}' -p 5432 -c max_connections=100"
    lb.sh(as_user + [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(pg / "log"), "-o", options, "-w", "start"],
          cwd="/")
    stop_cmd = as_user + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]
    import atexit
    atexit.register(lambda: subprocess.run(stop_cmd, cwd="/", capture_output=True))
    lb.sh(as_user + [str(bin_dir / "createdb"), "-h", str(pg), "-U", "lore", "lore"], cwd="/")
    return f"postgres://lore@{str(pg).replace('/', '%2F')}:5432/lore"


def serve(binary: Path, node: Path, port: int, state: str, extra: list[str]) -> None:
    lb.spawn([str(binary), "serve", "--listen", f"127.0.0.1:{port}", "--data", str(node / "data"), "--state", state]
             + extra, log=node / "lore.log", cwd=node)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            status, _, _, _ = lb.Client(port, timeout=5).request("GET", "/-/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"lore on port {port} did not start; see {node / 'lore.log'}")


def wait_visible(client: lb.Client, path: str, body: bytes, deadline: float) -> float:
    """Polls GET path every millisecond until it answers body; returns when (perf_counter)."""
    while True:
        status, _, data, _ = client.request("GET", path)
        now = time.perf_counter()
        if status == 200 and data == body:
            return now
        if now > deadline:
            raise SystemExit(f"{path} not visible after 30 s ({status})")
        time.sleep(0.001)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lore", type=Path, default=lb.DEFAULT_TARGET / "release" / "lore")
    p.add_argument("--saves", type=int, default=200)
    p.add_argument("--json", type=Path)
    p.add_argument("--logs", type=Path, help="copy the nodes' logs here at the end (with RUST_LOG=lore=debug they "
                   "time each step: the forward, the wait, the pull or fetch, the refresh)")
    args = p.parse_args()
    if not args.lore.exists():
        raise SystemExit(f"no {args.lore}: build it with CARGO_TARGET_DIR={lb.DEFAULT_TARGET} cargo build --release")
    facts = lb.machine()
    work = lb.temp_dir("lore-bench-cluster.")
    state = start_postgres(work)
    token = "c" * 64
    primary_port, replica_port = lb.free_port(), lb.free_port()
    nodes = {}
    for name in ["primary", "replica", "replica-b"]:
        node = work / name
        node.mkdir()
        (node / "lore.yaml").write_text(f'cluster_token: "{token}"\nauth:\n  mode: local\n  anonymous_read: true\n')
        nodes[name] = node
    data = str(nodes["primary"] / "data")
    subprocess.run([str(args.lore), "user", "add", "bench", "--name", "Bench", "--email", "bench@example.com",
                    "--role", "editor", "--password-stdin", "--data", data, "--state", state],
                   input="bench password\n", text=True, check=True, capture_output=True, cwd=nodes["primary"])
    api_token = lb.sh([str(args.lore), "token", "create", "bench", "--name", "bench", "--data", data, "--state", state],
                      cwd=nodes["primary"]).strip()
    serve(args.lore, nodes["primary"], primary_port, state, [])
    serve(args.lore, nodes["replica"], replica_port, state, ["--replica-of", f"http://127.0.0.1:{primary_port}"])
    auth = {"Authorization": f"Bearer {api_token}"}
    primary, replica = lb.Client(primary_port), lb.Client(replica_port)
    poll_primary, poll_replica = lb.Client(primary_port), lb.Client(replica_port)

    def put(client: lb.Client, path: str, markdown: str) -> float:
        status, headers, data, took = client.request("PUT", f"/-/api/pages/{path}", {"markdown": markdown}, auth)
        if status not in (200, 201):
            raise SystemExit(f"PUT {path}: {status} {data[:300]!r}")
        if headers.get("Warning"):
            raise SystemExit(f"PUT {path}: the replica did not catch up: {headers.get('Warning')}")
        return took

    # Warm up both nodes (first saves build caches, open pooled connections, start the event stream).
    for i in range(10):
        put(primary, f"bench/warm-p{i}.md", f"# Warm {i}\n")
        put(replica, f"bench/warm-r{i}.md", f"# Warm {i}\n")
    time.sleep(1)

    lb.log(f"replication lag: {args.saves} sequential saves on the primary, polled on the replica")
    lag, floor = [], []
    for i in range(args.saves):
        for (poll, samples, name) in ((poll_replica, lag, "lag"), (poll_primary, floor, "floor")):
            path = f"bench/{name}-{i}.md"
            markdown = f"# {name} {i}\n\nSaved at {time.time()}.\n"
            put(primary, path, markdown)
            acked = time.perf_counter()
            seen = wait_visible(poll, f"/-/raw/{path}", markdown.encode(), acked + 30)
            samples.append(seen - acked)

    lb.log(f"forwarded writes: {args.saves} through the replica, {args.saves} straight to the primary, alternating")
    forwarded, direct = [], []
    for i in range(args.saves):
        forwarded.append(put(replica, f"bench/fwd-{i}.md", f"# Forwarded {i}\n"))
        direct.append(put(primary, f"bench/direct-{i}.md", f"# Direct {i}\n"))

    lb.log(f"replica to replica: a second replica; {args.saves} saves through the first, polled on the second")
    replica_b_port = lb.free_port()
    serve(args.lore, nodes["replica-b"], replica_b_port, state, ["--replica-of", f"http://127.0.0.1:{primary_port}"])
    replica_b = lb.Client(replica_b_port)
    for i in range(10):
        put(replica_b, f"bench/warm-b{i}.md", f"# Warm {i}\n")
    time.sleep(1)
    across = []
    for i in range(args.saves):
        path = f"bench/across-{i}.md"
        markdown = f"# Across {i}\n\nSaved at {time.time()}.\n"
        put(replica, path, markdown)
        acked = time.perf_counter()
        across.append(wait_visible(replica_b, f"/-/raw/{path}", markdown.encode(), acked + 30) - acked)

    _, _, status_body, _ = replica.request("GET", "/-/api/cluster/status", None, {"Authorization": f"Bearer {token}"})
    status = json.loads(status_body)
    figures = {
        "lag": {"p50": lb.pct(lag, 50), "p95": lb.pct(lag, 95), "max": max(lag)},
        "floor": {"p50": lb.pct(floor, 50), "p95": lb.pct(floor, 95), "max": max(floor)},
        "forwarded": {"p50": lb.pct(forwarded, 50), "p95": lb.pct(forwarded, 95)},
        "direct": {"p50": lb.pct(direct, 50), "p95": lb.pct(direct, 95)},
        "across": {"p50": lb.pct(across, 50), "p95": lb.pct(across, 95), "max": max(across)},
        "replication_status": status["replication"],
    }
    print("\n".join(facts))
    print(f"replication lag (ack on primary -> served by replica): {lb.dist(lag)}")
    print(f"baseline (ack on primary -> served by primary):          {lb.dist(floor)}")
    print(f"  p95 ratio lag/baseline: {lb.pct(lag, 95) / lb.pct(floor, 95):.1f}x; target p95 <= 500 ms: "
          f"{'met' if lb.pct(lag, 95) <= 0.5 else 'MISSED'}")
    print(f"forwarded write (PUT via replica): {lb.dist(forwarded)}")
    print(f"direct write (PUT on primary):     {lb.dist(direct)}")
    over50 = (lb.pct(forwarded, 50) - lb.pct(direct, 50)) * 1e3
    over95 = (lb.pct(forwarded, 95) - lb.pct(direct, 95)) * 1e3
    print(f"  forwarded - direct: p50 {over50:+.2f} ms, p95 {over95:+.2f} ms; ratio p50 "
          f"{lb.pct(forwarded, 50) / lb.pct(direct, 50):.2f}x; target <= 10 ms over: "
          f"{'met' if max(over50, over95) <= 10 else 'MISSED'}")
    print(f"replica to replica (ack on replica A -> served by replica B): {lb.dist(across)}")
    print(f"  target p95 <= 1 s: {'met' if lb.pct(across, 95) <= 1 else 'MISSED'}")
    print(f"replica status after the run: {json.dumps(status['replication'])}")
    packs = list((nodes["replica"] / "data" / "wiki.git" / "objects" / "pack").glob("*.pack"))
    print(f"packs in the replica's mirror after the run: {len(packs)} (git gc --auto packs them together past 50)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    if args.logs:
        import shutil
        args.logs.mkdir(parents=True, exist_ok=True)
        for name, node in nodes.items():
            shutil.copy(node / "lore.log", args.logs / f"{name}.log")


if __name__ == "__main__":
    main()
