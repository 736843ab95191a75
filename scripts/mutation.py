"""Mutation testing of the core (domain/, scoring/, ingest/) with mutmut, bounded in time.

Usage: .venv/bin/python scripts/mutation.py [--without-reference] [--minutes N]
           [--only GLOB ...] [--tests PATH ...] [--same-as DIR] [--out DIR]

mutmut (installed into the .venv on first use) copies the project, makes small changes to the
code one at a time (a `<` for a `<=`, a constant off by one, a column name changed…), and runs
the tests that reach the changed function; a mutant is *killed* when some test fails. The run
is done in a copy of the project in DIR (default: a temporary folder), with one worker (the
machine's cores are shared) and the SQLite tests only; it stops after N minutes (default 60)
and reports what was judged by then. `--without-reference` leaves tests/reference out, to
measure what the reference model adds. The Hypothesis profile `mutation` (tests/
conftest.py) runs a tenth of the reference tests' examples, derandomized, per mutant.

The share reported is killed / (killed + survived); mutants with no test reaching them,
timeouts and suspicious ones are listed apart. Some surviving mutants change nothing a caller
can observe (equivalent mutants: a changed error message text that no test reads, a default
argument every caller overrides, …): read them with `mutmut show NAME` in DIR and judge.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
MUTMUT_REQUIREMENT = "mutmut==3.8.1"
DEFAULT_ONLY = (
    "src/socialcredit/domain/*",
    "src/socialcredit/scoring/*",
    "src/socialcredit/ingest/*",
)
BASE_TESTS = ("tests/unit", "tests/property", "tests/integration")
REFERENCE_TESTS = ("tests/reference",)
DEFAULT_MINUTES = 60


def ensure_mutmut() -> None:
    if importlib.util.find_spec("mutmut") is None:
        subprocess.run(
            [str(PYTHON), "-m", "pip", "install", "--quiet", MUTMUT_REQUIREMENT], check=True
        )


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def prepare(project: Path, only: list[str], tests: list[str], with_reference: bool) -> None:
    copy_project(project)
    if not with_reference:
        tests = [test for test in tests if not test.startswith("tests/reference")]
        shutil.rmtree(project / "tests" / "reference", ignore_errors=True)
    arguments = ["-p", "no:cacheprovider", "-m", "not postgresql", "-x"]
    if with_reference:
        arguments.append("--hypothesis-profile=mutation")
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            "\n[tool.mutmut]\n"
            'source_paths = ["src"]\n'
            f"only_mutate = {toml_list(only)}\n"
            f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
            f"pytest_add_cli_args = {toml_list(arguments)}\n"
        )


def mutmut(project: Path, *arguments: str, timeout_s: float | None = None) -> str:
    """Run mutmut in `project`; at the time limit, end it and the workers it forked."""
    process = subprocess.Popen(
        [str(PYTHON), "-m", "mutmut", *arguments],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate()
    return output


def statuses(project: Path) -> Counter:
    listing = mutmut(project, "results", "--all", "true")
    counts: Counter = Counter()
    for line in listing.splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match and "__mutmut_" in match.group(1):
            counts[match.group(2).strip()] += 1
    return counts


def judged_mutants(folder: Path) -> list[str]:
    """The names of the mutants a previous run in `folder` judged (to run the same again)."""
    names = []
    for meta in sorted((folder / "mutants").rglob("*.meta")):
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        names += [name for name, code in exit_codes.items() if code is not None]
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without-reference", action="store_true")
    parser.add_argument("--minutes", type=float, default=DEFAULT_MINUTES)
    parser.add_argument("--only", nargs="+", default=list(DEFAULT_ONLY))
    parser.add_argument(
        "--tests", nargs="+", default=[*BASE_TESTS, *REFERENCE_TESTS], help="test paths to run"
    )
    parser.add_argument(
        "--same-as", type=Path, help="run only the mutants judged by an earlier run kept in DIR"
    )
    parser.add_argument("--out", type=Path, help="keep the copy here (default: a temporary folder)")
    arguments = parser.parse_args()
    ensure_mutmut()
    folder = arguments.out or Path(tempfile.mkdtemp(prefix="scs-mutation-"))
    if folder.exists():
        shutil.rmtree(folder)
    prepare(folder, arguments.only, arguments.tests, not arguments.without_reference)
    print(f"mutating {', '.join(arguments.only)} in {folder}", flush=True)
    names = judged_mutants(arguments.same_as) if arguments.same_as else []
    mutmut(folder, "run", "--max-children", "1", *names, timeout_s=arguments.minutes * 60)
    counts = statuses(folder)
    killed, survived = counts.get("killed", 0), counts.get("survived", 0)
    judged = killed + survived
    for status, count in sorted(counts.items()):
        print(f"{status:12} {count}")
    share = f"{killed / judged:.1%}" if judged else "n/a"
    print(
        f"killed {killed} of {judged} judged mutants ({share}); "
        f"survivors: mutmut results in {folder}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
