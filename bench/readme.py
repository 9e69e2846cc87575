"""The README's result tables, generated from the committed results in bench/results/.

    python bench/readme.py        # rewrites the README between each pair of markers below

The benches write their JSON (`make bench` → speed.json, `make relevance` → relevance.json,
`make bench-startup` → startup.json, `bench/load.py` → load-embedded.json); this renders the
tables the README quotes, so no figure there is typed by hand.  tests/test_docs.py fails when
they disagree.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from searcher.readme import rewrite, with_section

RESULTS = Path(__file__).resolve().parent / "results"

# System key in relevance.json → how the README names it, in the README's order.
SYSTEMS = {
    "searcher-embedded+plurals": "searcher + broken-plural table (embedded)",
    "searcher-embedded": "searcher as installed (embedded)",
    "searcher-elasticsearch": "searcher as installed, on Elasticsearch",
    "searcher-opensearch": "searcher as installed, on OpenSearch",
    "alfanous": "Alfanous (`alfanous3`, the Quran search engine, Quran only)",
    "sqlite-fts5-careful": "SQLite FTS5 + careful hand-written normaliser",
    "opensearch-arabic": "OpenSearch `arabic` analyzer",
    "opensearch-standard": "OpenSearch `standard` analyzer",
}
# Kind → what the reader did, in the order bench/relevance.py draws them.
KINDS = {
    "as_seen": "as seen: Uthmani words copied without marks",
    "modern": "modern: Uthmani words, dagger alef written",
    "no_hamza": "no hamza",
    "ta_marbuta": "ta marbuta typed ه",
    "alef_maksura": "alef maksura / ya swapped",
    "clitic": "article or و added/dropped (nouns)",
    "number": "sound plural / singular",
    "vocalised": "vocalised, as written",
    "proclitic": "proclitic ب ل ك left off",
    "broken_plural": "broken plural ↔ singular",
    "standard": "standard: as Tanzil's standard edition writes them",
    "typo": "typo in the rarest word (a letter said alike, a hamza seat, a neighbouring key, …)",
}
PER_KIND_COLUMNS = {
    "searcher-embedded+plurals": "searcher + table",
    "searcher-embedded": "searcher",
    "sqlite-fts5-careful": "FTS5 careful",
    "opensearch-arabic": "`arabic`",
}
MRR, RECALL = "RR@10", "R@10"


def _weakest(scores: dict) -> str:
    kinds = {kind: v[MRR] for kind, v in scores.items() if kind in KINDS}
    kind = min(kinds, key=lambda k: kinds[k])
    return f"{kind.replace('_', ' ')} {kinds[kind]:.2f}"


def relevance_tables(report: dict) -> str:
    results = report["results"]
    rows = [
        "| system | MRR@10 | Recall@10 | on the Quran queries | weakest kind |",
        "|---|---|---|---|---|",
    ]
    for key, label in SYSTEMS.items():
        if key not in results:
            continue
        scores = results[key]
        quran = scores["quran_only"]
        if "all" in scores:
            mrr, recall = f"{scores['all'][MRR]:.3f}", f"{scores['all'][RECALL]:.3f}"
            weakest = _weakest(scores)
        else:  # Alfanous answers the Quran queries only
            mrr, recall, weakest = "–", "–", _weakest(quran)
        rows.append(f"| {label} | {mrr} | {recall} | {quran['all'][MRR]:.3f} | {weakest} |")
    columns = [key for key in PER_KIND_COLUMNS if key in results]
    rows += [
        "",
        "Per kind (MRR@10, 100 queries each):",
        "",
        "| kind | example | " + " | ".join(PER_KIND_COLUMNS[c] for c in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for kind, label in KINDS.items():
        if kind not in results["searcher-embedded"]:
            continue
        scores = " | ".join(f"{results[c][kind][MRR]:.2f}" for c in columns)
        rows.append(f"| {label} | {report['examples'][kind]} | {scores} |")
    head = f"{report['documents']:,} documents, {report['queries']:,} queries."
    return head + "\n\n" + "\n".join(rows)


def startup_table(report: dict) -> str:
    rows = [
        "| command | median | p90 | × `python -c pass` |",
        "|---|---|---|---|",
    ]
    baseline = report["rows"][0]["median_s"]
    for row in report["rows"]:
        rows.append(
            f"| {row['command']} | {row['median_s']:.3f} s | {row['p90_s']:.3f} s "
            f"| {row['median_s'] / baseline:.1f}× |"
        )
    return (
        f"{report['machine']}, load average {report['load_average']:.1f}, Python "
        f"{report['python']}; medians of {report['rows'][0]['runs']} runs.\n\n" + "\n".join(rows)
    )


def load_table(report: dict) -> str:
    rows = [
        "| endpoint | server CPU per request | one client, p50 / p99 "
        f"| {report['concurrency']} connections: req/s, p50 / p99 |",
        "|---|---|---|---|",
    ]
    for name in ("health", "search", "suggest"):
        many, one = report[name], report["single_client"][name]
        rows.append(
            f"| `/{name}` | {many['cpu_ms_per_req']:.2f} ms | {one['p50_ms']} / {one['p99_ms']} ms "
            f"| {many['req_s']:,.0f}, {many['p50_ms']} / {many['p99_ms']} ms |"
        )
    return (
        f"{report['docs']:,} documents ({report['corpus']} corpus), {report['engine']} engine, one "
        f"server process, {report['seconds_per_endpoint']:.0f} s per endpoint, load from "
        f"{report['load_generator']} on the same machine.\n\n" + "\n".join(rows)
    )


def speed_tables(report: dict) -> str:
    """`make bench`'s tables: bench/RESULTS.md and the README show the same."""
    n = report["normalise"]
    lines = [
        "#### Normalisation (MB/s, same text)",
        "",
        "| searcher | camel-tools chain | pyarabic | vs camel | vs pyarabic |",
        "|---|---|---|---|---|",
        f"| {n['searcher_MB_s']} | {n['camel_chain_MB_s']} | {n.get('pyarabic_MB_s')} | "
        f"{n['vs_camel']}× | {n.get('vs_pyarabic', '–')}× |",
        "",
        "#### Embedded engine by corpus size",
        "",
        "Indexing docs/s: searcher as installed (and with a worker process on every other "
        "core), raw tantivy, SQLite FTS5 with the careful normaliser; the ratios are "
        "searcher's docs/s over the peer's.",
        "",
        "| docs | searcher (every core) | raw tantivy | FTS5 | vs FTS5 | vs raw | "
        "peak RSS MB (ours / raw / FTS5) | index MB (ours / raw / FTS5) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for e in report["embedded"]:
        lines.append(
            f"| {e['docs']:,} | {e['searcher_docs_s']:,} ({e['searcher_every_core_docs_s']:,}) "
            f"| {e['raw_tantivy_docs_s']:,} | {e['fts5_docs_s']:,} | {e['indexing_vs_fts5']}× | "
            f"{e['indexing_vs_raw_tantivy']}× | {e['searcher_peak_RSS_MB']} / "
            f"{e['raw_peak_RSS_MB']} / {e['fts5_peak_RSS_MB']} | {e['searcher_index_MB']} / "
            f"{e['raw_index_MB']} / {e['fts5_index_MB']} |"
        )
    lines += [
        "",
        "Search with snippets, p50 / p99 ms (the ratios: FTS5's time over searcher's).",
        "",
        "| docs | searcher | FTS5 + `snippet()` | p50 vs FTS5 | p99 vs FTS5 |",
        "|---|---|---|---|---|",
    ]
    for e in report["embedded"]:
        ours, theirs = e["search"], e["search_fts5"]
        lines.append(
            f"| {e['docs']:,} | {ours['p50_ms']} / {ours['p99_ms']} | "
            f"{theirs['p50_ms']} / {theirs['p99_ms']} | {e['search_p50_vs_fts5']}× | "
            f"{e['search_p99_vs_fts5']}× |"
        )
    for name in ("opensearch", "elasticsearch"):
        if name in report:
            r = report[name]
            lines += [
                "",
                f"#### {name} ({r['docs']:,} docs)",
                "",
                "| searcher docs/s | helpers.bulk | parallel_bulk | vs bulk | vs parallel | "
                "search p50/p99 searcher | raw client |",
                "|---|---|---|---|---|---|---|",
                f"| {r['docs_s']['searcher']:,} | {r['docs_s']['helpers_bulk']:,} | "
                f"{r['docs_s']['parallel_bulk']:,} | {r['vs_helpers_bulk']}× | "
                f"{r['vs_parallel_bulk']}× | {r['search_searcher']['p50_ms']} / "
                f"{r['search_searcher']['p99_ms']} ms | {r['search_raw_client']['p50_ms']} / "
                f"{r['search_raw_client']['p99_ms']} ms |",
            ]
    return "\n".join(lines)


TABLES: dict[str, tuple[str, Callable[[dict], str]]] = {
    "relevance": ("relevance.json", relevance_tables),
    "startup": ("startup.json", startup_table),
    "load": ("load-embedded.json", load_table),
    "speed": ("speed.json", speed_tables),
}


def markers(name: str) -> tuple[str, str]:
    return (
        f"<!-- {name}:begin (generated by `python bench/readme.py` from bench/results) -->",
        f"<!-- {name}:end -->",
    )


def with_tables(readme: str) -> str:
    """The README with every generated table re-rendered from its JSON."""
    for name, (file, render) in TABLES.items():
        report = json.loads((RESULTS / file).read_text(encoding="utf-8"))
        readme = with_section(readme, *markers(name), render(report))
    return readme


if __name__ == "__main__":
    rewrite(with_tables)
