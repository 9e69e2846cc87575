"""How long a `searcher` command takes from exec to exit, next to `python -c pass`.

    uv run python bench/startup.py                 # --help and an embedded search
    SEARCHER_TEST_ELASTICSEARCH_URL=http://… uv run python bench/startup.py   # + Elasticsearch

A CLI search spends a few milliseconds searching and the rest starting up (imports, mostly), so
this bench times whole processes.  Each command runs `--runs` times, the commands interleaved so
that a burst of load on a shared machine hits them all alike; the median is reported with its
ratio to an empty interpreter measured in the same run.  Writes bench/results/startup.json.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "searcher" / "data" / "sample_corpus.jsonl"
RESULTS = ROOT / "bench" / "results" / "startup.json"
TARGET_SECONDS = 0.25  # issue #11: `--help` and an embedded search, wall time
QUERY = "الرئيس الروسي"


def wall_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def commands(searcher: str, es_url: str | None) -> dict[str, list[str]]:
    python = sys.executable
    chosen = {
        "python -c pass (baseline)": [python, "-c", "pass"],
        "searcher --help": [searcher, "--help"],
        "searcher search (embedded)": [searcher, "search", QUERY],
    }
    if es_url:
        chosen["import elasticsearch (the client alone)"] = [python, "-c", "import elasticsearch"]
        chosen["searcher search (elasticsearch)"] = [
            searcher,
            "search",
            "--engine",
            "elasticsearch",
            "--url",
            es_url,
            QUERY,
        ]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command")
    args = parser.parse_args()

    # As `pip install` does: our own modules' bytecode, written once, so that a machine with
    # PYTHONDONTWRITEBYTECODE set does not time Python compiling `searcher` on every run.
    compileall.compile_dir(str(ROOT / "searcher"), quiet=1)
    searcher = str(Path(sys.executable).with_name("searcher"))
    es_url = os.environ.get("SEARCHER_TEST_ELASTICSEARCH_URL")
    with tempfile.TemporaryDirectory(prefix="searcher-startup-") as data_dir:
        env = {**os.environ, "SEARCHER_DATA_DIR": data_dir, "SEARCHER_INDEX": "startup"}
        setup = [searcher, "index", str(SAMPLE)]
        subprocess.run(setup, env=env, check=True, capture_output=True)
        if es_url:
            es = [*setup, "--engine", "elasticsearch", "--url", es_url]
            subprocess.run(es, env=env, check=True, capture_output=True)
        chosen = commands(searcher, es_url)
        for command in chosen.values():  # one untimed run each: caches warm, pyc written
            wall_seconds(command, env)
        times: dict[str, list[float]] = {name: [] for name in chosen}
        for _ in range(args.runs):
            for name, command in chosen.items():
                times[name].append(wall_seconds(command, env))

    baseline = statistics.median(next(iter(times.values())))
    rows = []
    print(f"{'command':<42} {'median':>9} {'p90':>9} {'× python -c pass':>17}")
    for name, samples in times.items():
        median = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1]
        rows.append({"command": name, "median_s": median, "p90_s": p90, "runs": len(samples)})
        print(f"{name:<42} {median:>8.3f}s {p90:>8.3f}s {median / baseline:>16.1f}×")
    for row in rows:
        if row["command"] in ("searcher --help", "searcher search (embedded)"):
            verdict = "met" if row["median_s"] <= TARGET_SECONDS else "MISSED"
            print(f"target ≤ {TARGET_SECONDS} s for {row['command']}: {verdict}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "bench": "startup",
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "load_average": os.getloadavg()[0],
                "python": platform.python_version(),
                "target_s": TARGET_SECONDS,
                "rows": rows,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"→ {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
