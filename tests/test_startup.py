"""What a CLI command imports: start-up time is most of a CLI search, so the heavy modules load
only in the commands that use them.  (The time itself is measured by bench/startup.py; a test
checks the imports, which do not depend on how busy the machine is.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "searcher" / "data" / "sample_corpus.jsonl"

# Each costs tens to hundreds of milliseconds to import; none is needed to print help.
HEAVY = [
    "elasticsearch",
    "opensearchpy",
    "fastapi",
    "uvicorn",
    "tqdm",
    "tantivy",
    "pydantic_settings",
    "searcher.arabic",
    "searcher.engines",
]
# Run the CLI in-process, then report which of HEAVY it loaded.
PROBE = f"""
import json, sys
from searcher.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)), file=sys.stderr)
"""


def imported(*args: str, data_dir: Path) -> list[str]:
    env = {**os.environ, "SEARCHER_DATA_DIR": str(data_dir), "SEARCHER_INDEX": "sample"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_help_imports_no_engine_analysis_or_server(tmp_path: Path) -> None:
    assert imported("--help", data_dir=tmp_path) == []
    assert imported("search", "--help", data_dir=tmp_path) == []


def test_an_embedded_search_loads_only_what_it_uses(tmp_path: Path) -> None:
    index = [sys.executable, "-m", "searcher.cli", "index", str(SAMPLE)]
    env = {**os.environ, "SEARCHER_DATA_DIR": str(tmp_path), "SEARCHER_INDEX": "sample"}
    subprocess.run(index, env=env, capture_output=True, check=True)
    loaded = imported("search", "الرئيس الروسي", data_dir=tmp_path)
    # The embedded engine, the analysis and the settings: yes.  Clients, servers, tqdm: no.
    assert loaded == ["pydantic_settings", "searcher.arabic", "searcher.engines", "tantivy"]
