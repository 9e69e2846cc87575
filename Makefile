# Two commands on a fresh machine: `make demo` (the main job) and `make test` (every test).
# Everything else installs itself: uv from PyPI, the locked environment, the engine nodes.

PYTHON ?= python3
UV := $(PYTHON) -m uv
QUERY ?= الرحمن

.PHONY: demo test engines engines-stop bootstrap lint template bench

bootstrap:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv>=0.5"
	@$(UV) sync --locked --quiet

## Index the bundled Arabic sample corpus into the embedded engine and search it.
demo: bootstrap
	$(UV) run searcher index --index sample searcher/data/sample_corpus.jsonl
	$(UV) run searcher search --index sample --size 5 "$(QUERY)"
	$(UV) run searcher search --index sample --size 3 "مسئول"

## The whole test suite, with real Elasticsearch and OpenSearch nodes started (and stopped).
test: bootstrap
	bash scripts/test.sh

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

## Benchmarks side by side with baselines (add BENCH_ARGS="--engines" with nodes running).
BENCH_ARGS ?= --docs 5000
bench: bootstrap
	$(UV) run python bench/run.py $(BENCH_ARGS)
