"""`searcher search` with the search box's options: --tag, --since, --until, --filter, --sort,
--facet, and what it prints for a corrected query or a did-you-mean; `index --filterable`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from tests.site_corpus import DESK, POLITICS, RUSSIA, UKRAINE, site_documents


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> str:
    where = tmp_path_factory.mktemp("cli")
    dump = where / "site.jsonl"
    dump.write_text("".join(d.model_dump_json() + "\n" for d in site_documents()), "utf-8")
    result = CliRunner().invoke(
        main, ["index", str(dump), "--data-dir", str(where), "--filterable", "category,author"]
    )
    assert result.exit_code == 0, result.output
    return str(where)


def search(data: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["search", *args, "--data-dir", data])
    return result.exit_code, result.output


def test_filters_sort_and_facets(data: str) -> None:
    code, out = search(
        data,
        "",
        "--tag",
        POLITICS,
        "--tag",
        UKRAINE,
        "--tags-match",
        "all",
        "--sort",
        "date",
        "--json",
        "--facet",
        "author",
    )
    assert code == 0
    response = json.loads(out)
    wanted = {d.id for d in site_documents() if {POLITICS, UKRAINE} <= set(d.tags)}
    assert {h["id"] for h in response["hits"]} == wanted
    assert sum(response["facets"]["author"].values()) == len(wanted)
    code, out = search(
        data,
        "بوتين",
        "--since",
        "2025-12-02",
        "--until",
        "2025-12-03",
        "--filter",
        f"author={DESK}",
        "--facet",
        "tags",
    )
    assert code == 0
    assert out.splitlines()[0].split()[1] in ("hit", "hits")
    assert out.splitlines()[-1].startswith("tags: ") and f"{RUSSIA} (" in out.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "internal_note=سر"], "'internal_note' is not filterable here"),
        (["--facet", "body"], "no facet 'body' here"),
        (["--since", "أمس"], "since is a date"),
        (["--filter", "category"], "a filter is field=value"),
        (["--sort", "newest"], "Invalid value for '--sort'"),
    ],
)
def test_a_bad_filter_is_one_line_and_exit_2(data: str, args: list[str], message: str) -> None:
    code, out = search(data, "بوتين", *args)
    assert code == 2 and message in out and "Traceback" not in out


def test_a_corrected_query_says_what_it_searched(data: str) -> None:
    code, out = search(data, "بوتبن")
    assert code == 0
    assert out.startswith("no hits for 'بوتبن'; ") and "hits for 'بوتين'" in out.splitlines()[0]


def test_a_bad_filterable_declaration_is_refused(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_text('{"id": "1", "body": "نص"}\n', "utf-8")
    result = CliRunner().invoke(
        main, ["index", str(dump), "--data-dir", str(tmp_path), "--filterable", "body"]
    )
    assert result.exit_code == 2 and "cannot declare 'body' filterable" in result.output
    result = CliRunner(env={"SEARCHER_FILTERABLE": "Bad Name"}).invoke(
        main, ["search", "نص", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2 and "SEARCHER_FILTERABLE" in result.output
