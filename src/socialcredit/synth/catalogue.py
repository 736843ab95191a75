"""The synthetic city's catalogue: about 130 items and 143 source organizations.

Drawn from the categories real local catalogues use (court judgments and enforcement, tax,
lending and utility arrears, traffic, public order, market regulation, product and food safety,
environment, labour, customs, construction, work safety, volunteering, blood donation,
commendations at city, district and township level), each item with a legal basis and the
sector whose sources alone may issue it. Every item and measure passes the prohibited-grounds
guard; a test holds it.

The rules of SPEC §10 shape it as a lawful credit office's would be:
- every negative item names its severity, and counts no longer than that severity's window
  (minor up to 90 days, ordinary 90–365, serious 365–1095: the State Council's 2025 notice on
  credit repair and NDRC Order 36);
- a few items escalate repeats (Nanyang doubles a repeated traffic offence within a year), and a
  few cannot be repaired where a law says so;
- sanctions apply only to lists entered through items, each with its legal basis from the
  national basic list of disciplinary measures; lists by score carry rewards or nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from socialcredit.synth.catalogue_chinese import ITEM_TITLES, LIST_TITLES, MEASURE_TITLES
from socialcredit.synth.scale import City

# -- sources, by sector ----------------------------------------------------------------------

DISTRICTS = 8
TRAFFIC_BRIGADES = 12
BANKS = 16
VOLUNTEER_ASSOCIATIONS = 10
TOWNSHIPS = 30


def _numbered(prefix: str, name: str, count: int) -> dict[str, str]:
    return {f"{prefix}-{number:02d}": f"{name} {number}" for number in range(1, count + 1)}


# A sector's sources issue its items and no others: the heating company records heating
# arrears, never water arrears; a court records judgments, never traffic offences.
SECTORS: dict[str, dict[str, str]] = {
    "courts": {
        "court-intermediate": "Intermediate People's Court",
        **_numbered("court-district", "District People's Court", DISTRICTS),
    },
    "tax": {
        "tax-municipal": "Municipal Tax Bureau",
        **_numbered("tax-district", "District Tax Bureau", DISTRICTS),
    },
    "traffic": _numbered("traffic-brigade", "Traffic Police Brigade", TRAFFIC_BRIGADES),
    "public_security": {
        "public-security-municipal": "Municipal Public Security Bureau",
        **_numbered("public-security-district", "District Public Security Bureau", DISTRICTS),
    },
    "market": {
        "market-regulation-municipal": "Municipal Market Regulation Bureau",
        **_numbered("market-regulation-district", "District Market Regulation Bureau", DISTRICTS),
    },
    "environment": {
        "environment-municipal": "Municipal Ecology and Environment Bureau",
        **_numbered("environment-district", "District Environment Office", 4),
    },
    "banks": _numbered("bank", "Commercial Bank", BANKS),
    "power": {"power-grid": "City Power Supply Company"},
    "water": {"water-supply": "City Water Supply Company"},
    "gas": {"gas-company": "City Gas Company"},
    "heating": {"heating-company": "City Heating Company"},
    "telecoms": _numbered("telecom", "Telecommunications Operator", 3),
    "housing_fund": {"housing-fund": "Housing Provident Fund Centre"},
    "social_insurance": {"social-insurance": "Social Insurance Agency"},
    "medical_insurance": {"medical-security": "Medical Security Bureau"},
    "labour": {"labour-inspection": "Labour Inspection Brigade"},
    "charities": {
        "charity-federation": "Charity Federation",
        "red-cross": "Red Cross Society",
        **_numbered(
            "volunteer-association", "Registered Volunteer Association", VOLUNTEER_ASSOCIATIONS
        ),
    },
    "blood": {"blood-centre": "Central Blood Station"},
    "city_government": {"municipal-government": "Municipal People's Government"},
    "district_governments": _numbered(
        "district-government", "District People's Government", DISTRICTS
    ),
    "township_governments": _numbered(
        "township-government", "Township People's Government", TOWNSHIPS
    ),
    "customs": {"customs": "Customs District"},
    "education": {"education-bureau": "Education Bureau"},
    "transport": {"transport-bureau": "Transport Bureau"},
    "construction": {"housing-construction-bureau": "Housing and Urban-Rural Development Bureau"},
    "health": {"health-commission": "Health Commission"},
    "safety": {"emergency-management": "Emergency Management Bureau"},
    "statistics": {"statistics-bureau": "Statistics Bureau"},
    "finance": {"finance-bureau": "Finance Bureau (government procurement)"},
    "land": {"natural-resources-bureau": "Natural Resources Bureau"},
    "tourism": {"culture-tourism-bureau": "Culture and Tourism Bureau"},
    "agriculture": {"agriculture-bureau": "Agriculture and Rural Affairs Bureau"},
}
SOURCES: dict[str, str] = {
    code: name for sector in SECTORS.values() for code, name in sector.items()
}
SECTOR_OF_SOURCE: dict[str, str] = {
    code: sector for sector, sources in SECTORS.items() for code in sources
}


# -- items ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repeat:
    """SPEC §10.4: a record's value is multiplied by `factor` when the same subject has
    another record of the item decided within the `within_days` before it."""

    within_days: int
    factor: int


@dataclass(frozen=True)
class ItemSpec:
    code: str
    title: str
    subject: str  # person | organization
    points: int
    counts_for_days: int
    sector: str  # a key of SECTORS: its sources, and only they, issue the item
    legal_basis: str
    # How often it occurs, against the other items of its kind drawn the same way: serious
    # items among serious ones (a subject's rare grave act), the others among the others.
    weight: float
    severity: str | None = None  # minor | ordinary | serious; negative items only (§10.1)
    cap_per_year: int | None = None
    lists: tuple[str, ...] = ()
    max_quantity: int = 1  # quantities are drawn from 1 .. max_quantity
    repeat: Repeat | None = None
    repairable: bool = True
    # An award is granted after the issuer vets the subject: never to one with a serious
    # record (a blacklisted company is not named a green enterprise).
    award: bool = False

    @property
    def serious(self) -> bool:
        return self.severity == "serious"


P, O = "person", "organization"  # noqa: E741
DEBTOR_LIST_BASIS = (
    "Provisions on Publishing the List of Dishonest Judgment Debtors (法释〔2017〕7号)"
)
TAX_VIOLATORS_BASIS = (
    "Measures on Major Tax Violations and Untrustworthy Entities "
    "(State Taxation Administration Order 54)"
)
ITEMS: tuple[ItemSpec, ...] = (
    # Court judgments and enforcement
    ItemSpec(
        "court.judgment_default",
        "Failed to perform an effective court judgment",
        P,
        -200,
        1095,
        "courts",
        DEBTOR_LIST_BASIS + " art. 1",
        0.5,
        severity="serious",
        lists=("dishonest_debtors",),
    ),
    ItemSpec(
        "court.consumption_order_breach",
        "Breached a court order restricting high consumption",
        P,
        -200,
        730,
        "courts",
        "Provisions on Restricting High Consumption of Judgment Debtors (法释〔2015〕17号) art. 11",
        0.2,
        severity="serious",
        lists=("dishonest_debtors",),
    ),
    ItemSpec(
        "court.assets_concealed",
        "Concealed or transferred assets to evade enforcement",
        P,
        -250,
        1095,
        "courts",
        DEBTOR_LIST_BASIS + " art. 1(3)",
        0.08,
        severity="serious",
        lists=("dishonest_debtors",),
    ),
    ItemSpec(
        "court.false_litigation",
        "Filed false litigation",
        P,
        -60,
        365,
        "courts",
        "Civil Procedure Law art. 115",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "court.false_testimony",
        "Gave false testimony in civil proceedings",
        P,
        -50,
        365,
        "courts",
        "Civil Procedure Law art. 114",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "court.obstruction_fine",
        "Fined for obstructing court proceedings",
        P,
        -30,
        180,
        "courts",
        "Civil Procedure Law art. 113",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "court.dangerous_driving",
        "Convicted of dangerous driving (drunk driving)",
        P,
        -150,
        1095,
        "courts",
        "Criminal Law art. 133-1",
        0.0,
        severity="serious",
    ),
    ItemSpec(
        "court.voluntary_performance",
        "Performed a judgment voluntarily before enforcement",
        P,
        10,
        365,
        "courts",
        "Civil Procedure Law art. 243",
        0.2,
    ),
    ItemSpec(
        "court.company_judgment_default",
        "Company failed to perform an effective court judgment",
        O,
        -250,
        1095,
        "courts",
        DEBTOR_LIST_BASIS + " art. 1",
        0.35,
        severity="serious",
        lists=("dishonest_debtors",),
    ),
    ItemSpec(
        "court.company_assets_concealed",
        "Company transferred assets to evade enforcement",
        O,
        -250,
        1095,
        "courts",
        DEBTOR_LIST_BASIS + " art. 1(3)",
        0.08,
        severity="serious",
        lists=("dishonest_debtors",),
    ),
    # Tax
    ItemSpec(
        "tax.income_tax_evasion",
        "Evaded individual income tax",
        P,
        -200,
        1095,
        "tax",
        TAX_VIOLATORS_BASIS + " art. 6",
        0.04,
        severity="serious",
        lists=("major_tax_violators",),
    ),
    ItemSpec(
        "tax.late_income_tax_return",
        "Filed an individual income tax return late",
        P,
        -5,
        90,
        "tax",
        "Individual Income Tax Law art. 13",
        0.8,
        severity="minor",
    ),
    ItemSpec(
        "tax.false_invoices_used",
        "Issued or used false invoices",
        P,
        -60,
        365,
        "tax",
        "Invoice Administration Measures art. 22",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "tax.voluntary_correction",
        "Corrected a tax return voluntarily before an audit",
        P,
        5,
        365,
        "tax",
        "Tax Collection Administration Law art. 52",
        0.1,
    ),
    ItemSpec(
        "tax.punctual_taxpayer",
        "Filed and paid individual income tax on time for three years",
        P,
        5,
        365,
        "tax",
        "Tax Credit Management Measures art. 12",
        0.3,
        award=True,
    ),
    ItemSpec(
        "tax.arrears_major",
        "Owed major tax arrears",
        O,
        -200,
        1095,
        "tax",
        TAX_VIOLATORS_BASIS + " art. 6",
        0.2,
        severity="serious",
        lists=("major_tax_violators",),
    ),
    ItemSpec(
        "tax.corporate_evasion",
        "Evaded corporate taxes",
        O,
        -250,
        1095,
        "tax",
        "Tax Collection Administration Law art. 63",
        0.06,
        severity="serious",
        lists=("major_tax_violators", "blacklist"),
    ),
    ItemSpec(
        "tax.false_vat_invoices",
        "Issued false VAT invoices",
        O,
        -250,
        1095,
        "tax",
        "Criminal Law art. 205",
        0.05,
        severity="serious",
        lists=("major_tax_violators", "blacklist"),
    ),
    ItemSpec(
        "tax.late_corporate_return",
        "Filed corporate tax returns late",
        O,
        -10,
        90,
        "tax",
        "Tax Collection Administration Law art. 62",
        1.5,
        severity="minor",
        cap_per_year=40,
    ),
    ItemSpec(
        "tax.a_rating",
        "Rated an A-grade taxpayer",
        O,
        30,
        365,
        "tax",
        "Tax Credit Management Measures art. 9",
        1.2,
        award=True,
    ),
    ItemSpec(
        "tax.top_taxpayer",
        "Named a top taxpayer of the year",
        O,
        20,
        365,
        "tax",
        "Municipal Tax Commendation Measures art. 4",
        0.1,
        award=True,
    ),
    # Lending, utilities and telecom arrears
    ItemSpec(
        "lending.loan_default",
        "Defaulted on a bank loan for more than 90 days",
        P,
        -40,
        365,
        "banks",
        "Regulations on Credit Investigation art. 16",
        0.5,
        severity="ordinary",
    ),
    ItemSpec(
        "lending.credit_card_arrears",
        "Owed credit card payments for more than 90 days",
        P,
        -20,
        180,
        "banks",
        "Regulations on Credit Investigation art. 16",
        1.2,
        severity="ordinary",
        cap_per_year=60,
    ),
    ItemSpec(
        "lending.student_loan_default",
        "Defaulted on a state student loan",
        P,
        -20,
        365,
        "banks",
        "State Student Loan Measures art. 21",
        0.2,
        severity="ordinary",
    ),
    ItemSpec(
        "lending.mortgage_repaid",
        "Repaid a mortgage in full on schedule",
        P,
        10,
        730,
        "banks",
        "Regulations on Credit Investigation art. 16",
        0.1,
    ),
    ItemSpec(
        "lending.company_loan_default",
        "Company defaulted on a bank loan for more than 90 days",
        O,
        -80,
        365,
        "banks",
        "Regulations on Credit Investigation art. 16",
        0.4,
        severity="ordinary",
    ),
    ItemSpec(
        "lending.dishonoured_bill",
        "Issued a commercial bill that was refused payment",
        O,
        -40,
        365,
        "banks",
        "Negotiable Instruments Law art. 103",
        0.3,
        severity="ordinary",
    ),
    ItemSpec(
        "utility.electricity_arrears",
        "Left electricity bills unpaid for more than 90 days",
        P,
        -10,
        90,
        "power",
        "Electric Power Law art. 33",
        1.0,
        severity="minor",
        cap_per_year=30,
    ),
    ItemSpec(
        "utility.water_arrears",
        "Left water bills unpaid for more than 90 days",
        P,
        -10,
        90,
        "water",
        "Urban Water Supply Regulations art. 27",
        0.8,
        severity="minor",
        cap_per_year=30,
    ),
    ItemSpec(
        "utility.gas_arrears",
        "Left gas bills unpaid for more than 90 days",
        P,
        -10,
        90,
        "gas",
        "Urban Gas Administration Regulations art. 19",
        0.6,
        severity="minor",
        cap_per_year=30,
    ),
    ItemSpec(
        "utility.heating_arrears",
        "Left heating fees unpaid for more than 90 days",
        P,
        -10,
        90,
        "heating",
        "Municipal Heating Regulations art. 22",
        0.6,
        severity="minor",
        cap_per_year=30,
    ),
    ItemSpec(
        "utility.company_electricity_arrears",
        "Company left electricity bills unpaid for more than 90 days",
        O,
        -20,
        90,
        "power",
        "Electric Power Law art. 33",
        0.8,
        severity="minor",
        cap_per_year=60,
    ),
    ItemSpec(
        "utility.electricity_theft",
        "Stole electricity",
        O,
        -80,
        365,
        "power",
        "Electric Power Law art. 71",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "telecom.arrears",
        "Left telecom fees unpaid for more than 90 days",
        P,
        -5,
        90,
        "telecoms",
        "Telecommunications Regulations art. 35",
        1.0,
        severity="minor",
        cap_per_year=15,
    ),
    ItemSpec(
        "telecom.false_registration",
        "Registered phone cards under a false identity",
        P,
        -30,
        365,
        "telecoms",
        "Anti-Telecom and Online Fraud Law art. 31",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "telecom.unsolicited_marketing",
        "Made marketing calls after a regulator's order to stop",
        O,
        -20,
        180,
        "telecoms",
        "Telecommunications Regulations art. 57",
        0.2,
        severity="ordinary",
        cap_per_year=60,
    ),
    ItemSpec(
        "housing_fund.fraudulent_withdrawal",
        "Withdrew housing provident fund with false documents",
        P,
        -40,
        365,
        "housing_fund",
        "Housing Provident Fund Regulations art. 36",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "housing_fund.unpaid_contributions",
        "Failed to pay housing provident fund contributions",
        O,
        -30,
        365,
        "housing_fund",
        "Housing Provident Fund Regulations art. 38",
        0.4,
        severity="ordinary",
    ),
    ItemSpec(
        "social_insurance.benefit_fraud",
        "Obtained social insurance benefits by fraud",
        P,
        -60,
        365,
        "social_insurance",
        "Social Insurance Law art. 88",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "social_insurance.contribution_evasion",
        "Evaded social insurance contributions",
        O,
        -60,
        365,
        "social_insurance",
        "Social Insurance Law art. 86",
        0.6,
        severity="ordinary",
    ),
    ItemSpec(
        "medical_insurance.claim_fraud",
        "Obtained medical insurance payments by fraud",
        P,
        -60,
        365,
        "medical_insurance",
        "Medical Security Fund Regulations art. 41",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "medical_insurance.provider_fraud",
        "Defrauded the medical insurance fund as a provider",
        O,
        -250,
        1095,
        "medical_insurance",
        "Medical Security Fund Regulations art. 38",
        0.03,
        severity="serious",
        lists=("blacklist",),
    ),
    # Traffic and transport
    ItemSpec(
        "traffic.red_light",
        "Ran a red light",
        P,
        -5,
        90,
        "traffic",
        "Road Traffic Safety Law art. 38",
        3.0,
        severity="minor",
        repeat=Repeat(365, 2),
    ),
    ItemSpec(
        "traffic.minor_speeding",
        "Exceeded the speed limit by less than 20 percent",
        P,
        -3,
        90,
        "traffic",
        "Road Traffic Safety Law art. 42",
        4.0,
        severity="minor",
        cap_per_year=15,
        repeat=Repeat(365, 2),
    ),
    ItemSpec(
        "traffic.major_speeding",
        "Exceeded the speed limit by 50 percent or more",
        P,
        -20,
        365,
        "traffic",
        "Road Traffic Safety Law art. 99",
        0.4,
        severity="ordinary",
        repeat=Repeat(365, 2),
    ),
    ItemSpec(
        "traffic.drunk_driving",
        "Drove while drunk (driving licence revoked)",
        P,
        -100,
        1095,
        "traffic",
        "Road Traffic Safety Law art. 91(2)",
        0.25,
        severity="serious",
    ),
    ItemSpec(
        "traffic.drink_driving",
        "Drove after drinking",
        P,
        -30,
        365,
        "traffic",
        "Road Traffic Safety Law art. 91",
        0.4,
        severity="ordinary",
        repeat=Repeat(365, 2),
    ),
    ItemSpec(
        "traffic.unlicensed_driving",
        "Drove without a valid driving licence",
        P,
        -30,
        365,
        "traffic",
        "Road Traffic Safety Law art. 99",
        0.3,
        severity="ordinary",
    ),
    ItemSpec(
        "traffic.hit_and_run",
        "Left the scene of a traffic accident",
        P,
        -150,
        1095,
        "traffic",
        "Road Traffic Safety Law art. 101",
        0.03,
        severity="serious",
    ),
    ItemSpec(
        "traffic.illegal_parking",
        "Parked illegally",
        P,
        -1,
        30,
        "traffic",
        "Road Traffic Safety Law art. 93",
        5.0,
        severity="minor",
        cap_per_year=10,
    ),
    ItemSpec(
        "traffic.failure_to_yield",
        "Failed to yield to pedestrians at a crossing",
        P,
        -3,
        90,
        "traffic",
        "Road Traffic Safety Law art. 47",
        2.0,
        severity="minor",
    ),
    ItemSpec(
        "traffic.handheld_phone",
        "Used a handheld phone while driving",
        P,
        -3,
        90,
        "traffic",
        "Road Traffic Safety Law Implementing Regulations art. 62",
        1.5,
        severity="minor",
        repeat=Repeat(365, 2),
    ),
    ItemSpec(
        "traffic.overloaded_vehicle",
        "Drove an overloaded vehicle",
        P,
        -10,
        180,
        "traffic",
        "Road Traffic Safety Law art. 92",
        0.3,
        severity="ordinary",
    ),
    ItemSpec(
        "traffic.accident_assistance",
        "Gave first aid at a traffic accident, confirmed by police",
        P,
        10,
        730,
        "traffic",
        "Regulations on Rewarding Courageous Acts art. 9",
        0.02,
    ),
    ItemSpec(
        "traffic.clean_record",
        "Drove twelve months without a traffic violation",
        P,
        5,
        365,
        "traffic",
        "Municipal Safe Driving Incentive Measures art. 3",
        0.9,
        award=True,
    ),
    ItemSpec(
        "transport.fare_evasion",
        "Evaded fares on public transport three times in a year",
        P,
        -5,
        90,
        "transport",
        "Urban Public Transport Regulations art. 29",
        0.3,
        severity="minor",
        cap_per_year=15,
    ),
    ItemSpec(
        "transport.overloaded_freight",
        "Operated overloaded freight vehicles",
        O,
        -20,
        180,
        "transport",
        "Highway Law art. 76",
        0.8,
        severity="ordinary",
        cap_per_year=100,
        max_quantity=3,
    ),
    ItemSpec(
        "transport.unlicensed_taxi",
        "Operated taxi services without a permit",
        O,
        -30,
        365,
        "transport",
        "Road Transport Regulations art. 63",
        0.2,
        severity="ordinary",
    ),
    # Public order (concrete offences only)
    ItemSpec(
        "order.ticket_touting",
        "Resold tickets at inflated prices",
        P,
        -20,
        180,
        "public_security",
        "Public Security Administration Punishments Law art. 52",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "order.petty_fraud",
        "Obtained property by fraud (administrative penalty)",
        P,
        -50,
        365,
        "public_security",
        "Public Security Administration Punishments Law art. 49",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "order.organized_gambling",
        "Organized gambling for profit",
        P,
        -40,
        365,
        "public_security",
        "Public Security Administration Punishments Law art. 70",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "order.false_emergency_call",
        "Made a false emergency call",
        P,
        -20,
        180,
        "public_security",
        "Public Security Administration Punishments Law art. 25",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "order.cards_sold_for_fraud",
        "Sold bank or phone cards for use in fraud",
        P,
        -200,
        1095,
        "public_security",
        "Anti-Telecom and Online Fraud Law art. 44",
        0.06,
        severity="serious",
        lists=("blacklist",),
    ),
    ItemSpec(
        "order.unpermitted_building",
        "Built a structure without planning permission",
        P,
        -20,
        365,
        "land",
        "Urban and Rural Planning Law art. 64",
        0.1,
        severity="ordinary",
    ),
    # Market regulation, product and food safety
    ItemSpec(
        "market.unlicensed_trading",
        "Traded without a business licence",
        P,
        -10,
        180,
        "market",
        "Regulations on Investigating Unlicensed Operation art. 13",
        0.2,
        severity="ordinary",
    ),
    ItemSpec(
        "market.product_safety_fine",
        "Fined for unsafe products",
        O,
        -40,
        365,
        "market",
        "Product Quality Law art. 49",
        1.0,
        severity="ordinary",
        cap_per_year=120,
        max_quantity=2,
    ),
    ItemSpec(
        "market.counterfeit_goods",
        "Sold counterfeit goods",
        O,
        -80,
        365,
        "market",
        "Trademark Law art. 60",
        0.3,
        severity="ordinary",
    ),
    ItemSpec(
        "market.false_advertising",
        "Ran false advertising",
        O,
        -40,
        365,
        "market",
        "Advertising Law art. 55",
        0.6,
        severity="ordinary",
    ),
    ItemSpec(
        "market.late_annual_report",
        "Filed the annual report late",
        O,
        -5,
        90,
        "market",
        "Enterprise Information Disclosure Regulations art. 8",
        3.0,
        severity="minor",
    ),
    ItemSpec(
        "market.abnormal_operations",
        "Not reachable at the registered address",
        O,
        -20,
        365,
        "market",
        "Measures on Abnormal Business Operations art. 4",
        0.6,
        severity="ordinary",
    ),
    ItemSpec(
        "market.illegal_pricing",
        "Raised prices in breach of pricing rules",
        O,
        -40,
        365,
        "market",
        "Price Law art. 14",
        0.3,
        severity="ordinary",
    ),
    ItemSpec(
        "market.food_safety_violation",
        "Breached food safety standards",
        O,
        -60,
        365,
        "market",
        "Food Safety Law art. 124",
        0.5,
        severity="ordinary",
    ),
    ItemSpec(
        "market.expired_food",
        "Sold food past its expiry date",
        O,
        -30,
        180,
        "market",
        "Food Safety Law art. 124",
        0.8,
        severity="ordinary",
        cap_per_year=90,
        max_quantity=3,
        repeat=Repeat(365, 2),
    ),
    ItemSpec(
        "market.inaccurate_scales",
        "Used inaccurate weighing instruments",
        O,
        -10,
        90,
        "market",
        "Metrology Law art. 27",
        0.6,
        severity="minor",
    ),
    ItemSpec(
        "market.commercial_bribery",
        "Committed commercial bribery",
        O,
        -80,
        365,
        "market",
        "Anti-Unfair Competition Law art. 19",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "market.contract_fraud",
        "Committed contract fraud",
        O,
        -250,
        1095,
        "market",
        "Contract Supervision Measures art. 6",
        0.04,
        severity="serious",
        lists=("blacklist",),
    ),
    ItemSpec(
        "market.uninspected_equipment",
        "Operated lifts or boilers without inspection",
        O,
        -40,
        365,
        "market",
        "Special Equipment Safety Law art. 84",
        0.4,
        severity="ordinary",
    ),
    ItemSpec(
        "market.refund_refused",
        "Refused refunds due to consumers by law",
        O,
        -20,
        180,
        "market",
        "Consumer Rights Protection Law art. 56",
        0.8,
        severity="ordinary",
    ),
    ItemSpec(
        "market.quality_award",
        "Won the municipal quality award",
        O,
        30,
        1095,
        "market",
        "Municipal Quality Award Measures art. 7",
        0.06,
        award=True,
    ),
    ItemSpec(
        "market.contract_honouring",
        "Certified as a contract-honouring enterprise",
        O,
        20,
        730,
        "market",
        "Contract-Honouring Enterprise Measures art. 5",
        0.45,
        award=True,
    ),
    ItemSpec(
        "drug.counterfeit_medicine",
        "Sold counterfeit or substandard medicine",
        O,
        -250,
        1095,
        "market",
        "Drug Administration Law art. 116 and art. 118",
        0.01,
        severity="serious",
        lists=("blacklist",),
        repairable=False,
    ),
    ItemSpec(
        "drug.unregistered_devices",
        "Sold unregistered medical devices",
        O,
        -60,
        365,
        "market",
        "Regulations on Medical Devices art. 81",
        0.1,
        severity="ordinary",
    ),
    # Environment
    ItemSpec(
        "environment.emission_penalty",
        "Exceeded emission standards",
        O,
        -60,
        365,
        "environment",
        "Environmental Protection Law art. 59",
        0.5,
        severity="ordinary",
        cap_per_year=180,
        max_quantity=2,
        repeat=Repeat(365, 2),
    ),
    ItemSpec(
        "environment.hidden_discharge",
        "Discharged pollutants through hidden outlets",
        O,
        -250,
        1095,
        "environment",
        "Water Pollution Prevention Law art. 83",
        0.04,
        severity="serious",
        lists=("blacklist",),
    ),
    ItemSpec(
        "environment.falsified_monitoring",
        "Falsified pollution monitoring data",
        O,
        -250,
        1095,
        "environment",
        "Environmental Protection Law art. 63",
        0.02,
        severity="serious",
        lists=("blacklist",),
    ),
    ItemSpec(
        "environment.no_impact_assessment",
        "Started construction without an environmental impact assessment",
        O,
        -50,
        365,
        "environment",
        "Environmental Impact Assessment Law art. 31",
        0.3,
        severity="ordinary",
    ),
    ItemSpec(
        "environment.hazardous_waste",
        "Mishandled hazardous waste",
        O,
        -80,
        365,
        "environment",
        "Solid Waste Pollution Prevention Law art. 112",
        0.2,
        severity="ordinary",
    ),
    ItemSpec(
        "environment.unsorted_waste",
        "Fined for not sorting household waste",
        P,
        -2,
        90,
        "environment",
        "Municipal Household Waste Regulations art. 58",
        0.3,
        severity="minor",
        cap_per_year=10,
    ),
    ItemSpec(
        "environment.green_enterprise",
        "Rated an environmentally compliant enterprise",
        O,
        20,
        730,
        "environment",
        "Enterprise Environmental Credit Measures art. 10",
        0.36,
        award=True,
    ),
    # Labour
    ItemSpec(
        "labour.wage_arrears",
        "Failed to pay wages owed to workers (serious wage arrears)",
        O,
        -200,
        1095,
        "labour",
        "Regulations on Guaranteeing Wage Payment art. 48",
        0.12,
        severity="serious",
        lists=("wage_arrears",),
    ),
    ItemSpec(
        "labour.illegal_overtime",
        "Imposed overtime beyond the legal limit",
        O,
        -20,
        180,
        "labour",
        "Labour Law art. 90",
        0.4,
        severity="ordinary",
    ),
    ItemSpec(
        "labour.no_written_contracts",
        "Employed workers without written contracts",
        O,
        -10,
        90,
        "labour",
        "Labour Contract Law art. 82",
        0.6,
        severity="minor",
        cap_per_year=50,
        max_quantity=5,
    ),
    ItemSpec(
        "labour.child_labour",
        "Employed child labour",
        O,
        -250,
        1095,
        "labour",
        "Provisions on Prohibiting Child Labour art. 6",
        0.005,
        severity="serious",
        lists=("blacklist",),
        repairable=False,
    ),
    # Customs
    ItemSpec(
        "customs.smuggling",
        "Smuggled goods (administrative penalty)",
        O,
        -250,
        1095,
        "customs",
        "Customs Law art. 82",
        0.02,
        severity="serious",
        lists=("blacklist",),
    ),
    ItemSpec(
        "customs.false_declaration",
        "Made false customs declarations",
        O,
        -40,
        365,
        "customs",
        "Customs Law art. 86",
        0.2,
        severity="ordinary",
    ),
    ItemSpec(
        "customs.authorized_operator",
        "Certified as an Authorized Economic Operator",
        O,
        40,
        1095,
        "customs",
        "Customs Enterprise Credit Measures art. 12",
        0.03,
        award=True,
    ),
    # Construction and land
    ItemSpec(
        "construction.quality_accident",
        "Caused a construction quality accident",
        O,
        -150,
        1095,
        "construction",
        "Construction Law art. 74",
        0.03,
        severity="serious",
    ),
    ItemSpec(
        "construction.illegal_subcontracting",
        "Illegally subcontracted construction work",
        O,
        -60,
        365,
        "construction",
        "Construction Law art. 67",
        0.2,
        severity="ordinary",
    ),
    ItemSpec(
        "construction.bid_collusion",
        "Colluded with other bidders in a tender",
        O,
        -250,
        1095,
        "construction",
        "Bidding Law art. 53",
        0.03,
        severity="serious",
        lists=("blacklist", "procurement_ban"),
    ),
    ItemSpec(
        "land.illegal_occupation",
        "Occupied land without approval",
        O,
        -80,
        365,
        "land",
        "Land Administration Law art. 77",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "land.idle_land",
        "Left allocated land idle for over two years",
        O,
        -20,
        365,
        "land",
        "Measures on Idle Land art. 14",
        0.1,
        severity="ordinary",
    ),
    # Work safety
    ItemSpec(
        "safety.production_accident",
        "Responsible for a work safety accident",
        O,
        -150,
        1095,
        "safety",
        "Work Safety Law art. 114",
        0.03,
        severity="serious",
    ),
    ItemSpec(
        "safety.hazards_not_removed",
        "Failed to remove safety hazards after notice",
        O,
        -40,
        365,
        "safety",
        "Work Safety Law art. 102",
        0.3,
        severity="ordinary",
    ),
    ItemSpec(
        "safety.fire_safety_breach",
        "Breached fire safety regulations",
        O,
        -20,
        180,
        "safety",
        "Fire Protection Law art. 60",
        0.6,
        severity="ordinary",
        cap_per_year=60,
    ),
    # Health institutions (organizations only)
    ItemSpec(
        "health_facility.unlicensed_practice",
        "Ran a clinic without a practice licence",
        O,
        -80,
        365,
        "health",
        "Regulations on Medical Institutions art. 43",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "health_facility.hygiene_breach",
        "Breached hygiene rules in a public venue",
        O,
        -20,
        180,
        "health",
        "Public Venue Hygiene Regulations art. 14",
        0.3,
        severity="ordinary",
    ),
    # Statistics, procurement, tourism, agriculture, education
    ItemSpec(
        "statistics.false_data",
        "Reported false statistical data",
        O,
        -60,
        365,
        "statistics",
        "Statistics Law art. 41",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "procurement.false_documents",
        "Supplied false documents in government procurement",
        O,
        -200,
        1095,
        "finance",
        "Government Procurement Law art. 77",
        0.03,
        severity="serious",
        lists=("procurement_ban",),
    ),
    ItemSpec(
        "procurement.contract_breach",
        "Breached a government procurement contract",
        O,
        -40,
        365,
        "finance",
        "Government Procurement Law art. 50",
        0.2,
        severity="ordinary",
    ),
    ItemSpec(
        "tourism.forced_shopping",
        "Forced tourists into shopping as a tour operator",
        O,
        -60,
        365,
        "tourism",
        "Tourism Law art. 98",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "tourism.unlicensed_agency",
        "Ran a tour agency without a licence",
        O,
        -40,
        365,
        "tourism",
        "Tourism Law art. 95",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "agriculture.banned_pesticide",
        "Sold banned pesticides",
        O,
        -150,
        1095,
        "agriculture",
        "Pesticide Administration Regulations art. 55",
        0.01,
        severity="serious",
    ),
    ItemSpec(
        "agriculture.counterfeit_seed",
        "Sold counterfeit seed",
        O,
        -80,
        365,
        "agriculture",
        "Seed Law art. 74",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "education.exam_cheating",
        "Cheated in a national qualification exam",
        P,
        -50,
        365,
        "education",
        "National Education Examination Violations Measures art. 12",
        0.05,
        severity="ordinary",
    ),
    ItemSpec(
        "education.forged_certificate",
        "Used a forged academic certificate",
        P,
        -60,
        365,
        "education",
        "Academic Degrees Law art. 37",
        0.03,
        severity="ordinary",
    ),
    ItemSpec(
        "education.illegal_fees",
        "Charged school fees without approval",
        O,
        -30,
        365,
        "education",
        "Education Law art. 78",
        0.1,
        severity="ordinary",
    ),
    ItemSpec(
        "education.unlicensed_training",
        "Ran a training school without a licence",
        O,
        -30,
        180,
        "education",
        "Private Education Promotion Law art. 64",
        0.2,
        severity="ordinary",
    ),
    # Volunteering, donation, blood
    ItemSpec(
        "charity.volunteer_hour",
        "Volunteered one hour through a registered charity",
        P,
        1,
        365,
        "charities",
        "Volunteer Service Regulations art. 12",
        1.2,
        cap_per_year=30,
        max_quantity=8,
    ),
    ItemSpec(
        "charity.donation",
        "Donated to a registered charity (per 1,000 yuan)",
        P,
        2,
        365,
        "charities",
        "Charity Law art. 80",
        0.3,
        cap_per_year=20,
        max_quantity=5,
    ),
    ItemSpec(
        "charity.disaster_relief",
        "Volunteered in disaster relief",
        P,
        10,
        730,
        "charities",
        "Emergency Response Law art. 29",
        0.06,
        cap_per_year=30,
    ),
    ItemSpec(
        "charity.company_donation",
        "Company donated to a registered charity (per 10,000 yuan)",
        O,
        5,
        365,
        "charities",
        "Charity Law art. 80",
        0.45,
        cap_per_year=50,
        max_quantity=10,
    ),
    ItemSpec(
        "charity.misused_donations",
        "Misused charitable donations as a charity",
        O,
        -150,
        1095,
        "charities",
        "Charity Law art. 98",
        0.005,
        severity="serious",
    ),
    ItemSpec(
        "blood.whole_blood",
        "Donated whole blood",
        P,
        10,
        730,
        "blood",
        "Blood Donation Law art. 6",
        0.3,
        cap_per_year=20,
    ),
    ItemSpec(
        "blood.platelets",
        "Donated platelets",
        P,
        5,
        730,
        "blood",
        "Blood Donation Law art. 6",
        0.1,
        cap_per_year=20,
        max_quantity=2,
    ),
    # Commendations at several administrative levels
    ItemSpec(
        "honours.city_commendation",
        "Commended by the municipal government",
        P,
        30,
        1095,
        "city_government",
        "Municipal Commendation Measures art. 5",
        0.03,
        award=True,
    ),
    ItemSpec(
        "honours.district_commendation",
        "Commended by a district government",
        P,
        15,
        1095,
        "district_governments",
        "Municipal Commendation Measures art. 5",
        0.1,
        award=True,
    ),
    ItemSpec(
        "honours.township_commendation",
        "Commended by a township government",
        P,
        5,
        730,
        "township_governments",
        "Municipal Commendation Measures art. 5",
        0.25,
        award=True,
    ),
    ItemSpec(
        "honours.model_worker",
        "Named a provincial model worker",
        P,
        50,
        1095,
        "city_government",
        "Provincial Model Worker Measures art. 6",
        0.01,
        award=True,
    ),
    ItemSpec(
        "honours.brave_deed",
        "Recognized for saving life or property at personal risk",
        P,
        50,
        1095,
        "city_government",
        "Regulations on Rewarding Courageous Acts art. 9",
        0.01,
        award=True,
    ),
    ItemSpec(
        "honours.company_city_commendation",
        "Company commended by the municipal government",
        O,
        40,
        1095,
        "city_government",
        "Municipal Commendation Measures art. 5",
        0.06,
        award=True,
    ),
    ItemSpec(
        "honours.company_district_commendation",
        "Company commended by a district government",
        O,
        20,
        1095,
        "district_governments",
        "Municipal Commendation Measures art. 5",
        0.24,
        award=True,
    ),
)

# Lists entered through items may carry sanctions (SPEC §10.5); the lists defined by a score
# carry rewards or nothing, because a low score alone is never a ground for punishment
# (Rongcheng's 2021 rules). Thresholds are offsets from the city's base score.
ITEM_LISTS = {
    "dishonest_debtors": "Dishonest judgment debtors",
    "blacklist": "Seriously untrustworthy",
    "major_tax_violators": "Major tax violators",
    "wage_arrears": "Employers in serious wage arrears",
    "procurement_ban": "Barred from government procurement",
}
SCORE_LISTS = {
    "redlist": ("Trustworthy", "score_at_least", 50),
    "low_score": ("Low score", "score_below", -400),
}
LISTS = (*ITEM_LISTS, *SCORE_LISTS)


@dataclass(frozen=True)
class MeasureSpec:
    code: str
    title: str
    kind: str  # sanction | reward
    applies_to: dict
    relying_parties: tuple[str, ...]
    legal_basis: str


DEBTOR_MEASURES_BASIS = (
    "Opinions on Accelerating the Joint Punishment of Dishonest Judgment Debtors "
    "(中办发〔2016〕64号); Provisions on Restricting High Consumption of Judgment Debtors "
    "(法释〔2015〕17号) art. 3"
)
INCENTIVES_BASIS = (
    "Guiding Opinions on Joint Incentives for Trustworthiness and Joint Punishment of "
    "Untrustworthiness (国发〔2016〕33号)"
)
MEASURES = (
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
        "no_government_subsidies",
        "Excluded from government subsidies and funding",
        "sanction",
        {"list": "blacklist"},
        ("finance-offices",),
        f"{INCENTIVES_BASIS}; National Basic List of Disciplinary Measures for "
        "Untrustworthiness (2024)",
    ),
    MeasureSpec(
        "procurement_exclusion",
        "Excluded from government procurement",
        "sanction",
        {"list": "procurement_ban"},
        ("procurement-offices",),
        "Government Procurement Law art. 22 and art. 77",
    ),
    MeasureSpec(
        "wage_arrears_tender_restriction",
        "Restricted in government procurement and public tenders",
        "sanction",
        {"list": "wage_arrears"},
        ("procurement-offices",),
        "Regulations on Guaranteeing Wage Payment to Migrant Workers art. 48",
    ),
    MeasureSpec(
        "tax_inspection_priority",
        "Inspected first by the tax authorities",
        "sanction",
        {"list": "major_tax_violators"},
        ("tax-offices",),
        TAX_VIOLATORS_BASIS + " art. 14",
    ),
    MeasureSpec(
        "fast_track_approvals",
        "Fast-track administrative approvals",
        "reward",
        {"tiers": ["AAA", "AA"]},
        ("administrative-service-centre",),
        INCENTIVES_BASIS,
    ),
    MeasureSpec(
        "preferential_loans",
        "Eligible for preferential loan rates",
        "reward",
        {"tier": "AAA"},
        ("banks",),
        "Municipal Credit Incentive Measures art. 8",
    ),
    MeasureSpec(
        "deposit_free_services",
        "Borrows library books and rents public bicycles without a deposit",
        "reward",
        {"list": "redlist"},
        ("public-libraries", "public-bicycles"),
        "Municipal Credit Incentive Measures art. 10",
    ),
)
SANCTION_LISTS = frozenset(
    measure.applies_to["list"] for measure in MEASURES if measure.kind == "sanction"
)


# The lists the nation keeps (SPEC §11): in a nation, the national catalogue
# (`synth.national`) declares them and their sanctions, and a city's catalogue neither declares
# them nor puts anyone on them; a city alone keeps them as its own, as before §11.
NATIONAL_LISTS = ("dishonest_debtors", "major_tax_violators")


@dataclass(frozen=True)
class CatalogueVariant:
    """What distinguishes one city's catalogue from another's beyond its name and base score:
    its tiers, as offsets from the base score (highest first; the last has none); how its points
    compare with Rongcheng's (`points_factor`: each item's points and cap, and the score lists'
    thresholds, scaled; at least 1 point); the sectors it has no sources for, and so no items;
    and its `national_floors` (SPEC §11), which apply only in a nation."""

    tiers: tuple[tuple[str, int | None], ...]
    points_factor: float = 1.0
    without_sectors: tuple[str, ...] = ()
    national_floors: tuple[tuple[str, int], ...] = ()


VARIANTS = {
    "rongcheng": CatalogueVariant(
        tiers=(("AAA", 50), ("AA", 30), ("A", -40), ("B", -150), ("C", -400), ("D", None))
    ),
    # Nanyang's published rules: a person on a national disciplinary list is classed in the
    # worst grade and the score drops to 150 (restored after repair and removal). An inland city:
    # no customs district.
    "nanyang": CatalogueVariant(
        tiers=(("AAA", 40), ("AA", 20), ("A", -20), ("B", -90), ("C", -200), ("D", None)),
        points_factor=0.6,
        without_sectors=("customs",),
        national_floors=(("dishonest_debtors", 150), ("major_tax_violators", 150)),
    ),
    # A smaller scale (base 200, a fifth of Rongcheng's points), no heating company; a court's
    # national listing puts the local score at most at 40.
    "suqian": CatalogueVariant(
        tiers=(("AAA", 10), ("AA", 6), ("A", -8), ("B", -30), ("C", -80), ("D", None)),
        points_factor=0.2,
        without_sectors=("heating",),
        national_floors=(("dishonest_debtors", 40),),
    ),
}


def issuers_of(item: ItemSpec) -> list[str]:
    """The sources of the item's sector, as a city alone names them (no prefix)."""
    return list(SECTORS[item.sector])


def _scaled(value: int, factor: float) -> int:
    """`value` times `factor`, rounded, keeping its sign and at least 1 in size."""
    if factor == 1.0 or value == 0:
        return value
    size = max(1, round(abs(value) * factor))
    return size if value > 0 else -size


@dataclass(frozen=True)
class CatalogueSpec:
    """One jurisdiction's catalogue as the generator knows it: its items (with this
    jurisdiction's points), its sources by sector, lists and measures; `document` writes it as
    its publisher would. The national one has no base score, tiers or score lists."""

    catalog: str
    jurisdiction: str
    base_score: int | None
    tiers: tuple[tuple[str, int | None], ...]
    sectors: dict[str, dict[str, str]]
    items: tuple[ItemSpec, ...]
    item_lists: dict[str, str]
    score_lists: dict[str, tuple[str, str, int]]  # name -> (title, threshold key, score)
    measures: tuple[MeasureSpec, ...]
    national_floors: dict[str, int]
    list_titles: dict[str, str]
    item_titles: dict[str, str]
    measure_titles: dict[str, str]

    @property
    def sources(self) -> dict[str, str]:
        return {code: name for sources in self.sectors.values() for code, name in sources.items()}

    @property
    def sector_of_source(self) -> dict[str, str]:
        return {code: sector for sector, sources in self.sectors.items() for code in sources}

    def issuers_of(self, item: ItemSpec) -> list[str]:
        return list(self.sectors[item.sector])

    @property
    def sanction_lists(self) -> frozenset[str]:
        return frozenset(
            measure.applies_to["list"] for measure in self.measures if measure.kind == "sanction"
        )

    def _item_entry(self, item: ItemSpec) -> dict:
        return {
            "code": item.code,
            "title": item.title,
            "titles": {"zh": self.item_titles[item.code]},
            "subject": item.subject,
            "points": item.points,
            **({"severity": item.severity} if item.severity else {}),
            "counts_for_days": item.counts_for_days,
            **({"cap_per_year": item.cap_per_year} if item.cap_per_year else {}),
            **(
                {"repeat": {"within_days": item.repeat.within_days, "factor": item.repeat.factor}}
                if item.repeat
                else {}
            ),
            **({} if item.repairable else {"repairable": False}),
            **({"lists": list(item.lists)} if item.lists else {}),
            "issuers": self.issuers_of(item),
            "legal_basis": item.legal_basis,
        }

    def _lists(self) -> dict:
        lists: dict[str, dict] = {
            name: {"title": title, "titles": {"zh": self.list_titles[name]}}
            for name, title in self.item_lists.items()
        }
        for name, (title, threshold, score) in self.score_lists.items():
            lists[name] = {
                "title": title,
                "titles": {"zh": self.list_titles[name]},
                threshold: score,
            }
        return lists

    def document(self, effective_from: dt.date, version: int = 1) -> dict:
        """The catalogue, as the YAML document its publisher would write."""
        scoring = (
            {
                "base_score": self.base_score,
                "tiers": [
                    {"name": name, "min": minimum} if minimum is not None else {"name": name}
                    for name, minimum in self.tiers
                ],
            }
            if self.base_score is not None
            else {}
        )
        return {
            "catalog": self.catalog,
            "jurisdiction": self.jurisdiction,
            "version": version,
            "effective_from": effective_from.isoformat(),
            **scoring,
            **({"national_floors": dict(self.national_floors)} if self.national_floors else {}),
            "lists": self._lists(),
            "sources": {code: {"name": name} for code, name in self.sources.items()},
            "items": [self._item_entry(item) for item in self.items],
            "measures": [
                {
                    "code": measure.code,
                    "title": measure.title,
                    "titles": {"zh": self.measure_titles[measure.code]},
                    "kind": measure.kind,
                    "legal_basis": measure.legal_basis,
                    "applies_to": measure.applies_to,
                    "relying_parties": list(measure.relying_parties),
                }
                for measure in self.measures
            ],
        }


def city_catalogue(city: City, in_nation: bool = False) -> CatalogueSpec:
    """The city's catalogue: alone, Rongcheng's items with the city's variant; in a nation
    (SPEC §11), without the national lists (the national catalogue has them), with the city's
    `national_floors` and its sources prefixed so that their codes are unique in the store."""
    variant = VARIANTS[city.catalogue]
    factor = variant.points_factor
    dropped = set(NATIONAL_LISTS) if in_nation else set()
    sectors = {
        sector: {f"{city.source_prefix}{code}": name for code, name in sources.items()}
        for sector, sources in SECTORS.items()
        if sector not in variant.without_sectors
    }
    items = tuple(
        dataclasses.replace(
            item,
            points=_scaled(item.points, factor),
            cap_per_year=_scaled(item.cap_per_year, factor) if item.cap_per_year else None,
            lists=tuple(name for name in item.lists if name not in dropped),
        )
        for item in ITEMS
        if item.sector in sectors
    )
    measures = tuple(
        measure for measure in MEASURES if measure.applies_to.get("list") not in dropped
    )
    return CatalogueSpec(
        catalog=city.jurisdiction,
        jurisdiction=city.jurisdiction,
        base_score=city.base_score,
        tiers=tuple(
            (name, None if offset is None else city.base_score + offset)
            for name, offset in variant.tiers
        ),
        sectors=sectors,
        items=items,
        item_lists={name: title for name, title in ITEM_LISTS.items() if name not in dropped},
        score_lists={
            name: (title, threshold, city.base_score + _scaled(offset, factor))
            for name, (title, threshold, offset) in SCORE_LISTS.items()
        },
        measures=measures,
        national_floors=dict(variant.national_floors) if in_nation else {},
        list_titles=LIST_TITLES,
        item_titles=ITEM_TITLES,
        measure_titles=MEASURE_TITLES,
    )


def catalogue_document(
    city: City, effective_from: dt.date, version: int = 1, in_nation: bool = False
) -> dict:
    """The city's catalogue, as the YAML document its publisher would write."""
    return city_catalogue(city, in_nation).document(effective_from, version)
