"""Issue #15's scenarios end to end against a real OpenSearch/Elasticsearch node, through the CLI.

    python bench/stress.py --url http://127.0.0.1:9290 overlap stall-reindex stall-index stall-serve

- overlap: a reindex reading a slow source (stdin) has created its generation when a second
  reindex of the same alias runs from start to finish; then the first gets its documents.
- stall-reindex / stall-index: the node is SIGSTOPped for --stall seconds mid-run (longer than
  the client timeout, so the client resends), then continued; failed runs are rerun twice.
- stall-serve: `searcher serve` on the node; /health and /search timed while it is stopped.

The node is found through its own `_nodes/_local/process` (it must run on this machine, as the
test nodes of scripts/nodes.py do) and always continued.  Runs the `searcher` importable from
PYTHONPATH, so the same script measures an older checkout too.  Prints one JSON object per
scenario.  Not part of `make test`: it takes minutes and stops a node.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.corpus import write_jsonl

CLI = [sys.executable, "-m", "searcher.cli"]


def get(url: str, timeout: float = 30) -> tuple[int, Any, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.load(response), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, json.load(error), time.monotonic() - started


def node_pid(url: str) -> int:
    (node,) = get(f"{url}/_nodes/_local/process")[1]["nodes"].values()
    return int(node["process"]["id"])


def stall(url: str, seconds: float) -> None:
    pid = node_pid(url)
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        os.kill(pid, signal.SIGCONT)


class Runner:
    def __init__(self, engine: str, url: str, work: Path) -> None:
        self.engine, self.url, self.work = engine, url, work

    def env(self, data: str, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "SEARCHER_ENGINE": self.engine,
            "SEARCHER_URL": self.url,
            "SEARCHER_DATA_DIR": str(self.work / data),
            **extra,
        }

    def run(self, *args: str, data: str = "data", **extra: str) -> dict[str, Any]:
        started = time.monotonic()
        done = subprocess.run(
            [*CLI, *args], env=self.env(data, **extra), capture_output=True, text=True
        )
        return self.outcome(done.returncode, done.stdout, done.stderr, started)

    @staticmethod
    def outcome(code: int, out: str, err: str, started: float) -> dict[str, Any]:
        result: dict[str, Any] = {"exit": code, "seconds": round(time.monotonic() - started, 1)}
        try:
            report = json.loads(out)
            keys = ("indexed", "replaced", "rejected", "count", "index", "resumed_from_line")
            result |= {key: report[key] for key in keys if key in report}
        except ValueError:
            pass
        errors = [line for line in err.splitlines() if line.startswith("Error")]
        if errors:
            result["error"] = errors[-1][:300]
        return result

    def total(self, alias: str, query: str) -> int:
        done = subprocess.run(
            [*CLI, "search", query, "--index", alias, "--json"],
            env=self.env("data"),
            capture_output=True,
            text=True,
        )
        return int(json.loads(done.stdout)["total"]) if done.returncode == 0 else -1

    def analyzer(self, alias: str) -> str | None:
        mappings = get(f"{self.url}/{alias}/_mapping")[1]
        (mapping,) = mappings.values()
        return mapping["mappings"].get("properties", {}).get("body", {}).get("analyzer")

    def cleanup(self, alias: str) -> None:
        request = urllib.request.Request(
            f"{self.url}/{alias}-*?ignore_unavailable=true", method="DELETE"
        )
        urllib.request.urlopen(request, timeout=60).close()


def overlap(runner: Runner, dump: Path) -> dict[str, Any]:
    alias = f"overlap-{uuid.uuid4().hex[:6]}"
    runner.run("reindex", str(dump), "--index", alias, "--json", data="first")
    before = runner.total(alias, "الرحمن")
    started = time.monotonic()
    slow = subprocess.Popen(
        [*CLI, "reindex", "-", "--format", "jsonl", "--index", alias, "--json"],
        env=runner.env("person"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The first 100 lines: enough for the run to start (it reads stdin 64 KB at a time) and
    # create its generation, not for a chunk; the rest comes after the other run is done.
    lines = dump.read_text(encoding="utf-8").splitlines(keepends=True)
    assert slow.stdin is not None
    slow.stdin.write("".join(lines[:100]))
    slow.stdin.flush()
    rest = "".join(lines[100:])
    checkpoint = runner.work / "person" / "checkpoints" / f"{runner.engine}-{alias}.json"
    while not (checkpoint.exists() and checkpoint.read_text()):
        time.sleep(0.05)
    building = json.loads(checkpoint.read_text())["index"]
    while get(f"{runner.url}/_cat/indices/{building}?format=json")[0] != 200:
        time.sleep(0.05)
    cron = runner.run("reindex", str(dump), "--index", alias, "--json", data="cron")
    out, err = slow.communicate(rest)
    person = runner.outcome(slow.returncode, out, err, started)
    after = runner.total(alias, "الرحمن")
    result = {
        "scenario": "overlap",
        "hits_before": before,
        "cron_run_during_it": cron,
        "slow_run": person,
        "alias_analyzer": runner.analyzer(alias),
        "hits_after": after,
    }
    runner.cleanup(alias)
    return result


def stalled_run(runner: Runner, dump: Path, command: str, seconds: float) -> dict[str, Any]:
    target = f"stall-{command}-{uuid.uuid4().hex[:6]}"
    args = [command, str(dump), "--index", target, "--json"]
    started = time.monotonic()
    run = subprocess.Popen(
        [*CLI, *args],
        env=runner.env("data"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(8)  # well under way
    stall(runner.url, seconds)
    out, err = run.communicate()
    first = runner.outcome(run.returncode, out, err, started)
    result: dict[str, Any] = {"scenario": f"stall-{command}", "stall_s": seconds, "run": first}
    if first["exit"] and command == "reindex":
        result["reruns"] = [runner.run(*args) for _ in range(2)]
    runner.cleanup(target)
    if command == "index":
        request = urllib.request.Request(f"{runner.url}/{target}", method="DELETE")
        urllib.request.urlopen(request, timeout=60).close()
    return result


def stalled_serve(runner: Runner, dump: Path, seconds: float) -> dict[str, Any]:
    alias = f"serve-{uuid.uuid4().hex[:6]}"
    runner.run("reindex", str(dump), "--index", alias)
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--index", alias],
        env=runner.env("data"),
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            get(f"{base}/health")
            break
        except OSError:
            time.sleep(0.1)
    answers: dict[str, Any] = {}

    def probe(name: str, path: str) -> None:
        status, _, took = get(f"{base}{path}", timeout=300)
        answers[name] = {"status": status, "seconds": round(took, 1)}

    pid = node_pid(runner.url)
    os.kill(pid, signal.SIGSTOP)
    try:
        probes = [
            threading.Thread(target=probe, args=("health", "/health")),
            threading.Thread(target=probe, args=("search", "/search?q=" + quote("الرحمن"))),
        ]
        for thread in probes:
            thread.start()
        time.sleep(seconds)
    finally:
        os.kill(pid, signal.SIGCONT)
    for thread in probes:
        thread.join()
    server.terminate()
    server.wait()
    runner.cleanup(alias)
    return {"scenario": "stall-serve", "stall_s": seconds, **answers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="+")
    parser.add_argument("--url", required=True)
    parser.add_argument("--engine", default="opensearch")
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--stall", type=float, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dump = write_jsonl(work / "dump.jsonl", args.docs)
        runner = Runner(args.engine, args.url, work)
        for scenario in args.scenarios:
            if scenario == "overlap":
                result = overlap(runner, dump)
            elif scenario == "stall-serve":
                result = stalled_serve(runner, dump, args.stall)
            else:
                result = stalled_run(runner, dump, scenario.removeprefix("stall-"), args.stall)
            print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
