"""Plant each known bug in a copy of the project, run the tests, and say which bugs are caught.

Usage: .venv/bin/python scripts/planted_bugs.py [--bug N ...] [--tests PATH ...] [--all-stores]

Each bug is a small patch (a text replacement in one file) of the kind a careful engineer
could make; issue 8 names nine that once left every test green. The project is copied to a
temporary folder first, so the worktree is never touched, and the copy is tested with the
worktree's .venv. A bug is *caught* when at least one test fails with it planted; a patch whose
text no longer occurs in the code is reported as *stale* (update it, do not drop it).
By default the PostgreSQL tests are left out (the bugs live above the store's dialects) and
Hypothesis does not shrink (profile `planted`): only "does some test fail" is asked.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TESTS = ("tests/unit", "tests/property", "tests/integration", "tests/reference")
TIMEOUT_S_PER_BUG = 1200


@dataclass(frozen=True)
class Bug:
    name: str
    path: str  # under src/socialcredit/
    old: str
    new: str


BUGS = (
    Bug(
        "batch: a cap grouped without the catalogue version",
        "scoring/batch.py",
        '.group_by(SUBJECT, "item", "version_index", pl.col("decided_on")',
        '.group_by(SUBJECT, "item", pl.col("decided_on")',
    ),
    Bug(
        "per subject: a cap grouped without the catalogue version",
        "domain/scoring.py",
        "bucket = (entry.record.item, entry.record.decided_on.year, entry.rule.version)",
        "bucket = (entry.record.item, entry.record.decided_on.year, 0)",
    ),
    Bug(
        "batch: negative caps not clipped",
        "scoring/batch.py",
        '.filter(pl.col("value").abs() > pl.col("cap_per_year"))',
        '.filter(pl.col("value") > pl.col("cap_per_year"))',
    ),
    Bug(
        "per subject: negative caps not clipped",
        "domain/scoring.py",
        "return points if cap is None else max(-cap, min(cap, points))",
        "return points if cap is None else min(cap, points)",
    ),
    Bug(
        "batch: the base score taken from the first version",
        "scoring/batch.py",
        '(catalogue.base_score + pl.col("points"))',
        '(rulebook.catalogues[0].base_score + pl.col("points"))',
    ),
    Bug(
        "per subject: the base score taken from the first version",
        "domain/scoring.py",
        "score = scoring_catalogue.base_score + sum(",
        "score = rulebook.catalogues[0].base_score + sum(",
    ),
    Bug(
        "per subject: item lists taken from T's version instead of the record's",
        "domain/scoring.py",
        "name for entry in counting for name in entry.rule.lists",
        "name for entry in counting"
        " for name in (rulebook.rule(scoring_catalogue.version, entry.record.item)"
        " or entry.rule).lists",
    ),
    Bug(
        "batch: item lists taken from T's version instead of the record's",
        "scoring/batch.py",
        '.join(rules, on=["version_index", "item"], how="left")',
        '.join(rules.select(pl.exclude("^__on_list_.*$")), '
        'on=["version_index", "item"], how="left")'
        '.join(rules.filter(pl.col("version_index") == rulebook.catalogues.index('
        'rulebook.scoring_version(as_of))).select("item", pl.col("^__on_list_.*$")),'
        ' on="item", how="left")',
    ),
    Bug(
        "ingest: a change of status alone judged a duplicate instead of a conflict",
        "domain/records.py",
        'CONTENT_FIELDS = ("item", "subject_id", "decided_on", "quantity", "reference", "status")',
        'CONTENT_FIELDS = ("item", "subject_id", "decided_on", "quantity", "reference")',
    ),
    Bug(
        "store: a record corrected to another subject still shown in the old subject's file",
        "store/rights.py",
        "            for row in current.values()\n            if row.subject in named\n",
        "            for row in current.values()\n",
    ),
    Bug(
        "ingest: a record decided on the day of submission rejected",
        "ingest/checks.py",
        '(pl.col("decided_on_date") > submitted_on)',
        '(pl.col("decided_on_date") >= submitted_on)',
    ),
    Bug(
        "ingest: a third revision in a third file supersedes the wrong row",
        "ingest/revisions.py",
        'pl.col("stored_id").sort_by("stored_revision").last().alias("latest_id")',
        'pl.col("stored_id").sort_by("stored_revision").first().alias("latest_id")',
    ),
    Bug(
        "batch: the output's tie-break on kind reversed",
        "scoring/batch.py",
        '.sort("subject_id", "kind")',
        '.sort("subject_id", "kind", descending=[False, True])',
    ),
    # Issue 17: five bugs that left every test green, and the gaps found beside them.
    Bug(
        "per subject: positive key factors listed smallest first",
        "domain/scoring.py",
        "return (points >= 0, points if points < 0 else -points)",
        "return (points >= 0, points)",
    ),
    Bug(
        "check: the measure looked up in today's version instead of the version on T",
        "domain/measures.py",
        "return CheckQuestion(normalized, chosen, catalogue, party, purpose, as_of)",
        "return CheckQuestion(normalized, entitled, catalogue, party, purpose, as_of)",
    ),
    Bug(
        "objection lists: a subject shown objections to records that now name it",
        "store/rights.py",
        "query = query.where(objected.c.subject.in_(",
        "query = query.where(sa.func.coalesce(newer.c.subject, objected.c.subject).in_(",
    ),
    Bug(
        "web: the source's uphold form checks only that a token was sent",
        "web/source.py",
        "if not csrf_valid(request, csrf_token):",
        "if not csrf_token:",
    ),
    Bug(
        "spark: a record still counts on the day counts_for_days after its decision",
        "scoring/spark_job.py",
        '(F.datediff(as_of_literal, decided_on) < F.col("counts_for_days"))',
        '(F.datediff(as_of_literal, decided_on) <= F.col("counts_for_days"))',
    ),
    Bug(
        "spark: a record decided on T left out",
        "scoring/spark_job.py",
        ".filter(decided_on <= as_of_literal)",
        ".filter(decided_on < as_of_literal)",
    ),
    Bug(
        "spark: an objection not yet overdue on its due day",
        "scoring/spark_job.py",
        '(F.col("overdue_from") <= as_of_literal)',
        '(F.col("overdue_from") < as_of_literal)',
    ),
    Bug(
        "identity store (SQLite): a key looked up by identifier alone, whatever the kind",
        "store/identities.py",
        '"ON s.identifier = p.identifier AND s.kind = p.kind",',
        '"ON s.identifier = p.identifier",',
    ),
    Bug(
        "objections: the batch scorer holds a record back from the filing day + 31",
        "store/rights.py",
        '(pl.col("filed_on") + pl.duration(days=OBJECTION_ANSWER_DAYS)).alias("overdue_from")',
        '(pl.col("filed_on") + pl.duration(days=OBJECTION_ANSWER_DAYS + 1)).alias("overdue_from")',
    ),
    Bug(
        "objections: the file scored without its objections",
        "registry/rights.py",
        "score = score_subject(mine, rulebook, as_of, objections) if mine else None",
        "score = score_subject(mine, rulebook, as_of) if mine else None",
    ),
    Bug(
        "objections: an upheld record counts again only the day after the answer",
        "domain/objections.py",
        "answered_on is None or day < answered_on",
        "answered_on is None or day <= answered_on",
    ),
    Bug(
        "objections: a newer revision answers on its decision day, not the day it was received",
        "store/rights.py",
        'batches.c.submitted_on.label("newer_received_on")',
        'newer.c.decided_on.label("newer_received_on")',
    ),
    Bug(
        "objections: an upheld objection to one revision refuses objections to the next",
        "domain/objections.py",
        'if objection.revision == revision and objection.answer.kind == "upheld":',
        'if objection.answer.kind == "upheld":',
    ),
    Bug(
        "identity store (PostgreSQL; --all-stores): a known key found by identifier alone",
        "store/identities.py",
        '"ON s.identifier = p.identifier AND s.kind = p.kind"\n        )',
        '"ON s.identifier = p.identifier"\n        )',
    ),
)


def run_tests(project: Path, tests: list[str], all_stores: bool) -> tuple[bool, str]:
    """(caught, the first failing test) for the project copy as it stands."""
    command = [
        str(ROOT / ".venv" / "bin" / "python"),
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "--hypothesis-profile=planted",
        *(() if all_stores else ("-m", "not postgresql")),
        *tests,
    ]
    environment = {"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin:/bin"}
    completed = subprocess.run(
        command,
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S_PER_BUG,
        check=False,
    )
    failed = [
        line for line in completed.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))
    ]
    if completed.returncode not in (0, 1):
        return (
            False,
            f"pytest could not run (exit {completed.returncode}): {completed.stdout[-400:]}",
        )
    return completed.returncode == 1, failed[0] if failed else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bug", type=int, action="append", default=[], help="a bug's number (default: all)"
    )
    parser.add_argument("--tests", nargs="+", default=list(DEFAULT_TESTS))
    parser.add_argument("--all-stores", action="store_true", help="run the PostgreSQL tests too")
    arguments = parser.parse_args()
    chosen = arguments.bug or range(1, len(BUGS) + 1)
    caught = 0
    with tempfile.TemporaryDirectory(prefix="planted-") as temporary:
        project = Path(temporary)
        copy_project(project)
        for number in chosen:
            bug = BUGS[number - 1]
            target = project / "src" / "socialcredit" / bug.path
            original = target.read_text()
            if original.count(bug.old) != 1:
                print(f"{number:2}. stale   {bug.name}: the patch no longer applies", flush=True)
                continue
            target.write_text(original.replace(bug.old, bug.new))
            started = time.monotonic()
            try:
                found, test = run_tests(project, arguments.tests, arguments.all_stores)
            finally:
                target.write_text(original)
            caught += found
            verdict = "caught" if found else "MISSED"
            print(
                f"{number:2}. {verdict:7} {bug.name} ({time.monotonic() - started:.0f} s) {test}",
                flush=True,
            )
    print(f"caught {caught} of {len(chosen)}")
    return 0 if caught == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
