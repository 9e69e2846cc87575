"""Soak: concurrent indexing and searching against a real node, bounded, on loopback only.

    uv run python bench/soak.py --minutes 3          # SEARCHER_TEST_OPENSEARCH_URL must be set

Writers index disjoint slices of a generated corpus (in chunks, through the same pipeline as
`searcher index`) while readers search the same index without pause.  At the end every id must
be present exactly once, and no request may have failed.  Opt-in: not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import documents
from searcher.arabic import ArabicAnalyzer
from searcher.engines import open_engine
from searcher.indexer import RejectsFile, index_records
from searcher.query import parse
from searcher.settings import Settings

QUERIES = ["الكتاب", "بوتين", "الرئيس الروسي", "ٱلرَّحۡمَٰنِ", '"خطة السلام"', "الأرض -السماء"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--docs-per-round", type=int, default=2000)
    args = parser.parse_args()

    settings = Settings(engine="opensearch", url=os.environ["SEARCHER_TEST_OPENSEARCH_URL"])
    admin = open_engine(settings)
    index = f"soak-{int(time.time())}"
    admin.create_index(index)
    deadline = time.monotonic() + args.minutes * 60
    stats = {"indexed": 0, "rejected": 0, "searches": 0, "errors": []}
    lock = threading.Lock()
    expected: set[str] = set()
    analyzer = ArabicAnalyzer()

    def writer(n: int) -> None:
        engine = open_engine(settings)
        round_no = 0
        with tempfile.TemporaryDirectory() as tmp:
            while time.monotonic() < deadline:
                seed = n * 1000 + round_no
                docs = [
                    doc.model_copy(update={"id": f"w{n}-r{round_no}-{doc.id}"})
                    for doc in documents(args.docs_per_round, seed=seed)
                ]
                try:
                    report = index_records(
                        engine,
                        index,
                        enumerate(docs, 1),
                        RejectsFile(Path(tmp) / f"r{seed}.jsonl"),
                        chunk_size=200,
                    )
                except Exception as error:
                    with lock:
                        stats["errors"].append(f"writer: {error}")
                    return
                with lock:
                    stats["indexed"] += report.indexed
                    stats["rejected"] += report.rejected
                    expected.update(d.id for d in docs)
                round_no += 1

    def reader(n: int) -> None:
        engine = open_engine(settings)
        i = n
        while time.monotonic() < deadline:
            try:
                engine.search(index, parse(QUERIES[i % len(QUERIES)], analyzer), size=10)
            except Exception as error:
                with lock:
                    stats["errors"].append(f"reader: {error}")
            else:
                with lock:
                    stats["searches"] += 1
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
    threads += [threading.Thread(target=reader, args=(n,)) for n in range(args.readers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    admin.refresh(index)
    count = admin.count(index)
    report = {
        "minutes": round(elapsed / 60, 2),
        "writers": args.writers,
        "readers": args.readers,
        "indexed": stats["indexed"],
        "docs_per_s": round(stats["indexed"] / elapsed, 1),
        "searches": stats["searches"],
        "searches_per_s": round(stats["searches"] / elapsed, 1),
        "rejected": stats["rejected"],
        "errors": len(stats["errors"]),
        "first_errors": stats["errors"][:5],
        "expected_documents": len(expected),
        "final_count": count,
        "count_matches": count == len(expected),
    }
    admin.delete_index(index)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    sys.exit(0 if report["count_matches"] and not stats["errors"] else 1)


if __name__ == "__main__":
    main()
