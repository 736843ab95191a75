"""Defect 13: one party cannot fill a subject's who-looked list. The file shows the latest page
and the repeated looks summed up by party and purpose; older pages come from
`GET /v1/subjects/{id}/views?page=`. On both stores."""

from __future__ import annotations

from pathlib import Path

from socialcredit.domain.file import VIEWS_PAGE_ROWS
from tests.helpers import PERSON, form_token, record, write_records
from tests.service.conftest import Api

CHECKS = VIEWS_PAGE_ROWS + 7


def test_the_access_log_is_paged_and_repeated_checks_summed_up(api: Api, tmp_path: Path) -> None:
    records = [record("c1", "court.judgment_default", PERSON, "2026-01-05")]
    api.registry.ingest(write_records(tmp_path / "court.csv", records), "court")
    for _ in range(CHECKS):
        api.registry.check(PERSON, "no_air_travel", "civil-aviation", "ticket sale")
    api.registry.check(PERSON, "no_air_travel", "civil-aviation", "refund")
    own = api.client.get(f"/v1/subjects/{PERSON}", headers=api.as_("subject")).json()
    assert own["views_total"] == CHECKS + 2  # every check, and this look
    assert len(own["views"]) == VIEWS_PAGE_ROWS  # the latest page, oldest first
    assert own["views"][-1]["channel"] == "api" and own["views"][-2]["purpose"] == "refund"
    (repeated,) = own["views_repeated"]  # "refund" was asked once: not repeated
    assert (repeated["viewer"], repeated["purpose"], repeated["looks"], repeated["applied"]) == (
        "civil-aviation",
        "ticket sale",
        CHECKS,
        CHECKS,
    )
    first = api.client.get(f"/v1/subjects/{PERSON}/views", headers=api.as_("subject")).json()
    assert (first["page"], first["pages"], first["total"]) == (1, 2, CHECKS + 2)
    assert [view["channel"] for view in first["views"][:2]] == ["api", "check"]  # newest first
    second = api.client.get(
        f"/v1/subjects/{PERSON}/views", params={"page": 2}, headers=api.as_("subject")
    ).json()
    assert len(second["views"]) == CHECKS + 2 - VIEWS_PAGE_ROWS
    assert second["views"][-1]["purpose"] == "ticket sale" and second["views"][-1]["applies"]
    # Reading the log is not a look; a party or another subject may not read it.
    again = api.client.get(f"/v1/subjects/{PERSON}/views", headers=api.as_("subject")).json()
    assert again["total"] == CHECKS + 2
    for key in ("civil-aviation", "court"):
        response = api.client.get(f"/v1/subjects/{PERSON}/views", headers=api.as_(key))
        assert response.status_code == 403
    bad = api.client.get(
        f"/v1/subjects/{PERSON}/views", params={"page": 0}, headers=api.as_("subject")
    )
    assert bad.status_code == 422


def test_the_web_page_pages_the_looks_and_sums_up_repeated_ones(api: Api, tmp_path: Path) -> None:
    records = [record("c1", "court.judgment_default", PERSON, "2026-01-05")]
    api.registry.ingest(write_records(tmp_path / "court.csv", records), "court")
    for _ in range(CHECKS):
        api.registry.check(PERSON, "no_air_travel", "civil-aviation", "ticket sale")
    token = form_token(api.client.get("/sign-in").text)
    signed_in = api.client.post(
        "/sign-in", data={"key": api.keys["subject"], "csrf_token": token}, follow_redirects=False
    )
    assert signed_in.status_code == 303
    file_page = api.client.get("/my-file").text
    assert f"{CHECKS + 1} looks in all" in file_page and "Repeated looks" in file_page
    first = api.client.get("/my-file/views").text
    assert "Page 1 of 2" in first and "Older looks" in first and "Newer looks" not in first
    second = api.client.get("/my-file/views", params={"page": 2}).text
    assert "Page 2 of 2" in second and "Newer looks" in second
    assert second.count("<tr><td>") == CHECKS + 1 - VIEWS_PAGE_ROWS + 1  # looks, and the summary
