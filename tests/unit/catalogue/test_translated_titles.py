"""Titles in other languages (`titles: {zh: …}`) are kept, shown by the web pages, and held
to the same prohibited-grounds guard as the title of record."""

from __future__ import annotations

from socialcredit.catalogue.validation import validate_catalogue
from tests.helpers import catalogue_document


def test_translated_titles_are_kept_without_warnings() -> None:
    document = catalogue_document()
    document["items"][0]["titles"] = {"zh": "闯红灯"}
    document["lists"]["blacklist"]["titles"] = {"zh": "严重失信主体名单"}
    report = validate_catalogue(document)
    assert report.valid, report.problems
    assert report.warnings == []
    assert report.catalogue.items[0].titles == {"zh": "闯红灯"}
    assert report.catalogue.lists["blacklist"].titles["zh"] == "严重失信主体名单"


def test_a_translated_title_on_a_prohibited_ground_is_refused() -> None:
    document = catalogue_document()
    document["items"][0]["titles"] = {"fr": "Joined a political protest"}
    problems = validate_catalogue(document).problems
    assert any(
        "prohibited ground" in problem and "traffic.red_light" in problem for problem in problems
    )


def test_a_translation_needs_a_language_code() -> None:
    document = catalogue_document()
    document["items"][0]["titles"] = {"Chinese!": "闯红灯"}
    assert not validate_catalogue(document).valid
