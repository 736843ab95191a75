"""SPEC §11 on Spark: `scs export --jurisdiction J` writes J's records and versions with the
national snapshot beside them, and the Spark job scores J as the Polars scorer does: national
lists as `national.LIST`, floors on the local score, on both stores."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcredit.registry import Registry
from socialcredit.scoring import spark_job
from tests.integration.test_jurisdictions_registry import DAY
from tests.integration.test_jurisdictions_registry import nation as nation  # noqa: F401


@pytest.fixture(scope="module")
def spark() -> Iterator:
    session = spark_job.local_session(driver_memory="512m")
    yield session
    session.stop()


def test_spark_scores_each_city_as_polars_does(spark, nation: Registry, tmp_path: Path) -> None:  # noqa: F811
    for city in ("alpha", "beta"):
        snapshot = tmp_path / city
        nation.export_snapshot(snapshot, jurisdiction=city)
        manifest = json.loads((snapshot / spark_job.MANIFEST_FILE).read_text())
        assert (manifest["jurisdiction"], manifest["national"]) == (city, "national")
        national = json.loads((snapshot / "national" / spark_job.MANIFEST_FILE).read_text())
        assert national["jurisdiction"] == "national"
        for day in (DAY, dt.date(2025, 3, 15)):
            out = tmp_path / f"{city}-{day}"
            spark_job.write_scores(spark, str(snapshot), day, str(out))
            named = nation.name_scores(out).sort("subject_id", "kind")
            assert named.rows() == nation.score_all(day, city).rows(), (city, day)
    # Beta's floor reaches Spark: 805 floored to 150 by the national listing.
    beta = nation.name_scores(tmp_path / f"beta-{DAY}")
    assert beta.rows() == [
        (beta["subject_id"][0], "person", 150, "D", "low_score;national.dishonest_debtors")
    ]
