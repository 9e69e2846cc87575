"""Speed benchmarks, each side by side with a baseline measured in the same run.

    make bench                                        # 10k and 100k documents
    make bench BENCH_ARGS="--sizes 10000,100000,1000000 --engines"

Writes bench/results/speed.json, and bench/RESULTS.md + bench/latency.png (the README links
them).  Timings are medians (these machines are noisy); nothing is asserted: benchmarks report.

- normalise: our normaliser vs the camel-tools chain vs pyarabic, MB/s on the same text;
- embedded, per corpus size: `searcher index` (Arabic analysis + tantivy; on every core, then
  in one process) vs raw tantivy with its default tokenizer vs SQLite FTS5 with the careful
  normaliser (`fts5.py`), on the same dump, each in its own process (docs/s, peak RSS, index
  size); then search p50/p99 of a fixed query mix, snippets included (FTS5: its `snippet()`);
- engines (--engines, nodes from scripts/nodes.py): our bulk pipeline vs `helpers.bulk` and
  `helpers.parallel_bulk`; search through `searcher` vs the same body sent raw by the client.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

from bench import fts5
from bench.corpus import bench_blocks, documents, write_jsonl
from bench.readme import speed_tables
from searcher.arabic import ArabicAnalyzer
from searcher.dictionary import DocumentWords
from searcher.engines import open_engine, wire
from searcher.engines.embedded import EmbeddedEngine
from searcher.engines.prepare import available_cores, default_workers
from searcher.indexer import RejectsFile, index_records
from searcher.models import Document
from searcher.query import parse
from searcher.settings import Settings

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
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
# Runs in a child so its peak RSS is its own: raw tantivy, default tokenizer, same chunks.
RAW_TANTIVY = """
import json, sys, tantivy
dump, path, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3])
builder = tantivy.SchemaBuilder()
builder.add_text_field("id", stored=True, tokenizer_name="raw")
builder.add_text_field("title", stored=True)
builder.add_text_field("body", stored=True)
index = tantivy.Index(builder.build(), path)
writer = index.writer(128 * 1024 * 1024, num_threads=1)
with open(dump, encoding="utf-8") as lines:
    for n, line in enumerate(lines, 1):
        d = json.loads(line)
        writer.add_document(tantivy.Document(id=d["id"], title=d["title"], body=d["body"]))
        if n % chunk == 0:
            writer.commit()
writer.commit()
writer.wait_merging_threads()
"""
# Peak RSS of the child (VmHWM: its own, whereas ru_maxrss starts from the bench process's size
# at fork), plus the largest of its own children (searcher's analysis workers): an upper bound
# on what it held at once.
PEAK = (
    "import atexit, re, resource, runpy, sys\n"
    "def _peak_kb():\n"
    "    own = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
    "    return int(own) + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "atexit.register(lambda: print('PEAK_KB', _peak_kb(), file=sys.stderr))\n"
)


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(ordered[len(ordered) // 2], 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
    }


def camel_chain(text: str) -> str:
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(text))))


def bench_normalise(docs: list[Document], repeats: int) -> dict:
    text = "\n".join(d.body for d in docs)
    megabytes = len(text.encode()) / 1e6
    ours = median_time(lambda: ArabicAnalyzer().normalise(text), repeats)
    camel = median_time(lambda: camel_chain(text), repeats)
    result = {
        "MB": round(megabytes, 2),
        "searcher_MB_s": round(megabytes / ours, 1),
        "camel_chain_MB_s": round(megabytes / camel, 1),
        "vs_camel": round(camel / ours, 2),
    }
    try:  # pyarabic is a bench-only extra (make bench adds it)
        from pyarabic import araby

        def pyarabic_chain(t: str) -> str:
            return araby.normalize_teh(
                araby.normalize_alef(araby.strip_tatweel(araby.strip_diacritics(t)))
            )

        theirs = median_time(lambda: pyarabic_chain(text), repeats)
        result |= {
            "pyarabic_MB_s": round(megabytes / theirs, 1),
            "vs_pyarabic": round(theirs / ours, 2),
        }
    except ImportError:
        result["pyarabic_MB_s"] = None
    return result


def _child(code_or_args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS MB) of a child Python process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", *code_or_args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise RuntimeError(done.stderr[-2000:])
    return seconds, int(done.stderr.split("PEAK_KB")[1].split()[0]) / 1024


def _dir_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def _searcher_index(dump: Path, data: Path, chunk: int, workers: int | None) -> tuple[float, float]:
    """`searcher index` in a child: (seconds, peak RSS MB)."""
    extra = [] if workers is None else ["--workers", str(workers)]
    code = PEAK + (
        "from searcher.cli import main\n"
        f"sys.argv = ['searcher', 'index', {str(dump)!r}, '--data-dir', {str(data)!r}, "
        f"'--index', 'bench', '--chunk-size', '{chunk}', *{extra!r}]\n"
        "main()\n"
    )
    return _child([code])


def _timed(search: Callable[[str], object]) -> dict[str, float]:
    """p50/p99 of `search` over the query mix, 20 rounds after one to warm up."""
    for query in QUERIES:
        search(query)  # warm the reader and the page cache
    samples = []
    for _ in range(20):
        for query in QUERIES:
            started = time.perf_counter()
            search(query)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def bench_embedded_size(size: int, chunk: int, tmp: Path, blocks: list[str]) -> dict:
    """searcher (as installed; and with a worker on every other core), raw tantivy and FTS5
    on one dump of `size`.  Each commits every `chunk` documents."""
    dump = write_jsonl(tmp / f"corpus-{size}.jsonl", size, blocks=blocks)
    every_core = max(1, available_cores() - 1)
    cores_s, _ = _searcher_index(dump, tmp / f"cores-{size}", chunk, workers=every_core)
    data = tmp / f"data-{size}"
    ours_s, ours_mb = _searcher_index(dump, data, chunk, workers=None)
    raw_dir = tmp / f"raw-{size}"
    raw_dir.mkdir()
    raw_code = (
        PEAK + f"sys.argv = ['raw', {str(dump)!r}, {str(raw_dir)!r}, '{chunk}']\n" + RAW_TANTIVY
    )
    raw_s, raw_mb = _child([raw_code])
    database = tmp / f"fts5-{size}.sqlite"
    fts_code = PEAK + (
        f"sys.argv = ['fts5', {str(dump)!r}, {str(database)!r}, '{chunk}']\n"
        f"runpy.run_path({str(HERE / 'fts5.py')!r}, run_name='__main__')\n"
    )
    fts_s, fts_mb = _child([fts_code])

    engine = open_engine(Settings(engine="embedded", data_dir=data))
    analyzer = ArabicAnalyzer()
    ours = _timed(lambda query: engine.search("bench", parse(query, analyzer)))
    engine.close()
    db = sqlite3.connect(database)
    theirs = _timed(lambda query: fts5.search(db, query))
    db.close()
    result = {
        "docs": size,
        "dump_MB": round(dump.stat().st_size / 1e6, 1),
        "commit_every": chunk,
        "searcher_docs_s": round(size / ours_s),
        "searcher_default_workers": default_workers(),
        "searcher_every_core_docs_s": round(size / cores_s),
        "searcher_every_core_workers": every_core,
        "raw_tantivy_docs_s": round(size / raw_s),
        "fts5_docs_s": round(size / fts_s),
        "overhead_x": round(ours_s / raw_s, 2),
        "indexing_vs_fts5": round(fts_s / ours_s, 2),
        "indexing_vs_raw_tantivy": round(raw_s / ours_s, 2),
        "every_core_vs_default": round(ours_s / cores_s, 2),
        "searcher_peak_RSS_MB": round(ours_mb),
        "raw_peak_RSS_MB": round(raw_mb),
        "fts5_peak_RSS_MB": round(fts_mb),
        "RSS_vs_raw_tantivy": round(ours_mb / raw_mb, 2),
        "searcher_index_MB": _dir_mb(data / "indices"),
        "raw_index_MB": _dir_mb(raw_dir),
        "fts5_index_MB": round(database.stat().st_size / 1e6, 1),
        "search": ours,
        "search_fts5": theirs,
        "search_p50_vs_fts5": round(theirs["p50_ms"] / ours["p50_ms"], 2),
        "search_p99_vs_fts5": round(theirs["p99_ms"] / ours["p99_ms"], 2),
    }
    dump.unlink()
    return result


def bench_engine(name: str, url: str, docs: list[Document], chunk: int, rounds: int = 3) -> dict:
    """Our pipeline vs `helpers.bulk` and `parallel_bulk`, alternating rounds, medians."""
    engine = open_engine(Settings(engine=name, url=url))
    helpers = __import__(
        "elasticsearch.helpers" if name == "elasticsearch" else "opensearchpy.helpers",
        fromlist=["bulk"],
    )

    def ours(index: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            index_records(
                engine,
                index,
                enumerate(docs, 1),
                RejectsFile(Path(tmp) / "r.jsonl"),
                chunk_size=chunk,
            )

    # The baselines send the same sources as searcher, dictionary values included; like the
    # engine, each keeps one DocumentWords (its cache of runs) across its rounds.
    words = {"bulk": DocumentWords(engine.analyzer), "parallel": DocumentWords(engine.analyzer)}

    def bulk(index: str) -> None:
        actions = wire.bulk_actions(index, docs, words["bulk"])
        helpers.bulk(engine.client, actions, chunk_size=chunk)
        engine.refresh(index)

    def parallel(index: str) -> None:
        actions = wire.bulk_actions(index, docs, words["parallel"])
        collections.deque(
            helpers.parallel_bulk(engine.client, actions, thread_count=2, chunk_size=chunk),
            maxlen=0,
        )
        engine.refresh(index)

    loaders = {"helpers_bulk": bulk, "parallel_bulk": parallel, "searcher": ours}
    seconds: dict[str, list[float]] = {label: [] for label in loaders}
    for round_no in range(rounds):
        for label, load in loaders.items():
            index = f"bench-{label.replace('_', '-')}-{name}-{round_no}"
            engine.delete_index(index)
            engine.create_index(index)  # the same template for all: only the pipeline differs
            started = time.perf_counter()
            load(index)
            seconds[label].append(time.perf_counter() - started)
            if round_no < rounds - 1:
                engine.delete_index(index)
    rate = {label: round(len(docs) / statistics.median(s)) for label, s in seconds.items()}
    searched = f"bench-searcher-{name}-{rounds - 1}"

    analyzer = ArabicAnalyzer()
    plans = [parse(q, analyzer) for q in QUERIES]
    for plan in plans:
        engine.search(searched, plan)
    ours_ms, raw_ms = [], []
    for _ in range(20):
        for plan in plans:
            started = time.perf_counter()
            engine.search(searched, plan)
            ours_ms.append((time.perf_counter() - started) * 1000)
            body = wire.search_body(plan, 1, 10, engine.highlight_max_offset_key)
            started = time.perf_counter()
            engine.client.search(index=searched, body=body)
            raw_ms.append((time.perf_counter() - started) * 1000)
    for index in engine.indices("bench-"):
        engine.delete_index(index)
    engine.close()
    ours_p, raw_p = percentiles(ours_ms), percentiles(raw_ms)
    return {
        "docs": len(docs),
        "docs_s": rate,
        "vs_helpers_bulk": round(rate["searcher"] / rate["helpers_bulk"], 2),
        "vs_parallel_bulk": round(rate["searcher"] / rate["parallel_bulk"], 2),
        "search_searcher": ours_p,
        "search_raw_client": raw_p,
        "search_p50_ratio": round(ours_p["p50_ms"] / raw_p["p50_ms"], 2),
    }


def write_report(results: dict) -> None:
    """bench/RESULTS.md (the tables) and bench/latency.png (p50/p99 against corpus size)."""
    lines = [
        f"# Benchmark results ({results['when']}, {results['machine']})",
        "",
        "Generated by `make bench`; medians, each next to a baseline from the same run.",
        "",
        speed_tables(results),
    ]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        _plot(results["embedded"], HERE / "latency.png")
    except ImportError:
        print("pillow not installed: no plot (make bench adds it)", file=sys.stderr)


# (label, colour, how to read its value off one corpus size's results) for each panel.
_PANELS = (
    (
        "indexing docs/s",
        (
            ("searcher", "#0b57d0", lambda e: e["searcher_docs_s"]),
            ("raw tantivy", "#7a7a7a", lambda e: e["raw_tantivy_docs_s"]),
            ("FTS5", "#b3261e", lambda e: e["fts5_docs_s"]),
        ),
    ),
    (
        "search p99 ms (snippets)",
        (
            ("searcher", "#0b57d0", lambda e: e["search"]["p99_ms"]),
            ("FTS5", "#b3261e", lambda e: e["search_fts5"]["p99_ms"]),
        ),
    ),
)


def _plot(points: list[dict], out: Path) -> None:
    """Two panels against corpus size: indexing docs/s, and search p99."""
    from PIL import Image, ImageDraw

    panel, height, pad = 440, 400, 60
    image = Image.new("RGB", (panel * len(_PANELS), height), "white")
    draw = ImageDraw.Draw(image)
    sizes = [p["docs"] for p in points]
    for number, (title, series) in enumerate(_PANELS):
        left = number * panel
        top = max(value(p) for _, _, value in series for p in points) * 1.2 or 1
        x_of = {
            s: left + pad + (panel - 2 * pad) * (i / max(1, len(sizes) - 1))
            for i, s in enumerate(sizes)
        }

        def y(v: float, top: float = top) -> float:
            return height - pad - (height - 2 * pad) * v / top

        right, bottom = left + panel - pad // 2, height - pad
        draw.line([(left + pad, pad), (left + pad, bottom), (right, bottom)], fill="black")
        for row, (label, colour, value) in enumerate(series):
            coords = [(x_of[p["docs"]], y(value(p))) for p in points]
            if len(coords) > 1:
                draw.line(coords, fill=colour, width=3)
            for cx, cy in coords:
                draw.ellipse([cx - 4, cy - 4, cx + 4, cy + 4], fill=colour)
            draw.text((right - 90, pad + 16 * row), label, fill=colour)
        for s in sizes:
            draw.text((x_of[s] - 20, bottom + 8), f"{s:,}", fill="black")
        for i in range(5):
            v = top * i / 4
            draw.text((left + 4, y(v) - 6), f"{v:,.1f}", fill="black")
        draw.text((left + pad, 20), f"{title} vs corpus size (docs)", fill="black")
    image.save(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="corpus sizes for the embedded engine (comma separated)",
    )
    parser.add_argument("--engine-docs", type=int, default=5000)
    parser.add_argument(
        "--chunk",
        type=int,
        help="documents per commit (embedded peers; default the embedded engine's) or per bulk "
        "request (clusters; default 500)",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engines", action="store_true", help="also bench the engine nodes")
    args = parser.parse_args()

    results: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    blocks = bench_blocks()
    results["corpus_blocks"] = len(blocks)
    sample = list(documents(2000, blocks=blocks))
    results["normalise"] = bench_normalise(sample, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        results["embedded"] = [
            bench_embedded_size(
                int(size), args.chunk or EmbeddedEngine.chunk_size, Path(tmp), blocks
            )
            for size in args.sizes.split(",")
        ]
    if args.engines:
        docs = list(documents(args.engine_docs, blocks=blocks))
        for name in ("opensearch", "elasticsearch"):
            url = os.environ.get(f"SEARCHER_TEST_{name.upper()}_URL")
            if url:
                results[name] = bench_engine(name, url, docs, args.chunk or 500)

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "speed.json"  # the latest run: the README's speed tables are rendered from it
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    write_report(results)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written to {out}, bench/RESULTS.md and bench/latency.png", file=sys.stderr)


if __name__ == "__main__":
    main()
