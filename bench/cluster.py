"""Scale-out, measured: one node against a 3-node cluster on the same dump, and what a bulk load
(refresh off, no replicas, both restored at the end) buys over loading into the final layout.

    make bench-cluster                       # both engines; starts the clusters it needs
    uv run python bench/cluster.py --engines opensearch --docs 20000

For each engine, on one generated dump (bench/corpus.py, realistic vocabulary):

  layout                          how it is loaded
  1 node,   1 shard,  0 replicas  bulk load      / plain (refresh 1s from the start)
  3 nodes,  3 shards, 1 replica   bulk load      / plain (replicas indexed alongside)

Loading time runs until the index is ready: everything refreshed and every replica allocated
(green), which for the bulk load includes copying the replicas after the load.  Search latency
(p50/p99, one client, snippets included) is measured on each layout's bulk-loaded index.  The
nodes come from scripts/nodes.py (single nodes from SEARCHER_TEST_<ENGINE>_URL as
scripts/with-nodes.sh exports them; clusters started here unless SEARCHER_TEST_CLUSTER_*_URLS is
set, and stopped afterwards).  Results: bench/results/cluster.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import bench_blocks, write_jsonl
from bench.run import QUERIES, percentiles
from searcher.arabic import ArabicAnalyzer
from searcher.dump import read
from searcher.engines import Engine, open_engine
from searcher.indexer import RejectsFile, index_records
from searcher.query import parse
from searcher.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
NODES = [sys.executable, str(ROOT / "scripts" / "nodes.py")]
LAYOUTS = {"1 node": (1, 0), "3 nodes": (3, 1)}  # name: (shards, replicas)


def cluster_urls(engine: str) -> tuple[str, bool]:
    """The cluster's URLs (comma separated), and whether we started it (so we stop it)."""
    given = os.environ.get(f"SEARCHER_TEST_CLUSTER_{engine.upper()}_URLS")
    if given:
        return given, False
    started = subprocess.run(
        [*NODES, "start", f"cluster-{engine}"], capture_output=True, text=True, check=True
    )
    line = next(line for line in started.stdout.splitlines() if "_URLS=" in line)
    return line.split("=", 1)[1], True


def load(engine: Engine, index: str, dump: Path, bulk_load: bool, tmp: Path) -> dict:
    """Create, load and make ready (refreshed, green) one index; seconds for each step."""
    engine.delete_index(index)
    started = time.perf_counter()
    engine.create_index(index, bulk_load=bulk_load)
    report = index_records(engine, index, read(dump), RejectsFile(tmp / f"{index}.rejects"))
    loaded = time.perf_counter()
    engine.finish_bulk_load(index)  # the configured layout (a no-op for plain), refresh, green
    ready = time.perf_counter()
    assert report.rejected == 0 and engine.count(index) == report.indexed
    return {
        "load_s": round(loaded - started, 2),
        "ready_s": round(ready - started, 2),
        "docs_s": round(report.indexed / (ready - started)),
    }


def search_latency(engine: Engine, index: str, rounds: int) -> dict:
    analyzer = ArabicAnalyzer()
    plans = [parse(query, analyzer) for query in QUERIES]
    for plan in plans:  # warm caches: we measure steady state
        engine.search(index, plan)
    samples = []
    for _ in range(rounds):
        for plan in plans:
            started = time.perf_counter()
            engine.search(index, plan)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def bench_engine(name: str, dump: Path, docs: int, search_rounds: int, tmp: Path) -> dict:
    single = os.environ.get(f"SEARCHER_TEST_{name.upper()}_URL")
    if not single:
        raise SystemExit(f"no {name} node: run through scripts/with-nodes.sh (make bench-cluster)")
    urls, started_here = cluster_urls(name)
    results: dict = {}
    try:
        for layout, (shards, replicas) in LAYOUTS.items():
            url = single if layout == "1 node" else urls
            settings = Settings(engine=name, url=url, shards=shards, replicas=replicas)  # type: ignore[arg-type]
            engine = open_engine(settings)
            index = f"bench-cluster-{shards}x{replicas}"
            row = {
                "plain": load(engine, index, dump, bulk_load=False, tmp=tmp),
                "bulk_load": load(engine, index, dump, bulk_load=True, tmp=tmp),
            }
            row["search"] = search_latency(engine, index, search_rounds)
            row["docs"] = docs
            engine.delete_index(index)
            engine.close()
            results[layout] = row
            print(f"{name} {layout}: {json.dumps(row)}", file=sys.stderr)
    finally:
        if started_here:
            subprocess.run([*NODES, "stop", f"cluster-{name}"], capture_output=True, check=False)
    return results


def table(results: dict) -> str:
    lines = [
        "| engine | layout | bulk load: docs/s (load + ready s) | plain: docs/s (s) "
        "| search p50 / p99 ms |",
        "|---|---|---|---|---|",
    ]
    for name, layouts in results.items():
        for layout, row in layouts.items():
            bulk, plain, search = row["bulk_load"], row["plain"], row["search"]
            lines.append(
                f"| {name} | {layout} | {bulk['docs_s']:,} ({bulk['load_s']} + "
                f"{round(bulk['ready_s'] - bulk['load_s'], 2)}) | {plain['docs_s']:,} "
                f"({plain['ready_s']}) | {search['p50_ms']} / {search['p99_ms']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="opensearch,elasticsearch")
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--search-rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        dump = write_jsonl(tmp / "dump.jsonl", args.docs, blocks=bench_blocks())
        results = {
            name: bench_engine(name, dump, args.docs, args.search_rounds, tmp)
            for name in args.engines.split(",")
        }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cluster.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))


if __name__ == "__main__":
    main()
