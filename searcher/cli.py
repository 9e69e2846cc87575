"""The `searcher` command line: thin shells over library calls (dump, indexer, engines, query)."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson
from pydantic import ValidationError

from searcher import dump, facets, filters
from searcher.errors import InvalidName, SearcherError
from searcher.limits import (
    CLI_MAX_PAGE,
    CLI_MAX_PAGE_SIZE,
    MAX_INDEX_WORKERS,
    MAX_REPLICAS,
    MAX_SHARDS,
)
from searcher.sorting import SORT_ORDERS, SortOrder

# Start-up time is most of a CLI search (the search itself takes a few ms): the analysis, the
# engines, the settings and tqdm are imported inside the commands that use them, so that
# `searcher --help` loads none of them and `searcher search` only what a search needs.
if TYPE_CHECKING:
    from searcher.indexer import IndexReport
    from searcher.models import Hit, SearchResponse, Snippet
    from searcher.settings import Settings

EXIT_REJECTS = 3  # `searcher index` finished, but some records went to the rejects file


def _echo_json(data: Any) -> None:
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


class Utf8Text(click.ParamType):
    """Text that must be valid UTF-8.  Undecodable bytes in argv reach Python as lone
    surrogates, which no JSON encoder, engine or terminal accepts: refuse them up front."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            str(value).encode("utf-8")
        except UnicodeEncodeError as error:
            self.fail(
                f"not valid UTF-8 (an undecodable byte at position {error.start})", param, ctx
            )
        return str(value)


class BadInput(click.ClickException):
    """Input no engine could take (a name, a URL): one line, exit 2 like click's usage errors."""

    exit_code = 2


def _first_problem(error: ValidationError) -> str:
    """The first setting that failed validation, as `--option/SEARCHER_OPTION: reason`."""
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "settings"
    reason = first.get("ctx", {}).get("error") or first["msg"]
    return f"--{field.replace('_', '-')}/SEARCHER_{field.upper()}: {reason}"


def engine_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--engine/--index/--data-dir/--url on every command; they override SEARCHER_* settings."""

    @click.option(
        "--engine",
        type=click.Choice(["embedded", "elasticsearch", "opensearch"]),
        help="Engine to use [env SEARCHER_ENGINE; default embedded].",
    )
    @click.option("--index", "index_name", help="Index or alias name [env SEARCHER_INDEX].")
    @click.option(
        "--data-dir",
        type=click.Path(path_type=Path),
        help="Embedded engine's directory [env SEARCHER_DATA_DIR].",
    )
    @click.option(
        "--url",
        help="Elasticsearch/OpenSearch URL, or several nodes' URLs comma separated "
        "[env SEARCHER_URL].",
    )
    @functools.wraps(command)
    def wrapper(
        engine: str | None,
        index_name: str | None,
        data_dir: Path | None,
        url: str | None,
        **kwargs: Any,
    ) -> Any:
        from searcher.settings import Settings

        overrides = {"engine": engine, "index": index_name, "data_dir": data_dir, "url": url}
        try:
            settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
        except ValidationError as error:
            raise BadInput(_first_problem(error)) from None
        try:
            return command(settings=settings, **kwargs)
        except InvalidName as error:
            raise BadInput(str(error)) from error
        except SearcherError as error:
            raise click.ClickException(str(error)) from error

    return wrapper


def _refresh_interval(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    from searcher.settings import REFRESH_INTERVAL

    if value is not None and not re.fullmatch(REFRESH_INTERVAL, value):
        raise click.BadParameter(f"{value!r} is not a time like 1s, 30s, 500ms or -1")
    return value


def _filterable(_: click.Context, __: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    try:
        return filters.check_declarable(n.strip() for n in value.split(",") if n.strip())
    except filters.FilterError as error:
        raise click.BadParameter(str(error)) from None


def layout_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--shards/--replicas/--refresh-interval/--filterable: how an index this command creates is
    laid out.  Goes below `engine_options`, which hands it the settings these flags override."""

    @click.option(
        "--shards",
        type=click.IntRange(1, MAX_SHARDS),
        help="Primary shards [env SEARCHER_SHARDS; 1].",
    )
    @click.option(
        "--replicas",
        type=click.IntRange(0, MAX_REPLICAS),
        help="Copies of each shard on other nodes [env SEARCHER_REPLICAS; 0].",
    )
    @click.option(
        "--refresh-interval",
        callback=_refresh_interval,
        help="How soon new documents are searchable: 1s, 30s, -1 "
        "[env SEARCHER_REFRESH_INTERVAL; engine default].",
    )
    @click.option(
        "--filterable",
        callback=_filterable,
        help="Keyword fields searches may filter and count by, beside tags and published_at: "
        "category,author [env SEARCHER_FILTERABLE].",
    )
    @functools.wraps(command)
    def wrapper(
        settings: Settings,
        shards: int | None,
        replicas: int | None,
        refresh_interval: str | None,
        filterable: tuple[str, ...] | None,
        **kwargs: Any,
    ) -> Any:
        given = {
            "shards": shards,
            "replicas": replicas,
            "refresh_interval": refresh_interval,
            "filterable": filterable,
        }
        overrides = {key: value for key, value in given.items() if value is not None}
        return command(settings=settings.model_copy(update=overrides), **kwargs)

    return wrapper


@click.group()
@click.version_option(package_name="searcher")
def main() -> None:
    """Arabic full-text search: index documents, search them, see how Arabic is analysed."""


def dump_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """How to read a dump: shared by `index` and `reindex`."""
    options = [
        click.argument(
            "source",
            type=click.Path(exists=True, allow_dash=True, dir_okay=False, path_type=str),
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(dump.FORMATS),
            help="Dump format; by default guessed from the extension and first bytes.",
        ),
        click.option("--id-field", default="id", show_default=True, help="Field holding the id."),
        click.option(
            "--title-field", default="title", show_default=True, help="Field holding the title."
        ),
        click.option(
            "--text-field", default="body", show_default=True, help="Field holding the text."
        ),
        click.option(
            "--rejects",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Where rejected records go [default: DATA_DIR/rejects/INDEX-TIME.jsonl].",
        ),
        click.option(
            "--chunk-size",
            type=click.IntRange(1),
            help="Documents per bulk request (a cluster; 500) or per commit (embedded; 5,000).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(0, MAX_INDEX_WORKERS),
            help="Embedded: processes that analyse documents while this one writes "
            "[env SEARCHER_WORKERS; default: one per core but two].",
        ),
        click.option(
            "--max-bytes",
            default=dump.DEFAULT_MAX_BYTES,
            show_default=True,
            help="Largest record accepted; bigger ones are rejected unread.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
    ]

    @functools.wraps(command)
    def wrapper(
        source: str,
        fmt: str | None,
        id_field: str,
        title_field: str,
        text_field: str,
        rejects: Path | None,
        max_bytes: int,
        **kwargs: Any,
    ) -> Any:
        fields = dump.FieldMap(id=id_field, title=title_field, text=text_field)
        spec = DumpSpec(source, fmt, fields, rejects, max_bytes)
        return command(spec=spec, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _with_workers(settings: Settings, workers: int | None) -> Settings:
    """--workers, when given, over SEARCHER_WORKERS."""
    return settings if workers is None else settings.model_copy(update={"workers": workers})


@dataclass(frozen=True)
class DumpSpec:
    """What the dump options asked for: where to read, how, and where rejects go."""

    source: str
    fmt: str | None
    fields: dump.FieldMap
    rejects: Path | None
    max_bytes: int


class DumpRun:
    """An opened dump with its progress bar (bytes read, docs/s) and rejects file."""

    def __init__(self, settings: Settings, spec: DumpSpec) -> None:
        from tqdm import tqdm

        from searcher.indexer import RejectsFile

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.source = dump.Source(spec.source)
        self.rejects = RejectsFile(
            spec.rejects or settings.data_dir / "rejects" / f"{settings.index}-{stamp}.jsonl"
        )
        self.records = dump.read_source(self.source, spec.fmt, spec.fields, spec.max_bytes)  # type: ignore[arg-type]
        self.bar = tqdm(
            total=self.source.size,
            unit="B",
            unit_scale=True,
            desc=f"indexing {self.source.name}",
            disable=None,
            file=sys.stderr,
        )

    def progress(self, so_far: IndexReport, _last_line: int) -> None:
        self.bar.update(self.source.bytes_read - self.bar.n)
        elapsed = self.bar.format_dict["elapsed"] or 1e-9
        docs = so_far.indexed + so_far.rejected
        self.bar.set_postfix(docs=docs, docs_per_s=f"{docs / elapsed:.0f}")

    def close(self) -> None:
        self.bar.close()
        self.source.close()
        self.rejects.close()


def _finish(summary: dict[str, Any], line: str, as_json: bool, run: DumpRun) -> None:
    """Print the summary (and the first rejects, as FILE:LINE: reason); exit 3 if any."""
    if as_json:
        _echo_json(summary)
    else:
        click.echo(line)
    if summary["rejected"]:
        for line_no, reason in run.rejects.first:
            click.echo(f"{run.source.name}:{line_no}: {reason}", err=True)
        more = summary["rejected"] - len(run.rejects.first)
        if more > 0:
            click.echo(f"… and {more} more", err=True)
        click.echo(f"every rejected record is in {summary['rejects_file']}", err=True)
        sys.exit(EXIT_REJECTS)


def _summary_line(report: IndexReport, target: str) -> str:
    return (
        f"indexed {report.indexed}, replaced {report.replaced}, rejected {report.rejected} "
        f"in {report.seconds:.2f} s ({report.docs_per_second:.0f} docs/s) → {target}"
    )


@main.command("index")
@dump_options
@engine_options
@layout_options
def index_command(
    settings: Settings, spec: DumpSpec, chunk_size: int | None, workers: int | None, as_json: bool
) -> None:
    """Index documents from SOURCE (a file, or - for stdin) into --index.

    Reads JSON lines (.jsonl, optionally .gz), a JSON array, CSV, or Elasticsearch bulk/export
    lines.  Bad records are reported with their line number and kept in the rejects file; the
    exit status is 3 when there were any.  --shards/--replicas/--refresh-interval apply when
    the index is created here (change an existing index's layout with reindex).
    """
    from searcher.engines import open_engine
    from searcher.indexer import index_records

    engine = open_engine(_with_workers(settings, workers))
    run = DumpRun(settings, spec)
    try:
        report = index_records(
            engine,
            settings.index,
            run.records,
            run.rejects,
            chunk_size=chunk_size,
            on_chunk=run.progress,
        )
    finally:
        run.close()
        engine.close()
    _finish(
        report.as_dict(), _summary_line(report, f"{settings.engine}:{report.index}"), as_json, run
    )


@main.command("reindex")
@dump_options
@click.option(
    "--keep",
    default=0,
    show_default=True,
    help="How many previous generations of the index to keep after the swap.",
)
@click.option(
    "--take-over",
    is_flag=True,
    help="Take the alias's reindex lease from a run that died (on another machine, or before "
    "its lease expired).",
)
@engine_options
@layout_options
def reindex_command(
    settings: Settings,
    spec: DumpSpec,
    chunk_size: int | None,
    workers: int | None,
    as_json: bool,
    keep: int,
    take_over: bool,
) -> None:
    """Rebuild --index from SOURCE with no downtime.

    Builds INDEX-<timestamp> (refresh off and no replicas while it loads; then --replicas and
    --refresh-interval, with every replica allocated), checks its count and its Arabic
    analysis, then points the alias INDEX at it in one atomic step and prunes older
    generations.  Searches keep working throughout.  One reindex per alias at a time: a second
    one is refused while the first runs.  If interrupted, run the same command again: it
    resumes from its checkpoint.
    """
    from searcher.engines import open_engine
    from searcher.reindex import Checkpoint, checkpoint_path, reindex

    engine = open_engine(_with_workers(settings, workers))
    checkpoint = Checkpoint.load(
        checkpoint_path(settings.data_dir, settings.engine, settings.index),
        source=str(Path(spec.source).resolve()) if spec.source != "-" else "-",
    )
    run = DumpRun(settings, spec)
    try:
        report = reindex(
            engine,
            settings.index,
            run.records,
            run.rejects,
            checkpoint,
            chunk_size=chunk_size,
            keep=keep,
            on_chunk=run.progress,
            lease_seconds=settings.reindex_lease_seconds,
            take_over=take_over,
        )
    finally:
        run.close()
        engine.close()
    line = _summary_line(report.run, f"{settings.engine}:{report.index}")
    line += f"; alias {report.alias!r} → {report.index} ({report.count} documents)"
    if report.resumed_from_line:
        line += f", resumed after line {report.resumed_from_line}"
    if report.pruned:
        line += f", pruned {', '.join(report.pruned)}"
    _finish(report.as_dict(), line, as_json, run)


def partial_warning(response: SearchResponse) -> str:
    """One line saying the results are incomplete, and how incomplete."""
    shards = response.shards
    missing = f"{shards.failed} of {shards.total} shards did not answer" if shards else "timed out"
    return f"warning: PARTIAL results: {missing}; hits may be missing"


def _terminal_snippet(snippet: Snippet, color: bool) -> str:
    """The snippet on one line, its marks in reverse video (`color`) or in «brackets»."""
    text = snippet.text.replace("\n", " ")  # same length, so the marks stay valid
    parts, cursor = [], 0
    for start, end in snippet.marks:
        if start < cursor:
            continue
        word = text[start:end]
        parts += [
            text[cursor:start],
            click.style(word, reverse=True, bold=True) if color else f"«{word}»",
        ]
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def _visual(line: str, base: str) -> str:
    """Arabic joined and reordered for terminals without a bidi algorithm of their own."""
    try:
        import arabic_reshaper
        from bidi import get_display
    except ImportError as error:
        raise click.ClickException(
            "--display visual needs the terminal extra: pip install 'searcher[terminal]'"
        ) from error
    return get_display(arabic_reshaper.reshape(line), base_dir=base)


def _print_hit(rank: int, hit: Hit, display: str) -> None:
    # "logical" prints each hit as its own line in reading order and leaves right-to-left
    # display to the terminal (VTE, Konsole, mlterm, iTerm2 implement bidi). "visual" does the
    # reordering and letter joining here, for terminals that do neither.
    visual = display == "visual"
    header = f"{rank:>3}. {hit.title}  [{hit.id}, score {hit.score:.2f}]"
    snippet = _terminal_snippet(hit.snippet, color=sys.stdout.isatty() and not visual)
    if visual:
        # The header stays a left-to-right line (rank, id); the snippet is an Arabic paragraph.
        header, snippet = _visual(header, "L"), _visual(snippet, "R")
    click.echo(header)
    click.echo(f"     {snippet}")


# A query may start with an exclusion ('-رياضة أحمد'): click would read it as an unknown option.
# Unknown options pass through as the query instead; real options still work before or after it.
@main.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("query", type=Utf8Text())
@click.option(
    "--page",
    default=1,
    show_default=True,
    type=click.IntRange(1, CLI_MAX_PAGE),
    help="Which page of hits.",
)
@click.option(
    "--size",
    default=10,
    show_default=True,
    type=click.IntRange(1, CLI_MAX_PAGE_SIZE),
    help="Hits per page.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print {total, took_ms, partial, shards, hits: [{id, score, title, snippet_html, "
    "snippet}]}.",
)
@click.option(
    "--display",
    type=click.Choice(["logical", "visual"]),
    default="logical",
    show_default=True,
    help="visual: reorder and join Arabic for terminals without bidi support (xterm, tmux).",
)
@click.option("--tag", "tags", multiple=True, type=Utf8Text(), help="Only documents with this tag.")
@click.option(
    "--tags-match",
    type=click.Choice(["any", "all"]),
    default="any",
    show_default=True,
    help="With several --tag: documents with any of them, or with all.",
)
@click.option("--since", type=Utf8Text(), help="Published on or after: 2025-12-01 (or a time).")
@click.option("--until", type=Utf8Text(), help="Published on or before: 2025-12-31 (or a time).")
@click.option(
    "--filter",
    "field_filters",
    multiple=True,
    type=Utf8Text(),
    help="FIELD=VALUE on a field the index declares filterable (repeat: any of the values).",
)
@click.option(
    "--sort",
    type=click.Choice(SORT_ORDERS),
    default="relevance",
    show_default=True,
    help="date: newest first (undated last), ties by relevance.",
)
@click.option(
    "--facet",
    "facet_names",
    multiple=True,
    type=Utf8Text(),
    help="Count the matches per value of tags (or a declared field); repeatable.",
)
@engine_options
def search_command(
    settings: Settings,
    query: str,
    page: int,
    size: int,
    as_json: bool,
    display: str,
    tags: tuple[str, ...],
    tags_match: filters.TagsMatch,
    since: str | None,
    until: str | None,
    field_filters: tuple[str, ...],
    sort: SortOrder,
    facet_names: tuple[str, ...],
) -> None:
    """Search for QUERY: words, "quoted phrases", -excluded, a OR b.  With filters, QUERY may be
    empty ("") to list every document they let through."""
    from searcher import vocalised
    from searcher.engines import open_engine
    from searcher.query import parse

    try:
        wanted = filters.build(
            tags=tags, tags_match=tags_match, since=since, until=until, filters=field_filters
        )
    except filters.FilterError as error:
        raise click.UsageError(str(error)) from None
    engine = open_engine(settings)
    try:
        try:
            counted = facets.check_search(
                wanted, facet_names, lambda: engine.declared_fields(settings.index)
            )
        except filters.FilterError as error:
            raise click.UsageError(str(error)) from None
        analyzer = settings.analyzer()
        plan = parse(query, analyzer, wanted)
        response = vocalised.search(
            engine, settings.index, plan, analyzer, page=page, size=size, sort=sort, facets=counted
        )
    finally:
        engine.close()
    if as_json:
        _echo_json(response.model_dump(mode="json"))
        return
    _print_response(query, response, (page - 1) * size + 1, display)


def _print_response(query: str, response: SearchResponse, first: int, display: str) -> None:
    hits = "hit" if response.total == 1 else "hits"
    took = f"({response.took_ms:.1f} ms)"
    if response.corrected and response.did_you_mean:  # nothing as typed: close spellings
        meant = response.did_you_mean
        click.echo(f"no hits for {query!r}; {response.total} {hits} for {meant!r} {took}")
    elif response.relaxed:  # the query as typed found nothing: say so before the near results
        without = f" without {' '.join(response.dropped)!r}" if response.dropped else ""
        click.echo(f"no hits for {query!r}; {response.total} close {hits}{without} {took}")
    else:
        click.echo(f"{response.total} {hits} for {query!r} {took}")
        if response.did_you_mean:
            click.echo(f"did you mean {response.did_you_mean!r}?")
    if response.partial:
        click.echo(partial_warning(response), err=True)
    for rank, hit in enumerate(response.hits, start=first):
        _print_hit(rank, hit, display)
    for name, counts in response.facets.items():
        listed = ", ".join(f"{value} ({count})" for value, count in counts.items())
        click.echo(f"{name}: {listed or '-'}")


@main.command("analyze")
@click.argument("text", type=Utf8Text())
@click.option("--exact", is_flag=True, help="The unstemmed analysis (no stop words, no stemming).")
@click.option("--json", "as_json", is_flag=True, help="Print {normalised, tokens: [...]} as JSON.")
@engine_options
def analyze_command(settings: Settings, text: str, exact: bool, as_json: bool) -> None:
    """Show how TEXT is normalised and split into tokens (like an engine's _analyze)."""
    from searcher.engines import open_engine

    engine = open_engine(settings)
    analyzer = settings.analyzer()
    try:
        tokens = engine.analyze(text, stemmed=not exact)
    finally:
        engine.close()
    normalised = analyzer.normalise(text)
    rows = [
        {
            "token": t.term,
            "start": t.start,
            "end": t.end,
            "position": t.position,
            "original": text[t.start : t.end],
        }
        for t in tokens
    ]
    if as_json:
        _echo_json({"text": text, "normalised": normalised, "tokens": rows})
        return
    click.echo(f"normalised: {normalised}")
    for row in rows:
        click.echo(
            f"  {row['position']:>3}  {row['start']:>4}-{row['end']:<4} "
            f"{row['token']}  ← {row['original']}"
        )


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Processes."
)
@engine_options
def serve_command(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve the HTTP search API and the demo page with the search widget.

    GET /search, /suggest, /health; POST/DELETE /documents when SEARCHER_WRITE_KEY is set
    (16 characters or more).  Allowed browser origins: SEARCHER_CORS_ORIGINS (comma separated).
    Body limit: SEARCHER_MAX_BODY_BYTES.  OpenAPI at /docs.
    """
    from searcher.api.server import serve
    from searcher.api.writekey import write_key

    write_key(settings)  # a weak key stops here, with one line, before anything is announced
    where = f"{settings.engine}:{settings.index} on http://{host}:{port}/"
    click.echo(f"serving {where} ({workers} worker{'s' if workers > 1 else ''})", err=True)
    serve(settings, host, port, workers)


if __name__ == "__main__":
    main()
