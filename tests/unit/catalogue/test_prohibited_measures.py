"""The guard reads measures too (SPEC §10.5), and the grounds issue 18 added (SPEC §1: a tip
from the public never moves a score): what the issue names, refused or published as it says."""

from __future__ import annotations

import pytest

from socialcredit.catalogue.prohibited import find_prohibited_ground, find_prohibited_in_measure
from socialcredit.catalogue.validation import validate_catalogue
from tests.helpers import catalogue_document

ISSUE_ITEMS_REFUSED = [
    ("Informed on a neighbour to the police", "informing_on_others"),
    ("举报他人违法行为", "informing_on_others"),
    ("Rewards for reporting others", "informing_on_others"),
    ("Negative attitude towards the government", "attitudes_and_loyalty"),
    ("Poor attitude to work", "attitudes_and_loyalty"),
    ("Patriotism displays in the community", "attitudes_and_loyalty"),
    ("Purchases of alcohol and games", "lifestyle_and_consumption"),
    ("Unhealthy eating habits", "lifestyle_and_consumption"),
    ("Frivolous spending", "lifestyle_and_consumption"),
    ("Reports by grid wardens", "grid_and_neighbourhood_reports"),
    ("网格员上报", "grid_and_neighbourhood_reports"),
    ("越级上访", "petitions_and_complaints"),
    ("信访", "petitions_and_complaints"),
    ("Petitioning higher authorities", "petitions_and_complaints"),
    ("Skipping levels to complain", "petitions_and_complaints"),
    ("非法聚集", "assembly_and_strikes"),
    ("参加集会", "assembly_and_strikes"),
    ("Took part in a strike", "assembly_and_strikes"),
    ("收看境外媒体节目", "reading_and_sharing_media"),
    ("Uses a VPN", "reading_and_sharing_media"),
    ("Shared articles from foreign websites", "reading_and_sharing_media"),
]

# Near-misses of the new terms in ordinary items of the national basic catalogue.
ORDINARY_ITEMS = [
    "Failed to pay social insurance for employees",
    "Commended as a model worker",
    "Blood donation volunteer",
    "违反人民法院限制消费令",
    "未按规定处理消费者投诉举报",
    "打击报复举报人",
    "聚众赌博被行政处罚",
    "网络游戏未按规定落实未成年人防沉迷措施",
    "Damaged power grid facilities",
    "Struck off the register of companies",
    "非法购买烟花爆竹",
]

MEASURES_REFUSED = [
    ("Children of the subject may not enrol in private schools", "relatives", "children"),
    ("子女不得就读私立学校", "relatives", "子女"),
    ("Spouse may not hold public office", "relatives", "spouse"),
    ("配偶不得担任公职", "relatives", "配偶"),
    ("亲属不得报考公务员", "relatives", "亲属"),
    ("Family members lose subsidies", "relatives", "family"),
    ("Barred from religious gatherings", "religion", "religious"),
    ("不得上访", "petitions_and_complaints", "上访"),
]

ORDINARY_MEASURES = [
    "May not buy air tickets",
    "Fast-track approvals",
    "Lower deposit for loans",
    "限制乘坐飞机",
    "优先办理",
    "限制出境",  # an exit ban, in the national basic list of disciplinary measures
    "限制高消费",
    "Restricted from high consumption",
    "May not leave the country",
]


@pytest.mark.parametrize(("text", "ground"), ISSUE_ITEMS_REFUSED)
def test_the_items_of_issue_18_are_refused_with_their_ground(text: str, ground: str) -> None:
    found = find_prohibited_ground(text)
    assert found is not None, text
    assert found.ground.name == ground, found


@pytest.mark.parametrize("text", ORDINARY_ITEMS)
def test_ordinary_items_near_the_new_grounds_stay_publishable(text: str) -> None:
    assert find_prohibited_ground(text) is None


@pytest.mark.parametrize(("title", "ground", "term"), MEASURES_REFUSED)
def test_measures_reaching_relatives_or_a_ground_are_refused(
    title: str, ground: str, term: str
) -> None:
    found = find_prohibited_in_measure(title)
    assert found is not None, title
    assert (found.ground.name, found.term) == (ground, term)


@pytest.mark.parametrize("title", ORDINARY_MEASURES)
def test_ordinary_measures_pass(title: str) -> None:
    assert find_prohibited_in_measure(title) is None


def test_an_item_may_name_a_child_a_measure_may_not() -> None:
    assert find_prohibited_ground("Employed child labour") is None
    assert find_prohibited_in_measure("No child labour contracts").ground.name == "relatives"


def _with_measure(**measure: object) -> dict:
    document = catalogue_document()
    document["measures"].append(
        {"applies_to": {"list": "blacklist"}, "relying_parties": ["schools"], **measure}
    )
    return document


def test_publication_refuses_a_measure_reaching_children_naming_it_and_the_words() -> None:
    document = _with_measure(
        code="private_school_ban",
        title="Children of the subject may not enrol in private schools",
    )
    report = validate_catalogue(document)
    assert not report.valid
    assert report.problems == [
        "measure 'private_school_ban': reaches a prohibited ground (the subject's family or "
        "other relatives; a measure acts on its subject alone): 'children'"
    ]


def test_publication_reads_a_measures_code_and_translated_titles() -> None:
    by_title = _with_measure(
        code="school_ban", title="No private schools", titles={"zh": "子女不得就读私立学校"}
    )
    assert validate_catalogue(by_title).problems == [
        "measure 'school_ban': reaches a prohibited ground (the subject's family or other "
        "relatives; a measure acts on its subject alone): '子女'"
    ]
    by_code = _with_measure(code="spouse.no_public_office", title="No public office")
    assert "'spouse'" in validate_catalogue(by_code).problems[0]


def test_a_measure_with_a_bad_field_still_has_its_grounds_read() -> None:
    document = _with_measure(code="church_ban", title="Barred from church services")
    del document["measures"][-1]["applies_to"]
    problems = validate_catalogue(document).problems
    assert "measure 'church_ban' (measures[1]): applies_to: missing field" in problems
    assert any(
        problem.startswith("measure 'church_ban': reaches a prohibited ground (religion")
        for problem in problems
    ), problems


def test_ordinary_measures_publish() -> None:
    document = catalogue_document()
    for index, title in enumerate(ORDINARY_MEASURES):
        document["measures"].append(
            {"code": f"measure_{index}", "title": title, "applies_to": {"tier": "AAA"}}
        )
    report = validate_catalogue(document)
    assert report.valid, report.problems
