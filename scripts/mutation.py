#!/usr/bin/env python3
"""`make mutation`: mutation testing of the modules whose correctness users cannot see.

    uv run --with mutmut==3.8.1 python scripts/mutation.py [--jobs 2] [--report-only]

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
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
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
    module = module_of(name)
    mangled = re.sub(r"__mutmut_\d+$", "", name[len(module) + 1 :])
    if mangled.startswith("xǁ"):  # a method: xǁClassǁmethod
        return f"{module}.{'.'.join(mangled.split('ǁ')[1:])}"
    return f"{module}.{mangled.removeprefix('x_')}"


def mutated_line(diff: str) -> str:
    """The line as the mutant has it (the first '+' line of the diff)."""
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            return line[1:].strip()
    return ""


# Functions run while a module is imported (they build the rule table and the mark class):
# mutmut switches a mutant on after the import, so it never sees theirs.  The recheck below
# applies each such mutant to the file and imports afresh; these tests judge it.
IMPORT_TIME_TESTS = {
    "searcher.arabic": [
        "tests/test_rule_entries.py",
        "tests/test_arabic.py",
        "tests/test_template.py",
        "tests/test_template_chain.py",
    ],
}
RECHECK_TIMEOUT_S = 180


def recheck(name: str) -> str:
    """Judge one survivor again in a fresh process: the mutant written into the source file,
    its tests run by a new pytest (which also catches a mutant that makes the code hang).
    Returns the new status: "killed (recheck)", "timeout (recheck)" or the old one."""
    stats = json.loads((ROOT / "mutants" / "mutmut-stats.json").read_text())
    mangled = re.sub(r"__mutmut_\d+$", "", name)
    tests = sorted(stats["tests_by_mangled_function_name"].get(mangled, []))
    tests = tests or IMPORT_TIME_TESTS.get(module_of(name), [])
    if not tests:
        return ""
    sources = {path: path.read_bytes() for path in (ROOT / "searcher").rglob("*.py")}
    try:
        mutmut("apply", name)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=RECHECK_TIMEOUT_S,
        )
        return "killed (recheck)" if done.returncode != 0 else ""
    except subprocess.TimeoutExpired:
        return "timeout (recheck)"
    finally:  # whatever happened, the sources are as they were
        for path, original in sources.items():
            if path.read_bytes() != original:
                path.write_bytes(original)


def load_notes() -> list[dict[str, str]]:
    if not NOTES.is_file():
        return []
    return tomllib.loads(NOTES.read_text(encoding="utf-8")).get("survivor", [])


def justification(notes: list[dict[str, str]], function: str, line: str) -> str:
    for note in notes:
        if note["function"] == function and note["mutated"].strip() == line:
            return note["why"]
    return ""


def collect(recheck_survivors: bool) -> dict:
    statuses: dict[str, str] = {}
    for row in mutmut("results", "--all", "true").splitlines():
        name, _, status = row.strip().rpartition(": ")
        if name:
            statuses[name] = status
    notes = load_notes()
    per_module: dict[str, Counter] = {m: Counter() for m in MODULES}
    survivors = []
    for name, status in sorted(statuses.items()):
        module = module_of(name)
        if status not in DETECTED and recheck_survivors:
            status = recheck(name) or status
        detected = status in DETECTED or status.endswith("(recheck)")
        per_module[module]["detected" if detected else "undetected"] += 1
        per_module[module][status] += 1
        if detected:
            continue
        diff = mutmut("show", name).split("\n", 1)[1].strip()
        function = function_of(name)
        line = mutated_line(diff)
        survivors.append(
            {
                "name": name,
                "status": status,
                "function": function,
                "mutated": line,
                "diff": diff,
                "why": justification(notes, function, line),
            }
        )
    total = Counter()
    for counts in per_module.values():
        total.update(counts)
    return {"per_module": per_module, "total": total, "survivors": survivors}


def score(counts: Counter) -> float:
    n = counts["detected"] + counts["undetected"]
    return counts["detected"] / n if n else 1.0


def write_reports(found: dict, seconds: float, jobs: int) -> None:
    per_module, total, survivors = found["per_module"], found["total"], found["survivors"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
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
    RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    lines = [
        "# Mutation testing",
        "",
        "Generated by `make mutation` (`scripts/mutation.py`); do not edit by hand. Notes on",
        "survivors live in `docs/mutation-notes.toml`; data in `bench/results/mutation.json`.",
        "",
        f"**Score: {score(total):.1%} of {total['detected'] + total['undetected']} mutants "
        f"detected** (target {TARGET:.0%}); mutmut 3.8.1, {jobs} jobs, {seconds / 60:.0f} min.",
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
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the reports from the last run"
    )
    parser.add_argument(
        "--no-recheck", action="store_true", help="report mutmut's verdicts as they are"
    )
    args = parser.parse_args()
    started = time.monotonic()
    seconds = 0.0
    if not args.report_only:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)  # every run from scratch
        mutmut("run", "--max-children", str(args.jobs), capture=False)
        seconds = time.monotonic() - started
    elif RESULTS.is_file():
        seconds = json.loads(RESULTS.read_text())["seconds"]
    found = collect(recheck_survivors=not args.no_recheck)
    write_reports(found, seconds, args.jobs)
    total = found["total"]
    print(f"mutation score {score(total):.1%}; report in {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
