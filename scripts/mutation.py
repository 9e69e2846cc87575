#!/usr/bin/env python3
"""`make mutation`: mutation testing of the modules whose correctness users cannot see.

    uv run --with mutmut==3.8.1 python scripts/mutation.py [--jobs 2] [--report-only]
    python scripts/mutation.py --notes-only   # new notes, no mutmut: from the committed results

mutmut (configured in pyproject.toml, `[tool.mutmut]`) makes one-line changes ("mutants") to
searcher/arabic/, snippets.py, dump.py, indexer.py, reindex.py and query.py and runs the tests
that cover each changed function; a mutant the tests do not notice "survives".  This script
runs it from scratch, then writes

- bench/results/mutation.json: the score per module and every survivor with its diff;
- docs/mutation.md: the same for people, each survivor with its justification, read from
  docs/mutation-notes.toml (matched by function and mutated line, so they outlive renumbering).

A survivor without a note is listed as "NOT JUSTIFIED": write a test that kills it, or a note.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = (
    "searcher.arabic",
    "searcher.snippets",
    "searcher.dump",
    "searcher.indexer",
    "searcher.reindex",
    "searcher.query",
)
# What counts as the tests noticing the mutant.  A timeout is a mutant that made the code loop:
# the tests did not pass.
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}
TARGET = 0.90
NOTES = ROOT / "docs" / "mutation-notes.toml"
REPORT = ROOT / "docs" / "mutation.md"
RESULTS = ROOT / "bench" / "results" / "mutation.json"


def mutmut(*args: str, capture: bool = True) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mutmut", *args],
        cwd=ROOT,
        capture_output=capture,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr or "")[-2000:] if capture else ""
        raise SystemExit(f"mutmut {' '.join(args)} failed ({done.returncode}): {tail}")
    return done.stdout if capture else ""


def module_of(name: str) -> str:
    return next(m for m in sorted(MODULES, key=len, reverse=True) if name.startswith(m + "."))


def function_of(name: str) -> str:
    """`searcher.dump.x__lines__mutmut_7` → `searcher.dump._lines`; methods as `Class.method`."""
    module, _, mangled = re.sub(r"__mutmut_\d+$", "", name).partition(".x")
    while "." in mangled and not mangled.startswith(("_", "ǁ")):  # a package: dots before x
        head, _, mangled = mangled.partition(".x")
        module = f"{module}.x{head}"
    if mangled.startswith("ǁ"):  # a method: xǁClassǁmethod
        return f"{module}.{'.'.join(mangled.split('ǁ')[1:])}"
    return f"{module}.{mangled.removeprefix('_')}"


def mutated_line(diff: str) -> str:
    """The line as the mutant has it (the first '+' line of the diff)."""
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            return line[1:].strip()
    return ""


# Functions run while a module is imported (they build the rule table and the mark class):
# mutmut switches a mutant on after the import, so it never sees theirs.  The recheck below
# applies each such mutant to the file and imports afresh; these tests judge it.
# Each module's own unit tests: run first on a recheck (fast, and newer than mutmut's record
# of which tests cover what).
UNIT_TESTS = {
    "searcher.arabic": ["tests/test_rule_entries.py", "tests/test_arabic.py"],
    "searcher.snippets": ["tests/test_snippets.py"],
    "searcher.dump": ["tests/test_dump_formats.py", "tests/test_dump.py"],
    "searcher.indexer": ["tests/test_rejects.py", "tests/test_reindex_report.py"],
    "searcher.reindex": ["tests/test_reindex_report.py", "tests/test_reindex.py"],
    "searcher.query": ["tests/test_query_plan.py"],
}
IMPORT_TIME_TESTS = {
    "searcher.arabic": [
        "tests/test_rule_entries.py",
        "tests/test_arabic.py",
        "tests/test_template.py",
        "tests/test_template_chain.py",
    ],
}
IMPORT_TIME_FUNCTIONS = {
    "searcher.arabic.analyse._mark_ranges",
    "searcher.arabic.rules._presentation_forms",
    "searcher.arabic.rules._delete",
    "searcher.arabic.rules._digits",
}
RECHECK_TIMEOUT_S = 180
PYTEST_ARGS = ["-m", "not engines and not browser"]


def _worker_copy(n: int) -> Path:
    """A private copy of the tree for one recheck worker (mutants are patched into it)."""
    copy = ROOT / "mutants" / f"recheck-{n}"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    for part in ("searcher", "tests", "mappings", "bench", "scripts", ".ci"):
        if (ROOT / part).exists():
            shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, copy / name)
    (copy / "mutants").symlink_to(ROOT / "mutants")  # where `mutmut apply` reads the mutants
    return copy


def _recheck_one(copy: Path, name: str, tests: list[str]) -> str:
    """Write one mutant into `copy`, run its tests there in a new pytest, put the file back."""
    sources = {path: path.read_bytes() for path in (copy / "searcher").rglob("*.py")}
    try:
        subprocess.run(
            [sys.executable, "-m", "mutmut", "apply", name],
            cwd=copy,
            capture_output=True,
            check=True,
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                *PYTEST_ARGS,
                *tests,
            ],
            cwd=copy,  # first on sys.path: the copy's searcher, not the installed one
            capture_output=True,
            text=True,
            timeout=RECHECK_TIMEOUT_S,
        )
        # 1: a test failed; 2 or 3: the mutant broke collection or pytest itself; 4: it broke
        # importing conftest.  Not a test that no longer exists: that says nothing of the mutant.
        broke = done.returncode in (1, 2, 3) or (
            done.returncode == 4 and "ERROR: not found" not in done.stdout + done.stderr
        )
        return "killed (recheck)" if broke else ""
    except subprocess.TimeoutExpired:
        return "timeout (recheck)"
    finally:
        for path, original in sources.items():
            if path.read_bytes() != original:
                path.write_bytes(original)


def recheck_all(undetected: dict[str, str], jobs: int) -> dict[str, str]:
    """Judge every undetected mutant again in a fresh process: the mutant written into a copy
    of the file, its tests run by a new pytest (a hang counts as detected).  Verdicts are kept
    in mutants/recheck.json, so an interrupted run picks up where it stopped."""
    stats = json.loads((ROOT / "mutants" / "mutmut-stats.json").read_text())
    cache_file = ROOT / "mutants" / "recheck.json"
    cache = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
    work = []
    keys = {}
    for name, diff in undetected.items():
        mangled = re.sub(r"__mutmut_\d+$", "", name)
        covering = sorted(stats["tests_by_mangled_function_name"].get(mangled, []))
        covering = covering or IMPORT_TIME_TESTS.get(module_of(name), [])
        unit = [t for t in UNIT_TESTS.get(module_of(name), []) if (ROOT / t).is_file()]
        tests = unit + [t for t in covering if t.split("::")[0] not in unit]
        # A verdict holds for this mutant and these tests; new tests mean a new verdict.
        keys[name] = key = hashlib.sha256("\n".join([diff, *tests]).encode()).hexdigest()
        if tests and key not in cache:
            work.append((name, key, tests))
    if not jobs:
        work = []
    copies = queue.Queue()
    for n in range(jobs):
        copies.put(_worker_copy(n))
    lock = threading.Lock()

    def judge(item: tuple[str, str, list[str]]) -> None:
        name, key, tests = item
        copy = copies.get()
        try:
            verdict = _recheck_one(copy, name, tests)
        finally:
            copies.put(copy)
        with lock:
            cache[key] = verdict
            cache_file.write_text(json.dumps(cache))
        print(f"recheck {name}: {verdict or 'survived'}", flush=True)

    if work:
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(judge, work))
    return {name: cache.get(key, "") for name, key in keys.items()}


def load_notes() -> list[dict[str, str]]:
    if not NOTES.is_file():
        return []
    return tomllib.loads(NOTES.read_text(encoding="utf-8")).get("survivor", [])


def justification(notes: list[dict[str, str]], function: str, line: str) -> str:
    """The note for this survivor: same function, and the mutated line itself (`mutated`) or a
    regular expression it matches (`mutated_re`, for a family of alike mutants)."""
    for note in notes:
        if note["function"] != function:
            continue
        if note.get("mutated", "").strip() == line or (
            "mutated_re" in note and re.search(note["mutated_re"], line)
        ):
            return note["why"]
    return ""


def collect(jobs: int, scope: str = "all") -> dict:
    """mutmut's verdicts, the undetected ones judged again with `jobs` workers (0: not)."""
    statuses: dict[str, str] = {}
    for row in mutmut("results", "--all", "true").splitlines():
        name, _, status = row.strip().rpartition(": ")
        if name:
            statuses[name] = status
    notes = load_notes()
    diff_file = ROOT / "mutants" / "diffs.json"  # `mutmut show` is slow: once per mutant
    known = json.loads(diff_file.read_text()) if diff_file.is_file() else {}
    diffs = {
        name: known.get(name) or mutmut("show", name).split("\n", 1)[1].strip()
        for name, status in statuses.items()
        if status not in DETECTED and status != "not checked"
    }
    diff_file.write_text(json.dumps(diffs))
    to_recheck = {
        name: diff
        for name, diff in diffs.items()
        if scope in ("all", "cached") or function_of(name) in IMPORT_TIME_FUNCTIONS
    }
    rechecked = recheck_all(to_recheck, jobs) if scope != "none" else {}
    per_module: dict[str, Counter] = {m: Counter() for m in MODULES}
    survivors = []
    for name, status in sorted(statuses.items()):
        module = module_of(name)
        if status == "not checked":  # an interrupted run: neither detected nor not
            per_module[module][status] += 1
            continue
        status = rechecked.get(name) or status
        detected = status in DETECTED or status.endswith("(recheck)")
        per_module[module]["detected" if detected else "undetected"] += 1
        per_module[module][status] += 1
        if detected:
            continue
        function = function_of(name)
        line = mutated_line(diffs[name])
        survivors.append(
            {
                "name": name,
                "status": status,
                "function": function,
                "mutated": line,
                "diff": diffs[name],
                "why": justification(notes, function, line),
            }
        )
    total = Counter()
    for counts in per_module.values():
        total.update(counts)
    return {"per_module": per_module, "total": total, "survivors": survivors}


def from_results() -> tuple[dict, float, int]:
    """The last run as bench/results/mutation.json holds it, each survivor's note read afresh:
    notes change without a run (mutmut's own records live in the uncommitted mutants/)."""
    saved = json.loads(RESULTS.read_text(encoding="utf-8"))
    notes = load_notes()
    per_module = {
        m: Counter({k: v for k, v in c.items() if k != "score"})
        for m, c in saved["modules"].items()
    }
    total = Counter()
    for counts in per_module.values():
        total.update(counts)
    survivors = [
        {**s, "why": justification(notes, s["function"], s["mutated"])} for s in saved["survivors"]
    ]
    found = {"per_module": per_module, "total": total, "survivors": survivors}
    return found, saved["seconds"], saved["jobs"]


def score(counts: Counter) -> float:
    n = counts["detected"] + counts["undetected"]
    return counts["detected"] / n if n else 1.0


def render(found: dict, seconds: float, jobs: int) -> tuple[str, str]:
    """(bench/results/mutation.json, docs/mutation.md) as text."""
    per_module, total, survivors = found["per_module"], found["total"], found["survivors"]
    data = {
        "tool": "mutmut 3.8.1",
        "jobs": jobs,
        "seconds": round(seconds),
        "score": round(score(total), 4),
        "target": TARGET,
        "modules": {
            m: {"score": round(score(c), 4), **{k: v for k, v in sorted(c.items())}}
            for m, c in per_module.items()
        },
        "survivors": survivors,
    }
    lines = [
        "# Mutation testing",
        "",
        "Generated by `make mutation` (`scripts/mutation.py`); do not edit by hand. Notes on",
        "survivors live in `docs/mutation-notes.toml`; data in `bench/results/mutation.json`.",
        "",
        f"**Score: {score(total):.1%} of {total['detected'] + total['undetected']} mutants "
        f"detected** (target {TARGET:.0%}); mutmut 3.8.1, {jobs} jobs, {seconds / 60:.0f} min"
        + (
            f"; {total['not checked']} mutants not checked (run interrupted)."
            if total["not checked"]
            else "."
        ),
        "",
        "| module | mutants | detected | of which on recheck | undetected | score |",
        "|---|---|---|---|---|---|",
    ]
    for module, counts in per_module.items():
        n = counts["detected"] + counts["undetected"]
        rechecked = counts["killed (recheck)"] + counts["timeout (recheck)"]
        lines.append(
            f"| `{module}` | {n} | {counts['detected']} | {rechecked} | "
            f"{counts['undetected']} | {score(counts):.1%} |"
        )
    lines += [
        "",
        "mutmut runs each mutant in a process forked from one warm pytest, with the tests that",
        "cover the mutated function.  Every mutant it reports undetected is then judged once",
        "more in a fresh process (written into the file, its tests run by a new pytest, a",
        f"{RECHECK_TIMEOUT_S} s limit): that catches mutants of functions run at import time",
        "(the rule table), which mutmut cannot switch on, and mutants that make the code hang.",
        "The tests that need engine nodes, a browser or subprocesses are left out (see",
        "`[tool.mutmut]` in pyproject.toml); they run in `make test`.",
    ]
    unjustified = [s for s in survivors if not s["why"]]
    lines += [
        "",
        f"## Survivors ({len(survivors)}; {len(unjustified)} not justified)",
        "",
        "Each one is equivalent (no input can tell it from the original) or accepted (named",
        "reason), or says which test now kills it.",
        "",
    ]
    for s in survivors:
        why = s["why"] or "**NOT JUSTIFIED**"
        lines.append(f"- `{s['function']}` ({s['status']}): `{s['mutated']}` — {why}")
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n", "\n".join(lines) + "\n"


def write_reports(found: dict, seconds: float, jobs: int) -> None:
    results, report = render(found, seconds, jobs)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(results, encoding="utf-8")
    REPORT.write_text(report, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the reports from the last run"
    )
    parser.add_argument(
        "--notes-only",
        action="store_true",
        help="rewrite the reports from bench/results/mutation.json with the current notes",
    )
    parser.add_argument(
        "--recheck",
        choices=["all", "import-time", "cached", "none"],
        default="all",
        help="which undetected mutants to judge again in a fresh process (default: all)",
    )
    parser.add_argument(
        "--run-seconds", type=float, help="with --report-only: how long the mutmut run took"
    )
    args = parser.parse_args()
    if args.notes_only:
        found, seconds, jobs = from_results()
        write_reports(found, seconds, jobs)
        unjustified = sum(not s["why"] for s in found["survivors"])
        print(f"{unjustified} survivors not justified; report in {REPORT.relative_to(ROOT)}")
        return
    started = time.monotonic()
    seconds = 0.0
    if not args.report_only:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)  # every run from scratch
        mutmut("run", "--max-children", str(args.jobs), capture=False)
        seconds = time.monotonic() - started
    elif args.run_seconds is not None:
        seconds = args.run_seconds
    elif RESULTS.is_file():
        seconds = json.loads(RESULTS.read_text())["seconds"]
    # "cached": the verdicts of an earlier (interrupted) recheck, none judged anew.
    jobs = 0 if args.recheck in ("none", "cached") else args.jobs
    found = collect(jobs=jobs, scope=args.recheck)
    write_reports(found, seconds, args.jobs)
    total = found["total"]
    print(f"mutation score {score(total):.1%}; report in {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
