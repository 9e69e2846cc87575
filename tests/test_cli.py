"""The CLI end to end: through click's runner, and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from searcher.cli import EXIT_REJECTS, main

DOCS = [
    {"id": "q1", "title": "البقرة 2:2", "body": "ذَٰلِكَ ٱلۡكِتَٰبُ لَا رَيۡبَۛ فِيهِۛ"},
    {"id": "n1", "title": "مدرسة", "body": "ذهب أحمد إلى المدرسةِ"},
]


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DOCS), "utf-8")
    return path


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout


def test_index_then_search_json(tmp_path: Path, dump: Path) -> None:
    data = str(tmp_path / "data")
    code, out = run("index", str(dump), "--data-dir", data, "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["indexed"], summary["replaced"], summary["rejected"]) == (2, 0, 0)

    code, out = run("search", "الكتاب", "--data-dir", data, "--json")
    assert code == 0
    response = json.loads(out)
    assert set(response) == {
        *("total", "took_ms", "partial", "shards", "hits", "relaxed", "dropped"),
        *("corrected", "did_you_mean", "facets"),
    }
    (hit,) = response["hits"]
    assert {"id", "score", "title", "snippet_html", "snippet"} <= set(hit)
    assert hit["id"] == "q1"
    start, end = hit["snippet"]["marks"][0]
    assert hit["snippet"]["text"][start:end] == "ٱلۡكِتَٰبُ"
    assert "<mark>ٱلۡكِتَٰبُ</mark>" in hit["snippet_html"]


def test_a_query_that_finds_nothing_shows_close_hits_and_says_so(
    tmp_path: Path, dump: Path
) -> None:
    data = str(tmp_path / "data")
    run("index", str(dump), "--data-dir", data)
    # «زخرفش» is no word, and no word of the dump is a typo away from it
    code, out = run("search", "أحمد زخرفش", "--data-dir", data)
    assert code == 0
    assert "no hits for 'أحمد زخرفش'; 1 close hit without 'زخرفش'" in out
    code, out = run("search", "أحمد زخرفش", "--data-dir", data, "--json")
    response = json.loads(out)
    assert response["relaxed"] is True and response["dropped"] == ["زخرفش"]


def test_human_output_marks_the_match(tmp_path: Path, dump: Path) -> None:
    data = str(tmp_path / "data")
    run("index", str(dump), "--data-dir", data)
    code, out = run("search", "أحمد", "--data-dir", data)
    assert code == 0
    assert out.startswith("1 hit for 'أحمد'")  # singular for one
    assert "«أحمد»" in out  # not a terminal: marks become brackets


def test_reindexing_reports_replacements(tmp_path: Path, dump: Path) -> None:
    data = str(tmp_path / "data")
    run("index", str(dump), "--data-dir", data)
    code, out = run("index", str(dump), "--data-dir", data, "--json")
    assert code == 0
    assert json.loads(out)["replaced"] == 2


def test_stdin_and_rejects(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rejects = tmp_path / "rejects.jsonl"
    lines = json.dumps(DOCS[0], ensure_ascii=False) + "\n{broken\n" + json.dumps({"x": 1}) + "\n"
    code, out = run(
        "index", "-", "--data-dir", str(data), "--rejects", str(rejects), "--json", input=lines
    )
    assert code == EXIT_REJECTS
    summary = json.loads(out)
    assert (summary["indexed"], summary["rejected"]) == (1, 2)
    kept = [json.loads(line) for line in rejects.read_text("utf-8").splitlines()]
    assert [r["line"] for r in kept] == [2, 3]
    assert kept[0]["raw"] == "{broken"


def test_field_mapping_options(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text(
        json.dumps({"guid": "g", "text": "المدرسة"}, ensure_ascii=False) + "\n", "utf-8"
    )
    data = str(tmp_path / "data")
    code, _ = run(
        "index", str(path), "--data-dir", data, "--id-field", "guid", "--text-field", "text"
    )
    assert code == 0
    code, out = run("search", "مدرسة", "--data-dir", data, "--json")
    assert [h["id"] for h in json.loads(out)["hits"]] == ["g"]


def test_analyze_shows_offsets(tmp_path: Path) -> None:
    code, out = run("analyze", "ذهب إلى المدرسةِ", "--json", "--data-dir", str(tmp_path))
    assert code == 0
    result = json.loads(out)
    assert result["normalised"] == "ذهب الي المدرسه"
    assert [(t["token"], t["original"]) for t in result["tokens"]] == [
        ("ذهب", "ذهب"),
        ("مدرس", "المدرسةِ"),
    ]


def test_searching_a_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["search", "x", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "searcher index" in result.output


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help(name: str) -> None:
    # Every command, and every one of its options (the engine options included), is documented.
    code, out = run(name, "--help")
    assert code == 0
    command = main.commands[name]
    # Its first sentence, as click wraps it to the terminal's width.
    first = command.help.split(". ")[0] if command.help else ""
    assert first and " ".join(first.split()) in " ".join(out.split())
    flags = [flag for param in command.params for flag in param.opts if flag.startswith("--")]
    assert {"--engine", "--index", "--data-dir", "--url"} <= set(flags)
    for flag in flags:
        assert flag in out, f"{name} --help does not mention {flag}"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts[0]} has no help text"


def test_the_commands_are_the_readme_s() -> None:
    assert set(main.commands) == {"index", "reindex", "search", "analyze", "serve"}


def test_settings_come_from_the_environment(tmp_path: Path, dump: Path) -> None:
    env = {"SEARCHER_DATA_DIR": str(tmp_path / "envdata"), "SEARCHER_INDEX": "fromenv"}
    result = CliRunner(env=env).invoke(main, ["index", str(dump)])
    assert result.exit_code == 0
    assert (tmp_path / "envdata" / "indices" / "fromenv").is_dir()


def test_real_subprocess(tmp_path: Path, dump: Path) -> None:
    env = {**os.environ, "SEARCHER_DATA_DIR": str(tmp_path / "data")}
    cmd = [sys.executable, "-m", "searcher.cli"]
    subprocess.run([*cmd, "index", str(dump)], env=env, check=True, capture_output=True)
    found = subprocess.run(
        [*cmd, "search", "المدرسة", "--json"], env=env, check=True, capture_output=True, text=True
    )
    assert [h["id"] for h in json.loads(found.stdout)["hits"]] == ["n1"]


def test_visual_display_for_terminals_without_bidi(tmp_path: Path, dump: Path) -> None:
    data = str(tmp_path / "data")
    run("index", str(dump), "--data-dir", data)
    code, out = run("search", "المدرسة", "--data-dir", data, "--display", "visual")
    assert code == 0
    snippet_line = out.splitlines()[2]
    # Letters are joined (presentation forms) and the line is in visual, right-to-left order:
    # read backwards it is the logical text again (harakat dropped by the reshaper).
    assert any("\ufe70" <= ch <= "\ufeff" for ch in snippet_line)
    assert "ذهب أحمد إلى «المدرسة»" in unicodedata.normalize("NFKC", snippet_line[::-1])


@pytest.mark.parametrize("option", [["--page", "999999999999"], ["--size", "0"], ["--page", "0"]])
def test_absurd_paging_is_refused_before_the_engine(
    tmp_path: Path, dump: Path, option: list
) -> None:
    # --page 999999999999 once reached tantivy as an offset and aborted the process (exit 134).
    data = str(tmp_path / "data")
    run("index", str(dump), "--data-dir", data)
    result = CliRunner().invoke(main, ["search", "الكتاب", "--data-dir", data, *option])
    assert result.exit_code == 2
    assert "Invalid value" in result.output


@pytest.mark.parametrize("command", ["index", "reindex"])
def test_a_missing_dump_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    result = CliRunner().invoke(main, [command, "missing.jsonl", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "missing.jsonl" in result.output and "does not exist" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "\udcff\udcfe abc", "--json"],
        ["search", "\udcff", "--json"],
        ["analyze", "\udcff"],
    ],
)
def test_arguments_that_are_not_utf8_are_refused_in_one_line(tmp_path: Path, args: list) -> None:
    # What Python makes of the bytes 0xFF 0xFE in argv on a UTF-8 system: lone surrogates.
    result = CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "not valid UTF-8" in result.output
    assert not isinstance(result.exception, TypeError)


def test_invalid_utf8_argument_in_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "SEARCHER_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "searcher.cli", "analyze", b"\xff\xfe abc", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "not valid UTF-8" in done.stderr


def test_a_query_may_start_with_an_exclusion(tmp_path: Path, dump: Path) -> None:
    # '-رياضة ...' once failed with "No such option '-ر'".
    data = str(tmp_path / "data")
    run("index", str(dump), "--data-dir", data)
    code, out = run("search", "-رياضة المدرسة", "--data-dir", data, "--json")
    assert code == 0
    assert [h["id"] for h in json.loads(out)["hits"]] == ["n1"]
    code, out = run("search", "--json", "-المدرسة الكتاب", "--data-dir", data)
    assert [h["id"] for h in json.loads(out)["hits"]] == ["q1"]


def test_hit_counts_read_naturally(tmp_path: Path, dump: Path) -> None:
    data = str(tmp_path / "data")
    run("index", str(dump), "--data-dir", data)
    assert run("search", "زرافة", "--data-dir", data)[1].startswith("0 hits for")
    assert run("search", "ذهب OR الكتاب", "--data-dir", data)[1].startswith("2 hits for")


def test_index_into_an_alias_writes_to_its_generation(tmp_path: Path, dump: Path) -> None:
    # After a reindex, `news` is an alias: `index --index news` once made a stray empty
    # indices/news beside it, and its summary named the alias, not where documents went.
    data = tmp_path / "data"
    code, out = run("reindex", str(dump), "--index", "news", "--data-dir", str(data), "--json")
    generation = json.loads(out)["index"]
    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"id": "x1", "body": "مكتبة عامة"}\n', "utf-8")
    code, out = run("index", str(extra), "--index", "news", "--data-dir", str(data))
    assert code == 0
    assert out.strip().endswith(f"→ embedded:{generation}")
    assert sorted(p.name for p in (data / "indices").iterdir()) == [generation]
    code, out = run("search", "مكتبة", "--index", "news", "--data-dir", str(data), "--json")
    assert [h["id"] for h in json.loads(out)["hits"]] == ["x1"]
