"""The synthetic city through the real ingest path, on both stores: every file reports
exactly what the manifest declares; `scs demo --small` looks like a real city (each realism
figure within its range); and `scs demo` end to end."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.registry import Registry
from socialcredit.synth.city import CityManifest, CityPlan, write_city
from socialcredit.synth.demo import demo_plan, nation_plan, run_demo, run_nation
from socialcredit.synth.nation import NationManifest
from socialcredit.synth.objections import object_and_answer
from socialcredit.synth.repairs import apply_and_decide
from socialcredit.synth.scale import RONGCHENG, SMALL_SCALE
from tests.conftest import TODAY


def test_every_file_of_the_city_ingests_as_its_manifest_says(
    registry: Registry, tmp_path: Path
) -> None:
    plan = CityPlan(RONGCHENG.resized(2000, 150), seed=2, years=2, today=TODAY.date())
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
    repairs = apply_and_decide(registry, 2150, seed=2, per_1000=20)
    assert repairs.applied == 43 == sum(repairs.by_state.values())
    assert repairs.by_state["granted"] > repairs.applied / 3 and repairs.by_state["refused"] > 0
    population = registry.population(TODAY.date())
    # The batch scorer and each file agree where a repair was granted.
    for repair in registry.repairs():
        (subject_file,) = registry.subject_files(
            repair.subject_id, TODAY.date(), "test", "test", "test"
        )
        batch = population.scores.filter(subject_id=repair.subject_id, kind=repair.subject_kind)
        assert batch["score"].to_list() == [subject_file.score.score]
        if repair.state == "granted":
            counting = {(r.source, r.record_id) for r in subject_file.document.counting_records}
            assert (repair.source, repair.record_id) not in counting
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


def test_the_small_demo_city_looks_like_a_real_one(registry: Registry, tmp_path: Path) -> None:
    plan = demo_plan(SMALL_SCALE, seed=1, years=3, today=TODAY.date())
    report = run_demo(registry, plan, tmp_path / "city", lambda *_: None)
    outside = [
        f"{figure.name}: {figure.shown} not in {figure.shown_range}"
        for figure in report.realism
        if not figure.inside
    ]
    assert outside == [] and report.realistic
    figures = {figure.name: figure.value for figure in report.realism}
    assert len(figures) == 8
    assert 0.005 <= figures["persons on a list that carries a sanction, of residents"] <= 0.02
    assert figures["lowest score of any subject"] >= 0
    # The black list is entered through items: nobody is on it for a score alone.
    lists = report.population.scores["lists"].str.split(";").explode()
    assert "blacklist" in set(lists) and "low_score" in set(lists)
    by_score = report.population.scores.filter(
        pl.col("lists").str.contains("low_score") & ~pl.col("lists").str.contains("blacklist")
    )
    assert by_score.height > 0


def test_scs_demo_city_runs_end_to_end(store_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["demo", "--city", "--scale", "0.002", "--out", str(tmp_path / "city"), "--db", store_url],
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
        "Credit repairs",
        "Measures, by how many subjects they apply to",
        "no_air_travel",
        "Realism: the city against real ones",
        "persons on a list that carries a sanction, of residents",
        "Try next",
        "scs show",
        "scs check",
        "scs objection list",
    ):
        assert expected in result.stdout, expected
    again = CliRunner().invoke(
        app,
        ["demo", "--city", "--scale", "0.002", "--out", str(tmp_path / "city"), "--db", store_url],
    )
    assert again.exit_code == 2 and "needs an empty store" in again.stderr


def test_scs_demo_builds_the_nation_end_to_end(store_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["demo", "--scale", "0.002", "--out", str(tmp_path / "nation"), "--db", store_url],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    for expected in (
        "A synthetic nation",
        "Published national v1, rongcheng v1, nanyang v1, suqian v1.",
        "Ingested",
        "Steps of the nation",
        "Rongcheng: tiers",
        "Nanyang: lists",
        "national.dishonest_debtors",
        "Realism: Suqian against real cities",
        "Realism: the nation",
        "cities whose files show the court's national list",
        "Try next",
    ):
        assert expected in result.stdout, expected
    for step in ("generate", "publish", "ingest", "score and measure", "total"):
        assert f"│ {step}" in result.stdout, step
    nation = tmp_path / "nation"
    assert NationManifest.read(nation).cities.keys() == {"rongcheng", "nanyang", "suqian"}
    assert "jurisdiction: national" in (nation / "national" / "catalogue.yaml").read_text()
    again = CliRunner().invoke(
        app, ["demo", "--scale", "0.002", "--out", str(tmp_path / "nation"), "--db", store_url]
    )
    assert again.exit_code == 2 and "needs an empty store" in again.stderr


def test_scs_synth_writes_the_city_and_says_how_large_it_is(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["synth", "--persons", "50", "--orgs", "5", "--years", "1", "--out", str(tmp_path / "c")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "wrote 50 residents and 5 organizations over 1 years" in result.stdout
    manifest = CityManifest.read(tmp_path / "c")
    assert manifest.plan["persons"] == 50 and manifest.plan["jurisdiction"] == "rongcheng"
    assert "jurisdiction: rongcheng" in (tmp_path / "c" / manifest.catalogue).read_text()


def test_the_small_demo_nation_looks_like_real_cities(tmp_path: Path) -> None:
    """`scs demo --small`'s nation, measured (without a store: the figures come from the
    generated records with the batch scorer and SPEC §11)."""
    plan = nation_plan(SMALL_SCALE, seed=1, years=3, today=TODAY.date())
    report = run_nation(plan, tmp_path / "nation", lambda *_: None)
    assert report.realistic, [
        (figure.name, figure.shown)
        for figures in [report.result.realism, *(city.realism for city in report.result.cities)]
        for figure in figures
        if not figure.inside
    ]
    assert [city.city.jurisdiction for city in report.result.cities] == [
        "rongcheng",
        "nanyang",
        "suqian",
    ]
    assert set(report.seconds) == {"generate", "score and measure"}
    assert report.outcomes == {}


def test_every_file_of_the_nation_ingests_as_its_manifest_says(
    registry: Registry, tmp_path: Path
) -> None:
    plan = nation_plan(0.004, seed=3, years=2, today=TODAY.date())
    report = run_nation(plan, tmp_path / "nation", lambda *_: None, registry)
    assert report.published == {"national": 1, "rongcheng": 1, "nanyang": 1, "suqian": 1}
    manifest = NationManifest.read(tmp_path / "nation")
    places = {"national": manifest.national, **manifest.cities}
    assert places.keys() == report.outcomes.keys()
    for jurisdiction, place in places.items():
        assert len(place.sources) == len(report.outcomes[jurisdiction]) > 0
        for source, outcome in zip(place.sources, report.outcomes[jurisdiction], strict=True):
            got = {
                "accepted": outcome.accepted,
                "duplicates": outcome.duplicates,
                "rejected": outcome.rejected,
            }
            assert got == source.expected, source.source
    assert set(registry.jurisdictions.names) == set(places)
    assert registry.jurisdictions.national_lists == {"dishonest_debtors", "major_tax_violators"}
