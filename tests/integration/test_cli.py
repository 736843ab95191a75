"""The `scs` command line (SPEC §6): outputs and exit codes, on both stores."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records


@pytest.fixture
def scs(store_url: str):
    runner = CliRunner()

    def run(*arguments: str):
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False)

    return run


@pytest.fixture
def published(scs, tmp_path: Path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(catalogue_yaml(catalogue_document()))
    result = scs("catalog", "publish", str(path))
    assert result.exit_code == 0, result.output
    return scs


def test_publish_prints_every_problem_and_exits_1(scs, tmp_path: Path) -> None:
    document = catalogue_document()
    document["items"][0]["points"] = "many"
    document["items"][1]["issuers"] = ["ghost"]
    path = tmp_path / "bad.yaml"
    path.write_text(catalogue_yaml(document))
    result = scs("catalog", "publish", str(path))
    assert result.exit_code == 1
    assert "the catalogue is invalid (2 problems)" in result.stderr
    assert "item 'traffic.red_light' (items[0]): points" in result.stderr
    assert "issuer 'ghost' is not a declared source" in result.stderr


def test_publish_refuses_an_older_version(published, tmp_path: Path) -> None:
    path = tmp_path / "again.yaml"
    path.write_text(catalogue_yaml(catalogue_document()))
    result = published("catalog", "publish", str(path))
    assert result.exit_code == 1
    assert "version: 1 is not higher than the published version 1" in result.stderr
    versions = published("catalog", "versions")
    assert versions.exit_code == 0 and "test-city" in versions.stdout


def test_publish_of_a_missing_file_exits_2(scs, tmp_path: Path) -> None:
    assert scs("catalog", "publish", str(tmp_path / "none.yaml")).exit_code == 2


def test_ingest_exit_codes(published, tmp_path: Path) -> None:
    good = write_records(
        tmp_path / "r.csv", [record("a", "traffic.red_light", PERSON, "2025-01-01")]
    )
    result = published("ingest", str(good), "--source", "traffic-police")
    assert result.exit_code == 0
    assert result.stdout.strip() == "accepted 1, duplicates 0, rejected 0"
    assert published("ingest", str(tmp_path / "missing.csv"), "--source", "court").exit_code == 2
    odd = tmp_path / "r.xlsx"
    odd.write_text("x")
    unknown_format = published("ingest", str(odd), "--source", "court")
    assert unknown_format.exit_code == 2 and "unknown format" in unknown_format.stderr
    unknown_source = published("ingest", str(good), "--source", "nobody")
    assert unknown_source.exit_code == 2 and "unknown source 'nobody'" in unknown_source.stderr


def test_ingest_with_every_row_rejected_still_exits_0(published, tmp_path: Path) -> None:
    bad = write_records(tmp_path / "bad.jsonl", [record("a", "nope", PERSON, "2025-01-01")])
    rejects = tmp_path / "out" / "rejects.csv"
    result = published("ingest", str(bad), "--source", "court", "--rejects", str(rejects))
    assert result.exit_code == 0
    assert result.stdout.strip() == "accepted 0, duplicates 0, rejected 1"
    assert "unknown item 'nope'" in rejects.read_text()
    batches = published("batches")
    assert "bad.jsonl" in batches.stdout
    listed = published("rejected", "1")
    assert "unknown item" in listed.stdout
    assert published("rejected", "99").exit_code == 1


def test_score_writes_csv_or_parquet(published, tmp_path: Path) -> None:
    path = write_records(
        tmp_path / "r.csv", [record("a", "court.judgment_default", PERSON, "2025-01-01")]
    )
    published("ingest", str(path), "--source", "court")
    csv_out, parquet_out = tmp_path / "s.csv", tmp_path / "s.parquet"
    assert published("score", "--as-of", "2025-06-01", "--out", str(csv_out)).exit_code == 0
    assert csv_out.read_bytes() == (
        b"subject_id,kind,score,tier,lists\r\n" + f"{PERSON},person,900,B,blacklist\r\n".encode()
    )
    assert published("score", "--as-of", "2025-06-01", "--out", str(parquet_out)).exit_code == 0
    assert pl.read_parquet(parquet_out).rows() == [(PERSON, "person", 900, "B", "blacklist")]


def test_score_before_the_first_catalogue_and_bad_dates(published, tmp_path: Path) -> None:
    early = published("score", "--as-of", "2023-12-31", "--out", str(tmp_path / "s.csv"))
    assert (
        early.exit_code == 1 and "no catalogue version is in effect on 2023-12-31" in early.stderr
    )
    bad = published("score", "--as-of", "31/12/2024", "--out", str(tmp_path / "s.csv"))
    assert bad.exit_code == 2 and "is not a date" in bad.stderr


def test_show_prints_the_file_and_logs_the_look(published, tmp_path: Path) -> None:
    path = write_records(
        tmp_path / "r.csv", [record("a", "court.judgment_default", PERSON, "2025-01-01")]
    )
    published("ingest", str(path), "--source", "court")
    text = published("show", PERSON.lower(), "--as-of", "2025-06-01", "--viewer", "clerk-7")
    assert text.exit_code == 0, text.output
    assert "score 900" in text.stdout and "court.judgment_default" in text.stdout
    shown = published(
        "show",
        PERSON,
        "--as-of",
        "2025-06-01",
        "--json",
        "--viewer",
        "bank-desk",
        "--purpose",
        "loan",
    )
    document = json.loads(shown.stdout)
    assert document["score"] == 900 and document["lists"] == ["blacklist"]
    assert document["counting_records"][0]["legal_basis"] == "Civil Procedure Law art. 262"
    assert document["counting_records"][0]["reference"] == "DOC-a"
    assert [view["viewer"] for view in document["views"]] == ["clerk-7", "bank-desk"]
    assert document["views"][1]["purpose"] == "loan"


def test_show_without_a_file_or_with_a_bad_identifier(published) -> None:
    missing = published("show", PERSON, "--as-of", "2025-06-01")
    assert missing.exit_code == 1 and "no credit file" in missing.stderr
    invalid = published("show", "12345", "--as-of", "2025-06-01")
    assert invalid.exit_code == 1 and "not a valid identifier" in invalid.stderr


def test_a_bad_store_url_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["catalog", "versions", "--db", "mysql://x"])
    assert result.exit_code == 2 and "unsupported store URL" in result.stderr


# -- the store flag ----------------------------------------------------------------------------

# Every command that opens a store, with arguments that let it run on an empty store.
STORE_COMMANDS = [
    ["catalog", "versions"],
    ["batches"],
    ["rejected", "1"],
    ["score", "--as-of", "2025-06-01", "--out", "{tmp}/scores.csv"],
    ["show", PERSON, "--as-of", "2025-06-01"],
    ["ingest", "{tmp}/r.csv", "--source", "court"],
    ["catalog", "publish", "{tmp}/catalogue.yaml"],
]


@pytest.mark.parametrize("position", ["before", "after", "between"])
@pytest.mark.parametrize("command", STORE_COMMANDS, ids=lambda command: " ".join(command[:2]))
def test_the_db_flag_wins_over_the_environment(
    tmp_path: Path, command: list[str], position: str
) -> None:
    """The flag is read by the command line, the same for either store: SQLite suffices."""
    store_url = f"sqlite:///{tmp_path / 'flag.db'}"
    (tmp_path / "catalogue.yaml").write_text(catalogue_yaml(catalogue_document()))
    write_records(tmp_path / "r.csv", [record("a", "court.judgment_default", PERSON, "2025-01-01")])
    runner = CliRunner(env={"SCS_DB": "mysql://the-environment-must-lose"})
    assert (
        runner.invoke(
            app, ["catalog", "publish", str(tmp_path / "catalogue.yaml"), "--db", store_url]
        ).exit_code
        == 0
    )
    arguments = [part.replace("{tmp}", str(tmp_path)) for part in command]
    if position == "before":
        arguments = ["--db", store_url, *arguments]
    elif position == "after":
        arguments = [*arguments, "--db", store_url]
    else:  # after the first word: the group, or the command itself
        arguments = [arguments[0], "--db", store_url, *arguments[1:]]
    result = runner.invoke(app, arguments)
    assert "the-environment-must-lose" not in result.output
    assert result.exit_code in (0, 1), result.output


def test_the_environment_names_the_store_when_no_flag_does(store_url: str, tmp_path: Path) -> None:
    (tmp_path / "catalogue.yaml").write_text(catalogue_yaml(catalogue_document()))
    runner = CliRunner(env={"SCS_DB": store_url})
    assert (
        runner.invoke(app, ["catalog", "publish", str(tmp_path / "catalogue.yaml")]).exit_code == 0
    )
    assert "test-city" in runner.invoke(app, ["catalog", "versions", "--db", store_url]).stdout


def _commands(group, path=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def test_every_command_and_group_that_opens_a_store_takes_the_db_flag() -> None:
    """Commands added later are held to it too: a store flag in every place it may be given."""
    import typer

    root = typer.main.get_command(app)
    storeless = {("synth",)}
    for path, command in _commands(root):
        if path in storeless:
            continue
        flags = [parameter for parameter in command.params if "--db" in parameter.opts]
        assert flags, path
        # An envvar on the option would let $SCS_DB override a --db given before the command.
        assert all(not getattr(flag, "envvar", None) for flag in flags), path
        group = root
        for name in path[:-1]:
            group = group.commands[name]
            assert any("--db" in parameter.opts for parameter in group.params), path


# Every option that takes a date, with a command line that reaches the date's check.
DATE_OPTIONS = [
    ["score", "--out", "{tmp}/s.csv", "--as-of"],
    ["show", PERSON, "--as-of"],
    ["check", PERSON, "--measure", "m", "--party", "p", "--purpose", "x", "--as-of"],
    ["objection", "file", "--source", "court", "--record", "a", "--reason", "x", "--on"],
    ["objection", "uphold", "1", "--on"],
]


@pytest.mark.parametrize("command", DATE_OPTIONS, ids=lambda command: " ".join(command[:2]))
@pytest.mark.parametrize(
    "text",
    ["20250101", "2025-1-1", "2025-W01-3", "2025-01-01T00:00", "٢٠٢٥-٠١-٠١", "2025-02-30", ""],
)
def test_dates_are_taken_only_as_yyyy_mm_dd(tmp_path: Path, command: list[str], text: str) -> None:
    store_url = f"sqlite:///{tmp_path / 'dates.db'}"
    arguments = [part.replace("{tmp}", str(tmp_path)) for part in command]
    result = CliRunner().invoke(app, [*arguments, text, "--db", store_url])
    assert result.exit_code == 2, result.output
    assert "is not a date (YYYY-MM-DD)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- outputs and stores that cannot be used: one line, exit 2 -----------------------------------


def _one_line_error(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize("where", ["folder", "under a file", "under /dev/null"])
def test_score_out_that_cannot_be_written_is_refused_before_scoring(
    published, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from socialcredit.registry import Registry

    def no_scoring(*arguments):
        raise AssertionError("scored although the output cannot be written")

    monkeypatch.setattr(Registry, "score_all", no_scoring)
    (tmp_path / "a-file").write_text("x")
    out = {
        "folder": tmp_path,
        "under a file": tmp_path / "a-file" / "scores.csv",
        "under /dev/null": Path("/dev/null/scores.csv"),
    }[where]
    line = _one_line_error(published("score", "--as-of", "2025-06-01", "--out", str(out)))
    assert str(out) in line


def test_a_db_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.db"
    text_file.write_text("these are my notes, not a database\n" * 100)
    for arguments in (
        ["catalog", "versions"],
        ["score", "--out", str(tmp_path / "s.csv")],
        ["batches"],
    ):
        line = _one_line_error(
            CliRunner().invoke(app, [*arguments, "--db", f"sqlite:///{text_file}"])
        )
        assert "not a database" in line
    assert text_file.read_text().startswith("these are my notes")
    line = _one_line_error(CliRunner().invoke(app, ["batches", "--db", f"sqlite:///{tmp_path}"]))
    assert "cannot open the store" in line


def test_a_store_locked_by_a_long_ingest_is_waited_for_then_said_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite only: PostgreSQL has no store-wide write lock."""
    import sqlite3
    import time

    from socialcredit.store import connections

    store_url = f"sqlite:///{tmp_path / 'busy.db'}"
    runner = CliRunner()
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(catalogue_yaml(catalogue_document()))
    assert (
        runner.invoke(app, ["catalog", "publish", str(catalogue), "--db", store_url]).exit_code == 0
    )
    records = write_records(
        tmp_path / "r.csv", [record("a", "court.judgment_default", PERSON, "2025-01-01")]
    )
    assert (
        runner.invoke(
            app, ["ingest", str(records), "--source", "court", "--db", store_url]
        ).exit_code
        == 0
    )
    monkeypatch.setattr(connections, "SQLITE_BUSY_TIMEOUT_MS", 300)
    ingest_in_progress = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    ingest_in_progress.execute("BEGIN IMMEDIATE")  # what a long ingest holds
    try:
        version_2 = tmp_path / "v2.yaml"
        # Effective in the future: a store with records takes no back-dated rule (SPEC §10.6).
        version_2.write_text(catalogue_yaml(catalogue_document(2, "2099-01-01")))
        for arguments in (
            ["ingest", str(records), "--source", "court"],
            ["catalog", "publish", str(version_2)],
            ["show", PERSON, "--as-of", "2025-06-01"],
        ):
            started = time.monotonic()
            line = _one_line_error(runner.invoke(app, [*arguments, "--db", store_url]))
            assert "busy" in line and "try again" in line, line
            assert time.monotonic() - started < 10
        # Reading goes on while the ingest writes.
        scored = runner.invoke(
            app,
            ["score", "--as-of", "2025-06-01", "--out", str(tmp_path / "s.csv"), "--db", store_url],
        )
        assert scored.exit_code == 0, scored.output
    finally:
        ingest_in_progress.execute("ROLLBACK")
        ingest_in_progress.close()


def test_batches_page_and_say_when_there_are_more(published, tmp_path: Path) -> None:
    for number in range(1, 4):
        path = write_records(
            tmp_path / f"file-{number}.csv",
            [record(f"a{number}", "court.judgment_default", PERSON, "2025-01-01")],
        )
        assert published("ingest", str(path), "--source", "court").exit_code == 0
    first_page = published("batches", "--limit", "2")
    assert first_page.exit_code == 0
    assert "file-3.csv" in first_page.stdout and "file-2.csv" in first_page.stdout
    assert "file-1.csv" not in first_page.stdout
    assert "scs batches --limit 2 --before 2" in first_page.stdout
    second_page = published("batches", "--limit", "2", "--before", "2")
    assert "file-1.csv" in second_page.stdout and "file-2.csv" not in second_page.stdout
    assert "--before" not in second_page.stdout
    everything = published("batches")
    assert all(f"file-{number}.csv" in everything.stdout for number in range(1, 4))
    assert "--before" not in everything.stdout
    refused = published("batches", "--limit", "0")
    assert (
        refused.exit_code == 2 and "--limit" in refused.output and "Traceback" not in refused.output
    )


# -- a read-only store ----------------------------------------------------------------------------


def _run_unprivileged(arguments: list[str]):
    """`scs` in a process of its own that file permissions bind: as root, without the
    capabilities that let root write anything (setpriv, from util-linux)."""
    import os
    import shutil
    import subprocess
    import sys

    command = [sys.executable, "-m", "socialcredit", *arguments]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "tests run as root: setpriv (util-linux) is needed to drop root's overrides"
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("read_only", ["file and folder", "file"])
def test_a_read_only_store_can_be_scored_and_shown_not_changed(
    tmp_path: Path, read_only: str
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    store_url = f"sqlite:///{folder / 'registry.db'}"
    runner = CliRunner()
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(catalogue_yaml(catalogue_document()))
    assert (
        runner.invoke(app, ["catalog", "publish", str(catalogue), "--db", store_url]).exit_code == 0
    )
    records = write_records(
        tmp_path / "r.csv", [record("a", "court.judgment_default", PERSON, "2025-01-01")]
    )
    assert (
        runner.invoke(
            app, ["ingest", str(records), "--source", "court", "--db", store_url]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app, ["show", PERSON, "--as-of", "2025-06-01", "--viewer", "clerk", "--db", store_url]
        ).exit_code
        == 0
    )
    version_2 = tmp_path / "v2.yaml"
    version_2.write_text(catalogue_yaml(catalogue_document(2, "2099-01-01")))
    (folder / "registry.db").chmod(0o444)
    if read_only == "file and folder":
        folder.chmod(0o555)
    try:
        scores = tmp_path / "scores.csv"
        scored = _run_unprivileged(
            ["score", "--as-of", "2025-06-01", "--out", str(scores), "--db", store_url]
        )
        assert scored.returncode == 0, scored.stderr
        assert f"{PERSON},person,900,B,blacklist" in scores.read_text()
        shown = _run_unprivileged(
            [
                "show",
                PERSON,
                "--as-of",
                "2025-06-01",
                "--json",
                "--viewer",
                "auditor",
                "--db",
                store_url,
            ]
        )
        assert shown.returncode == 0, shown.stderr
        document = json.loads(shown.stdout)
        assert document["score"] == 900
        assert [view["viewer"] for view in document["views"]] == [
            "clerk"
        ]  # the look was not logged...
        assert (
            shown.stderr.strip()
            == "note: the store is read-only, so this look was not logged in the file's access log"
        )
        if read_only == "file":
            return  # what follows reads the same either way; each run costs a process
        for arguments in (
            [
                "ingest",
                str(records),
                "--source",
                "court",
                "--rejects",
                str(tmp_path / "rejects.csv"),
            ],
            ["catalog", "publish", str(version_2)],
        ):
            changed = _run_unprivileged([*arguments, "--db", store_url])
            assert changed.returncode == 2, changed.stderr
            assert (
                "Traceback" not in changed.stderr and len(changed.stderr.strip().splitlines()) == 1
            ), changed.stderr
            assert "read-only" in changed.stderr
        out_in_the_archive = _run_unprivileged(
            ["score", "--out", str(folder / "s.csv"), "--db", store_url]
        )
        assert (
            out_in_the_archive.returncode == 2 and "may not be written" in out_in_the_archive.stderr
        )
    finally:
        folder.chmod(0o755)
        (folder / "registry.db").chmod(0o644)


@pytest.mark.parametrize(
    "arguments",
    [
        ["rejected", "99999999999999999999999"],
        ["batches", "--before", "99999999999999999999999"],
        ["objection", "uphold", "99999999999999999999999"],
    ],
    ids=lambda arguments: arguments[0],
)
def test_ids_beyond_64_bits_are_refused_as_arguments(published, arguments: list[str]) -> None:
    result = published(*arguments)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Invalid value" in result.output


@pytest.mark.parametrize(
    "command",
    [["synth", "--persons", "5", "--orgs", "2", "--years", "1"], ["demo", "--scale", "0.001"]],
)
def test_a_city_folder_that_cannot_be_made_is_one_line(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "a-file").write_text("x")
    store = ["--db", f"sqlite:///{tmp_path / 'demo.db'}"] if command[0] == "demo" else []
    result = CliRunner().invoke(app, [*command, "--out", str(tmp_path / "a-file" / "city"), *store])
    line = _one_line_error(result)
    assert "--out" in line and "a-file" in line
