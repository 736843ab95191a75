"""The demo nation's national catalogue (SPEC §11): the lists that apply in every city.

Two national sources keep them: the Supreme People's Court's enforcement information system
(the list of dishonest judgment debtors, 法释〔2017〕7号) and the State Taxation Administration
(major tax violators, State Taxation Administration Order 54). Their items score nothing
(`points: 0`): a national record only puts its subject on a national list, for the list's
period (two years for the court's list, art. 2 of 法释〔2017〕7号; three years for the tax list,
an assumption: the period is not confirmed in the sources we read). The sanctions that follow
from the lists (no air or high-speed rail tickets, no high consumption, tax inspection first)
are national measures, each with its legal basis (SPEC §10.5).

A national record follows a city court's or tax bureau's serious decision: a city's record of
an item that, alone, would put its subject on one of these lists (`synth.catalogue`'s
`NATIONAL_LISTS`) is sent on to the national source, naming the same act.
"""

from __future__ import annotations

from socialcredit.synth.catalogue import (
    DEBTOR_LIST_BASIS,
    DEBTOR_MEASURES_BASIS,
    ITEM_LISTS,
    ITEMS,
    NATIONAL_LISTS,
    TAX_VIOLATORS_BASIS,
    CatalogueSpec,
    ItemSpec,
    MeasureSpec,
)
from socialcredit.synth.catalogue_chinese import LIST_TITLES, MEASURE_TITLES

NATIONAL = "national"
COURT_LIST_DAYS = 730  # 法释〔2017〕7号 art. 2: two years
TAX_LIST_DAYS = 1095  # three years: assumed (not confirmed in the sources read)

NATIONAL_SECTORS = {
    "courts": {"supreme-court": "Supreme People's Court (national enforcement information system)"},
    "tax": {"tax-administration": "State Taxation Administration"},
}


def _item(code: str, title: str, subject: str, days: int, sector: str, listed: str, basis: str):
    return ItemSpec(code, title, subject, 0, days, sector, basis, 0.0, lists=(listed,))


NATIONAL_ITEMS = (
    _item(
        "national.dishonest_debtor",
        "Listed as a dishonest judgment debtor",
        "person",
        COURT_LIST_DAYS,
        "courts",
        "dishonest_debtors",
        DEBTOR_LIST_BASIS + " arts. 1–2",
    ),
    _item(
        "national.dishonest_debtor_organization",
        "Organization listed as a dishonest judgment debtor",
        "organization",
        COURT_LIST_DAYS,
        "courts",
        "dishonest_debtors",
        DEBTOR_LIST_BASIS + " arts. 1–2",
    ),
    _item(
        "national.major_tax_violator",
        "Listed as a major tax violator",
        "person",
        TAX_LIST_DAYS,
        "tax",
        "major_tax_violators",
        TAX_VIOLATORS_BASIS,
    ),
    _item(
        "national.major_tax_violator_organization",
        "Organization listed as a major tax violator",
        "organization",
        TAX_LIST_DAYS,
        "tax",
        "major_tax_violators",
        TAX_VIOLATORS_BASIS,
    ),
)
NATIONAL_ITEM_TITLES = {
    "national.dishonest_debtor": "纳入失信被执行人名单",
    "national.dishonest_debtor_organization": "企业纳入失信被执行人名单",
    "national.major_tax_violator": "纳入重大税收违法失信主体名单",
    "national.major_tax_violator_organization": "企业纳入重大税收违法失信主体名单",
}
NATIONAL_MEASURES = (
    MeasureSpec(
        "no_air_travel",
        "May not buy air tickets",
        "sanction",
        {"list": "dishonest_debtors"},
        ("civil-aviation",),
        DEBTOR_MEASURES_BASIS,
    ),
    MeasureSpec(
        "no_high_speed_rail",
        "May not buy high-speed rail tickets",
        "sanction",
        {"list": "dishonest_debtors"},
        ("railway",),
        DEBTOR_MEASURES_BASIS,
    ),
    MeasureSpec(
        "no_high_consumption",
        "May not stay in star-rated hotels, play golf or buy real estate",
        "sanction",
        {"list": "dishonest_debtors"},
        ("hotels", "real-estate-registries"),
        "Provisions on Restricting High Consumption of Judgment Debtors (法释〔2015〕17号) art. 3",
    ),
    MeasureSpec(
        "tax_inspection_priority",
        "Inspected first by the tax authorities",
        "sanction",
        {"list": "major_tax_violators"},
        ("tax-offices",),
        TAX_VIOLATORS_BASIS + " art. 14",
    ),
)
NATIONAL_MEASURE_TITLES = {**MEASURE_TITLES, "no_high_consumption": "限制高消费"}


def national_catalogue() -> CatalogueSpec:
    """The national catalogue: sources, items with points 0, lists and sanctions; no base
    score, tiers or score lists (SPEC §11)."""
    return CatalogueSpec(
        catalog=NATIONAL,
        jurisdiction=NATIONAL,
        base_score=None,
        tiers=(),
        sectors=NATIONAL_SECTORS,
        items=NATIONAL_ITEMS,
        item_lists={name: ITEM_LISTS[name] for name in NATIONAL_LISTS},
        score_lists={},
        measures=NATIONAL_MEASURES,
        national_floors={},
        list_titles=LIST_TITLES,
        item_titles=NATIONAL_ITEM_TITLES,
        measure_titles=NATIONAL_MEASURE_TITLES,
    )


def _national_item(item: ItemSpec) -> str | None:
    """The national item a city's record of `item` is sent on as, if any."""
    for listed in item.lists:
        if listed in NATIONAL_LISTS:
            suffix = "" if item.subject == "person" else "_organization"
            return {
                "dishonest_debtors": "national.dishonest_debtor",
                "major_tax_violators": "national.major_tax_violator",
            }[listed] + suffix
    return None


# A city's item (by code, as Rongcheng's catalogue alone has it) -> the national item.
NATIONAL_ITEM_OF: dict[str, str] = {
    item.code: national for item in ITEMS if (national := _national_item(item)) is not None
}
