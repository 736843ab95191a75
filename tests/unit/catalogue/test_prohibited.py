"""The prohibited-grounds guard (SPEC §1) in both directions: what it must refuse, and
ordinary items of real catalogues that it must let through."""

from __future__ import annotations

import pytest

from socialcredit.catalogue.prohibited import find_prohibited_ground, prohibited_grounds
from tests.conftest import EXAMPLE_DIRECTORY

REFUSED = [
    ("criticized the government", "speech"),
    ("attended a religious service", "religion"),
    ("friend of a blacklisted person", "social_relationships"),
    ("visited a protest site", "movements_and_location"),
    ("Posted critical comments on social media", "speech"),
    ("Joined a labour union", "membership"),
    ("Member of the party", "membership"),
    ("Prays at the mosque", "religion"),
    ("Belongs to an ethnic minority", "ethnicity"),
    ("Was diagnosed with a mental illness", "health"),
    ("Is pregnant", "health"),
    ("Homosexual conduct", "sexual_life"),
    ("Relative of a dishonest person", "social_relationships"),
    ("Low score of his contacts", "scores_of_others"),
    ("Travelled abroad without notice", "movements_and_location"),
    ("Spread rumours online", "speech"),
    ("Petitioned the provincial government", "petitions_and_complaints"),
    ("political.dissent_score", "political_opinion"),
]

ALLOWED = [
    "failed to pay a court-ordered debt",
    "Donated blood",
    "Volunteered one hour through a registered charity",
    "Drove under the influence",
    "Failed to perform an effective court judgment",
    "Owed major tax arrears",
    "Fined for unsafe products",
    "Filed annual report late",
    "Defaulted on a bank loan",
    "Unpaid electricity bills over 90 days",
    "Environmental emission penalty",
    "Commended by the municipal government",
    "Evaded social insurance contributions",
    "Sold counterfeit goods",
    "Operated without a business licence",
    "Failed to yield to pedestrians",
    "Obstructed an inspection by market regulators",
    "Parent company failed to file consolidated accounts",
    "Food hygiene violation at a restaurant",
]


@pytest.mark.parametrize(("text", "ground"), REFUSED)
def test_prohibited_grounds_are_refused(text: str, ground: str) -> None:
    found = find_prohibited_ground(text)
    assert found is not None, text
    assert found.ground.name == ground


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_items_pass(text: str) -> None:
    assert find_prohibited_ground(text) is None


def test_the_code_and_description_are_checked_too() -> None:
    assert find_prohibited_ground("religion.service_attendance", "Fined", "") is not None
    assert find_prohibited_ground("misc.fine", "A fine", "for friends of debtors") is not None


def test_the_example_catalogue_items_pass() -> None:
    import ryaml

    for name in ("catalog-v1.yaml", "catalog-v2.yaml"):
        document = ryaml.loads((EXAMPLE_DIRECTORY / name).read_text())
        for item in document["items"]:
            assert find_prohibited_ground(item["code"], item["title"]) is None, item["code"]


def test_every_ground_of_spec_section_1_is_covered() -> None:
    names = {ground.name for ground in prohibited_grounds()}
    assert names == {
        "political_opinion",
        "speech",
        "religion",
        "ethnicity",
        "membership",
        "health",
        "sexual_life",
        "social_relationships",
        "scores_of_others",
        "movements_and_location",
        # issue 18
        "petitions_and_complaints",
        "assembly_and_strikes",
        "reading_and_sharing_media",
        "informing_on_others",
        "attitudes_and_loyalty",
        "lifestyle_and_consumption",
        "grid_and_neighbourhood_reports",
    }
    assert all(ground.english and ground.chinese for ground in prohibited_grounds())


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (("published (an article)",), ()),  # a space inside parentheses
        (("Published",), ()),  # not lower case
        (("politic* science",), ()),  # `*` before the last word
        ((), ("上 访",)),  # a Chinese term with a space
        ((), ("rally",)),  # an English word among the Chinese terms
    ],
)
def test_malformed_terms_are_refused_when_the_guard_is_built(english, chinese) -> None:
    from socialcredit.catalogue.prohibited import BadTerm, Ground, Guard

    with pytest.raises(BadTerm):
        Guard((Ground("bad", "a bad term", tuple(english), tuple(chinese)),))


def test_a_term_under_two_grounds_is_refused() -> None:
    from socialcredit.catalogue.prohibited import BadTerm, Ground, Guard

    with pytest.raises(BadTerm):
        Guard((Ground("one", "one", ("rally",), ()), Ground("two", "two", ("rallies",), ())))


def test_terms_match_whole_words() -> None:
    assert find_prohibited_ground("contemplated the temple") is not None
    assert find_prohibited_ground("contemplated the sunset") is None
