"""The synthetic city through the real ingest path, on both stores: every file reports
exactly what the manifest declares; and `scs demo` end to end."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.registry import Registry
from socialcredit.synth.city import CityPlan, write_city
from socialcredit.synth.objections import object_and_answer
from tests.conftest import TODAY


def test_every_file_of_the_city_ingests_as_its_manifest_says(
    registry: Registry, tmp_path: Path
) -> None:
    plan = CityPlan(seed=2, persons=2000, organizations=150, years=2, today=TODAY.date())
    manifest = write_city(plan, tmp_path / "city")
    assert (
        registry.publish_catalogue((tmp_path / "city" / manifest.catalogue).read_text()).version
        == 1
    )
    for source in manifest.sources:
        counts = registry.ingest(tmp_path / "city" / source.file, source.source).counts
        got = {
            "accepted": counts.accepted,
            "duplicates": counts.duplicates,
            "rejected": counts.rejected,
        }
        assert got == source.expected, source.source
    outcome = object_and_answer(registry, 2150, seed=2, per_1000=20)
    assert outcome.filed == 43 == sum(outcome.by_state.values())
    assert outcome.by_state["upheld"] > outcome.filed / 2 and outcome.by_state["overdue"] > 0
    population = registry.population(TODAY.date())
    # The batch scorer and each file agree where an objection is overdue today.
    for objection in registry.objections(open_only=True):
        (subject_file,) = registry.subject_files(
            objection.subject_id, TODAY.date(), "test", "test", "test"
        )
        batch = population.scores.filter(
            subject_id=objection.subject_id, kind=objection.subject_kind
        )
        assert batch["score"].to_list() == [subject_file.score.score]
    assert population.scores.height > 1000
    assert set(population.summary.tiers["tier"]) <= {"AAA", "AA", "A", "B", "C", "D"}
    assert population.contributions["points"].sum() != 0


def test_scs_demo_runs_end_to_end(store_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["demo", "--scale", "0.002", "--out", str(tmp_path / "city"), "--db", store_url],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    for expected in (
        "A synthetic city",
        "Ingested",
        "Tiers",
        "Lists",
        "Items that moved the most points",
        "Objections",
        "Measures, by how many subjects they apply to",
        "no_air_travel",
        "Try next",
        "scs show",
        "scs check",
        "scs objection list",
    ):
        assert expected in result.stdout, expected
    again = CliRunner().invoke(
        app, ["demo", "--scale", "0.002", "--out", str(tmp_path / "city"), "--db", store_url]
    )
    assert again.exit_code == 2 and "needs an empty store" in again.stderr
