"""Load test of `searcher serve` from a second process, on loopback only.

    uv run python bench/load.py                       # embedded engine
    uv run python bench/load.py --engine opensearch   # SEARCHER_TEST_OPENSEARCH_URL must be set

Indexes a generated corpus, starts `searcher serve` as its own process, then (with `wrk`, from
Debian's packages, or else an httpx client) keeps
`--concurrency` connections busy for `--seconds` per endpoint with a fixed query mix, and then
one client alone (its p99 is the latency a reader sees on a quiet server).  Reports req/s,
p50/p99 latency and the server's CPU time per request (user + system, from /proc: unlike req/s,
it hardly moves when other processes share the machine) for /search and /suggest side by side
with /health (the framework's own ceiling on this machine, measured in the same run).  Bounded
in time and count; stops itself.

    uv run python bench/load.py --docs 100000 --bench-corpus   # the 100k bench index
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import bench_blocks, write_jsonl

QUERIES = [
    "الكتاب",
    "الرئيس الروسي",
    "بوتين",
    "ٱلرَّحۡمَٰنِ",
    "الصلاة",
    "المحادثات OR الكرملين",
    '"خطة السلام"',
    "يوم القيامة",
    "مسئول",
    "الأرض -السماء",
]
PREFIXES = ["الرح", "بوت", "رئ", "محاد", "كتا", "سما", "ارض", "صلا"]
MAX_REQUESTS = 200_000  # a hard bound whatever the duration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def _ms(value: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def wrk(base: str, paths: list[str], seconds: float, concurrency: int) -> dict:
    """wrk (C, one thread per core it is given) keeps the load generator off the hot path."""
    quoted = ", ".join(f'"{quote(p, safe="/?=&")}"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % quoted)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{int(seconds)}s",
            "--latency",
            "-s",
            script.name,
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    Path(script.name).unlink()
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": errors,
        "req_s": float(lines["Requests/sec:"][1]),
        "p50_ms": round(_ms(lines["50%"][1]), 1),
        "p99_ms": round(_ms(lines["99%"][1]), 1),
    }


async def hammer(base: str, paths: list[str], seconds: float, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            while time.monotonic() < deadline and len(latencies) < MAX_REQUESTS:
                started = time.perf_counter()
                response = await client.get(rng.choice(paths))
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code >= 500

        started = time.monotonic()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors,
        "req_s": round(len(ordered) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 1),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(base: str, paths: list[str], seconds: float, concurrency: int, pid: int) -> dict:
    """One endpoint's load run, with the server's CPU milliseconds per request."""
    before = cpu_seconds(pid)
    if shutil.which("wrk"):
        result = wrk(base, paths, seconds, concurrency)
    else:
        result = asyncio.run(hammer(base, paths, seconds, concurrency))
    used = cpu_seconds(pid) - before
    result["cpu_ms_per_req"] = round(1000 * used / max(1, result["requests"]), 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--engine", default="embedded", choices=["embedded", "opensearch"])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--bench-corpus",
        action="store_true",
        help="documents from every verse (and hadith, if installed), as `make bench` builds them",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SEARCHER_ENGINE": args.engine,
            "SEARCHER_DATA_DIR": tmp,
            "SEARCHER_INDEX": f"load-{os.getpid()}",
        }
        if args.engine == "opensearch":
            env["SEARCHER_URL"] = os.environ["SEARCHER_TEST_OPENSEARCH_URL"]
        blocks = bench_blocks() if args.bench_corpus else None
        dump = write_jsonl(Path(tmp) / "corpus.jsonl", args.docs, blocks=blocks)
        cli = [sys.executable, "-m", "searcher.cli"]
        subprocess.run([*cli, "index", str(dump)], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(base + "/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            mixes = {
                "health": ["/health"],
                "search": [f"/search?q={q}" for q in QUERIES],
                "suggest": [f"/suggest?q={p}" for p in PREFIXES],
            }
            results: dict = {
                name: measure(base, paths, args.seconds, args.concurrency, server.pid)
                for name, paths in mixes.items()
            }
            results["single_client"] = {
                name: measure(base, paths, args.seconds, 1, server.pid)
                for name, paths in mixes.items()
            }
            results["load_generator"] = "wrk" if shutil.which("wrk") else "httpx"
        finally:
            server.terminate()
            server.wait(timeout=30)
    for name in ("search", "suggest"):
        results[name]["vs_health_req_s"] = round(
            results[name]["req_s"] / results["health"]["req_s"], 2
        )
    report = {
        "engine": args.engine,
        "docs": args.docs,
        "corpus": "bench" if args.bench_corpus else "sample",
        "concurrency": args.concurrency,
        "seconds_per_endpoint": args.seconds,
        **results,
    }
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"load-{args.engine}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
