"""Every command the README shows runs as shown.

Each ```sh block of README.md runs, in order, as one bash script (`set -euo pipefail`), the way a
reader would paste it: in the repository, with the environment `make demo` built on PATH (as
after `. .venv/bin/activate`) and a fresh HOME, so the defaults (~/.local/share/searcher) are the
reader's.  Commands that start a server (`searcher serve`) run in the background until the block
ends; the Elasticsearch examples run against the test node (its URL replaces localhost:9200).
A command this test cannot run is listed in NOT_RUN with the reason and what checks it instead:
an unlisted command that fails, or a listed one that the README no longer shows, fails here.
Whole commands quoted in the text (`make demo QUERY=…`, `python -m searcher…`) run too; a
`searcher search --json` in a sentence names an option, not a command to run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent

# Command prefixes not run here → why, and what covers them.
NOT_RUN = {
    "make test": "it is the test suite itself",
    "docker compose": "no Docker engine on these machines; tests/test_compose.py runs the compose "
    "file's healthchecks word for word against real nodes",
    "make bench": "benchmarks take minutes; they are run by hand on a quiet machine",
    "make relevance": "a benchmark (minutes, fetches Alfanous)",
    "make load": "a benchmark (minutes)",
    "make soak": "a benchmark (minutes)",
    "make plurals": "fetches arramooz (GPL-3.0); tests/test_plurals.py builds the same table",
    "make mutation": "about an hour of mutmut on 2 cores, run by hand; "
    "tests/test_mutation_config.py checks its test selection collects in mutmut's copy",
    "export SEARCHER_URL=http://es1": "placeholder hosts; tests/test_cluster.py does this against "
    "a real 3-node cluster",
    "searcher reindex dump.jsonl --index news --shards": "goes with the placeholder hosts above",
}
ES_DEFAULT_URL = "http://localhost:9200"
BLOCK_TIMEOUT_SECONDS = 300  # `make demo` from cold takes about 15 s


def sh_blocks() -> list[tuple[int, str]]:
    """(line number, text) of each ```sh block."""
    return [
        (README[: match.start()].count("\n") + 1, match.group(1))
        for match in re.finditer(r"^```sh\n(.*?)^```", README, flags=re.S | re.M)
    ]


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comment-only lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    lines = (line.strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def not_run_reason(command: str) -> str | None:
    return next((why for prefix, why in NOT_RUN.items() if command.startswith(prefix)), None)


PORT_FREE = "import socket; socket.socket().bind(('127.0.0.1', {port}))"
SERVER_WAIT = """
python - "$1" <<'EOF'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(sys.argv[1] + "health", timeout=1)
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("the server did not answer /health")
EOF
"""


def script(block: str) -> str:
    """The block as a bash script: NOT_RUN commands echoed instead, servers in the background."""
    lines = ["set -euo pipefail", f"wait_for_server() {{ {SERVER_WAIT}\n}}", "servers=()"]
    lines.append("trap 'for pid in \"${servers[@]}\"; do kill $pid; done' EXIT")
    for command in commands(block):
        if not_run_reason(command):
            lines.append(f"echo {shlex.quote('not run: ' + command)}")
        elif re.match(r"searcher serve .*&", command):
            url = re.search(r"http://[0-9.]+:\d+/", command)
            assert url, f"say where the server listens, as a comment: {command}"
            code = command.split("&")[0]  # its output to a file: the pipe must close at the end
            port = url.group(0).rstrip("/").rsplit(":", 1)[1]
            # Another server on that port would answer for ours: refuse to start at all.
            lines.append(f"python -c {shlex.quote(PORT_FREE.format(port=port))}")
            lines += [f'{code} >"$HOME/serve.log" 2>&1 & servers+=($!)']
            lines.append(f'wait_for_server {url.group(0)} || {{ cat "$HOME/serve.log"; exit 1; }}')
        else:
            lines.append(command)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def reader_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A reader's shell after `. .venv/bin/activate`: no SEARCHER_* settings, a fresh HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCHER_")}
    env.update(
        # The reader's caches stay (uv's, the engines'); everything else starts afresh.
        XDG_CACHE_HOME=env.get("XDG_CACHE_HOME", str(Path.home() / ".cache")),
        HOME=str(tmp_path_factory.mktemp("home")),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(BIN.parent),
    )
    return env


def run(text: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    es_url = os.environ.get("SEARCHER_TEST_ELASTICSEARCH_URL")
    if ES_DEFAULT_URL in text:
        if not es_url:
            pytest.skip("needs the Elasticsearch test node (SEARCHER_TEST_ELASTICSEARCH_URL)")
        text = text.replace(ES_DEFAULT_URL, es_url.rstrip("/"))
    # A session of its own, killed whole at the end: a server that outlives its block (a README
    # that runs one in the foreground, a command that hangs) must not hold its port afterwards.
    with subprocess.Popen(
        ["bash", "-c", text],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=BLOCK_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            stdout, stderr = "", f"still running after {BLOCK_TIMEOUT_SECONDS} s"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


BLOCKS = sh_blocks()


@pytest.mark.parametrize(("line", "block"), BLOCKS, ids=[f"README.md:{n}" for n, _ in BLOCKS])
def test_each_sh_block_runs_as_shown(line: int, block: str, reader_env: dict[str, str]) -> None:
    done = run(script(block), reader_env)
    assert done.returncode == 0, f"README.md:{line} failed:\n{done.stdout}\n{done.stderr}"


INLINE = sorted(
    set(re.findall(r"`((?:make demo|python -m searcher)[^`]*)`", README)),
    key=README.index,
)


@pytest.mark.parametrize("command", INLINE)
def test_each_inline_command_runs_as_shown(command: str, reader_env: dict[str, str]) -> None:
    if "SEARCHER_WRITE_KEY" in command or " serve" in command:
        pytest.skip("server commands run in their ```sh block")
    done = run(script(command), reader_env)
    assert done.returncode == 0, f"`{command}` failed:\n{done.stdout}\n{done.stderr}"


def test_every_not_run_entry_is_still_in_the_readme() -> None:
    shown = [command for _, block in BLOCKS for command in commands(block)]
    stale = [prefix for prefix in NOT_RUN if not any(c.startswith(prefix) for c in shown)]
    assert not stale, f"NOT_RUN lists commands the README no longer shows: {stale}"


def test_the_first_screen_gives_exactly_two_commands() -> None:
    first_line, first_block = BLOCKS[0]
    assert first_line < 20  # on the first screen
    assert [c.split("#")[0].strip() for c in commands(first_block)] == ["make demo", "make test"]
