"""Benchmarks, each side by side with a baseline run in the same process.

    make bench                    # or: uv run python bench/run.py --docs 5000
    make bench BENCH_ARGS="--docs 20000 --engines"   # also Elasticsearch/OpenSearch nodes

Prints a table of medians and ratios and writes bench/results/<timestamp>.json.  Timings are
medians over repeats (machines here are noisy); nothing is asserted: a benchmark reports.

Sections:
- normalise: our `str.translate` normaliser vs the camel-tools chain, MB/s on the same text.
- embedded index: `searcher`'s pipeline (Arabic analysis + tantivy) vs raw tantivy with its
  default tokenizer on the same documents, docs/s.
- embedded search: p50/p99 of a fixed query mix, snippets included.
- engines (with --engines and SEARCHER_TEST_*_URL set): our bulk pipeline vs the client's
  plain `helpers.bulk` of the same documents, and search through `searcher` vs the same body
  sent raw by the client.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tantivy
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

from bench.corpus import documents
from searcher.arabic import ArabicAnalyzer
from searcher.engines import (
    open_engine,
    wire,
)
from searcher.indexer import RejectsFile, index_records
from searcher.models import Document
from searcher.query import parse
from searcher.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
QUERIES = [
    "الكتاب",
    "الرئيس الروسي",
    '"خطة السلام"',
    "بوتين -ترامب",
    "المحادثات OR الكرملين",
    "ٱلرَّحۡمَٰنِ",
    "مسئول",
    "الصلاة",
    "يوم القيامة",
    "الأرض والسماء",
]


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(pick(0.50), 2), "p99_ms": round(pick(0.99), 2)}


def camel_chain(text: str) -> str:
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(text))))


def bench_normalise(docs: list[Document], repeats: int) -> dict:
    text = "\n".join(d.body for d in docs)
    megabytes = len(text.encode()) / 1e6
    ours = median_time(lambda: ArabicAnalyzer().normalise(text), repeats)
    theirs = median_time(lambda: camel_chain(text), repeats)
    return {
        "MB": round(megabytes, 2),
        "searcher_MB_s": round(megabytes / ours, 1),
        "camel_chain_MB_s": round(megabytes / theirs, 1),
        "ratio": round(theirs / ours, 2),
    }


def _raw_tantivy(path: Path, docs: list[Document], chunk: int) -> None:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True)
    builder.add_text_field("body", stored=True)
    path.mkdir(parents=True)
    index = tantivy.Index(builder.build(), str(path))
    writer = index.writer(128 * 1024 * 1024, num_threads=1)
    for start in range(0, len(docs), chunk):
        for doc in docs[start : start + chunk]:
            writer.add_document(tantivy.Document(id=doc.id, title=doc.title, body=doc.body))
        writer.commit()
    writer.wait_merging_threads()


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_embedded(docs: list[Document], chunk: int) -> tuple[dict, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        engine = open_engine(Settings(engine="embedded", data_dir=root / "ours"))
        started = time.perf_counter()
        index_records(
            engine,
            "bench",
            ((i, d) for i, d in enumerate(docs, 1)),
            RejectsFile(root / "rejects.jsonl"),
            chunk_size=chunk,
        )
        ours = time.perf_counter() - started
        started = time.perf_counter()
        _raw_tantivy(root / "raw", docs, chunk)
        raw = time.perf_counter() - started
        indexing = {
            "docs": len(docs),
            "searcher_docs_s": round(len(docs) / ours),
            "raw_tantivy_docs_s": round(len(docs) / raw),
            "overhead_x": round(ours / raw, 2),
            "searcher_index_MB": round(_dir_size(root / "ours") / 1e6, 1),
            "raw_index_MB": round(_dir_size(root / "raw") / 1e6, 1),
        }
        analyzer = ArabicAnalyzer()
        plans = [parse(q, analyzer) for q in QUERIES]
        for plan in plans:  # warm the page cache and the reader
            engine.search("bench", plan)
        samples = []
        for _ in range(20):
            for plan in plans:
                started = time.perf_counter()
                engine.search("bench", plan)
                samples.append((time.perf_counter() - started) * 1000)
        engine.close()
        return indexing, {"queries": len(samples), **percentiles(samples)}


def bench_engine(name: str, url: str, docs: list[Document], chunk: int, rounds: int = 3) -> dict:
    """Our pipeline vs `helpers.bulk`, alternating (the node warms up as it goes), medians."""
    analysis = "builtin" if name == "elasticsearch" else "arabic"  # see scripts/nodes.py
    engine = open_engine(Settings(engine=name, url=url, engine_analysis=analysis))
    helpers = __import__(
        "elasticsearch.helpers" if name == "elasticsearch" else "opensearchpy.helpers",
        fromlist=["bulk"],
    )

    def ours(index: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            index_records(
                engine,
                index,
                ((i, d) for i, d in enumerate(docs, 1)),
                RejectsFile(Path(tmp) / "r.jsonl"),
                chunk_size=chunk,
            )

    def raw(index: str) -> None:
        helpers.bulk(engine.client, wire.bulk_actions(index, docs), chunk_size=chunk)
        engine.refresh(index)

    seconds: dict[str, list[float]] = {"ours": [], "raw": []}
    for round_no in range(rounds):
        for label, load in (("raw", raw), ("ours", ours)):
            index = f"bench-{label}-{name}-{round_no}"
            engine.delete_index(index)
            engine.create_index(index)  # same template for both: only the pipeline differs
            started = time.perf_counter()
            load(index)
            seconds[label].append(time.perf_counter() - started)
            if round_no < rounds - 1:
                engine.delete_index(index)
    ours_s, raw_s = statistics.median(seconds["ours"]), statistics.median(seconds["raw"])
    searched = f"bench-ours-{name}-{rounds - 1}"

    analyzer = ArabicAnalyzer()
    plans = [parse(q, analyzer) for q in QUERIES]
    for plan in plans:  # warm-up round, not measured
        engine.search(searched, plan)
    ours_ms, raw_ms = [], []
    for _ in range(20):
        for plan in plans:
            started = time.perf_counter()
            engine.search(searched, plan)
            ours_ms.append((time.perf_counter() - started) * 1000)
            body = wire.search_body(plan, 1, 10)
            started = time.perf_counter()
            engine.client.search(index=searched, body=body)
            raw_ms.append((time.perf_counter() - started) * 1000)
    for index in engine.indices("bench-"):
        engine.delete_index(index)
    engine.close()
    ours_p, raw_p = percentiles(ours_ms), percentiles(raw_ms)
    return {
        "docs": len(docs),
        "searcher_bulk_docs_s": round(len(docs) / ours_s),
        "helpers_bulk_docs_s": round(len(docs) / raw_s),
        "bulk_ratio": round(raw_s / ours_s, 2),
        "search_searcher": ours_p,
        "search_raw_client": raw_p,
        "search_p50_ratio": round(ours_p["p50_ms"] / raw_p["p50_ms"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engines", action="store_true", help="also bench the engine nodes")
    args = parser.parse_args()

    docs = list(documents(args.docs))
    results: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    results["normalise"] = bench_normalise(docs[:2000], args.repeats)
    results["embedded_index"], results["embedded_search"] = bench_embedded(docs, args.chunk)
    if args.engines:
        for name in ("opensearch", "elasticsearch"):
            url = os.environ.get(f"SEARCHER_TEST_{name.upper()}_URL")
            if url:
                results[name] = bench_engine(name, url, docs, args.chunk)

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{results['when'].replace(':', '')}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
