"""The guard reads Chinese, English and accented Latin text (issue 8, item 1): the examples
the issue names, refused or published exactly as it says, and the normalization that lets a
term match whatever the script, width, case or accent encoding of the item."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.catalogue.prohibited import find_prohibited_ground, normalized

REFUSED = [
    ("越级上访", "petitions_and_complaints"),
    ("参加宗教活动", "religion"),
    ("网络发表不当言论", "speech"),
    ("Took part in a rally", "assembly_and_strikes"),
    ("Attended mass", "religion"),
    ("Tested positive for hepatitis B", "health"),
]

PUBLISHED = [
    "医疗机构违规收费",
    "无偿献血",
    "Donated blood",
    "Fined for a café selling food past its expiry date",
    "Acted in bad faith when performing a contract",
    "Parked in a disabled parking space",
    "占用残疾人专用停车位",
    "受到通报批评",
    "Failed to pay migrant workers' wages",
]


@pytest.mark.parametrize(("text", "ground"), REFUSED)
def test_the_examples_of_the_issue_are_refused_with_their_ground(text: str, ground: str) -> None:
    found = find_prohibited_ground(text)
    assert found is not None, text
    assert found.ground.name == ground
    assert found.term  # the refusal can name what it matched


@pytest.mark.parametrize("text", PUBLISHED)
def test_ordinary_items_named_by_the_issue_stay_publishable(text: str) -> None:
    assert find_prohibited_ground(text) is None


def test_the_match_names_the_term_as_it_appears_in_the_item() -> None:
    assert find_prohibited_ground("Took part in two rallies").term == "rallies"
    assert find_prohibited_ground("因越级上访被处理").term == "越级上访"
    assert find_prohibited_ground("Was attending Mass weekly").term == "attending mass"


def test_chinese_is_matched_without_spaces_and_inside_longer_text() -> None:
    assert (
        find_prohibited_ground("居民因多次越级上访被扣分").ground.name == "petitions_and_complaints"
    )
    assert find_prohibited_ground("trafficcode.2024", "在微博发表不当言论").ground.name == "speech"
    assert find_prohibited_ground("人员参加宗教活动", "").ground.name == "religion"


def test_an_ordinary_phrase_neutralizes_only_the_term_inside_it() -> None:
    assert find_prohibited_ground("受到通报批评") is None
    # the sanction is ordinary, but criticism of the government in the same item is not
    assert find_prohibited_ground("因批评政府受到通报批评") is not None
    assert find_prohibited_ground("Acted in bad faith") is None
    assert find_prohibited_ground("Acted in bad faith against his religious faith") is not None


def test_english_inflections_are_matched() -> None:
    for text in ("Attends rallies", "Organised a rally", "Rallied outside city hall"):
        assert find_prohibited_ground(text) is not None, text
    for text in ("attended Mass", "attending mass", "Attend mass"):
        assert find_prohibited_ground(text).ground.name == "religion", text


def test_accented_width_and_case_variants_are_read_as_the_plain_word() -> None:
    decomposed = unicodedata.normalize("NFD", "Religión católica")
    assert find_prohibited_ground("Religión católica").ground.name == "religion"
    assert find_prohibited_ground(decomposed).ground.name == "religion"
    assert find_prohibited_ground("Diagnostiqué avec le VIH").ground.name == "health"
    assert (
        find_prohibited_ground("ＲＥＬＩＧＩＯＵＳ service").ground.name == "religion"
    )  # full width
    assert find_prohibited_ground("参加ＲＡＬＬＹ").ground.name == "assembly_and_strikes"
    assert normalized("Café-Straße") == " cafe strasse "


@settings(deadline=None)  # CPU-bound; the machine is shared
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_the_verdict_does_not_depend_on_unicode_encoding_or_case(text: str) -> None:
    verdict = find_prohibited_ground(text)
    ground = verdict and verdict.ground.name
    for variant in (
        unicodedata.normalize("NFD", text),
        unicodedata.normalize("NFC", text),
        text.casefold(),
    ):
        found = find_prohibited_ground(variant)
        assert (found and found.ground.name) == ground, variant


@settings(deadline=None)
@given(
    st.sampled_from(["越级上访", "宗教活动", "不当言论", "attended mass", "tested positive"]),
    st.text(alphabet="的了和在是法规定违收费 ", max_size=10),
    st.text(alphabet="的了和在是法规定违收费 ", max_size=10),
)
def test_a_term_is_found_wherever_it_stands(term: str, before: str, after: str) -> None:
    assert find_prohibited_ground(f"{before}{term}{after}") is not None


@pytest.mark.parametrize(
    "text",
    [
        "旅行社擅自变更旅游行程",  # 旅游 + 行程 holds 游行
        "违反动物防疫规定",  # 违反 + 动物 holds 反动
        "拖欠集团员工工资",  # 集团 + 员工 holds 团员
        "以欺诈性行为骗取财政补贴",  # 欺诈性 + 行为: no term is "性行为"
        "Back-dating contracts",
        "Failed to report animal diseases",
    ],
)
def test_a_term_formed_across_two_words_is_not_a_match(text: str) -> None:
    assert find_prohibited_ground(text) is None


def test_publication_refuses_a_chinese_item_naming_code_ground_and_term() -> None:
    from socialcredit.catalogue.validation import validate_catalogue
    from tests.helpers import catalogue_document

    document = catalogue_document()
    document["items"][0]["title"] = "越级上访"
    problems = validate_catalogue(document).problems
    assert (
        "item 'traffic.red_light': scores a prohibited ground "
        "(petitions and complaints to the authorities): '越级上访'"
    ) in problems, problems
