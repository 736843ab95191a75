from socialcredit.synth.catalogue import ITEMS, LISTS, MEASURES
from socialcredit.synth.catalogue_chinese import ITEM_TITLES, LIST_TITLES, MEASURE_TITLES


def test_every_item_list_and_measure_of_the_city_has_a_chinese_title() -> None:
    assert {item.code for item in ITEMS} == set(ITEM_TITLES)
    assert set(LISTS) == set(LIST_TITLES)
    assert {measure.code for measure in MEASURES} == set(MEASURE_TITLES)
    assert all(
        title.strip()
        for title in [*ITEM_TITLES.values(), *LIST_TITLES.values(), *MEASURE_TITLES.values()]
    )
