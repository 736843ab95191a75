"""The synthetic city's catalogue: about 130 items and 142 source organizations.

Drawn from the categories real local catalogues use (court judgments and enforcement, tax,
lending and utility arrears, traffic, public order, market regulation, product and food safety,
environment, labour, customs, construction, work safety, volunteering, blood donation,
commendations at city, district and township level), each item with a legal basis and the
sources entitled to issue it. Every item passes the prohibited-grounds guard; a test holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from socialcredit.synth.catalogue_chinese import ITEM_TITLES, LIST_TITLES, MEASURE_TITLES

# -- sources -------------------------------------------------------------------------------

DISTRICTS = 8
TRAFFIC_BRIGADES = 12
BANKS = 16
VOLUNTEER_ASSOCIATIONS = 10
TOWNSHIPS = 30


def _numbered(prefix: str, name: str, count: int) -> dict[str, str]:
    return {f"{prefix}-{number:02d}": f"{name} {number}" for number in range(1, count + 1)}


SOURCE_GROUPS: dict[str, dict[str, str]] = {
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
    "utilities": {
        "power-grid": "City Power Supply Company",
        "water-supply": "City Water Supply Company",
        "gas-company": "City Gas Company",
        "heating-company": "City Heating Company",
    },
    "telecoms": _numbered("telecom", "Telecommunications Operator", 3),
    "housing_fund": {"housing-fund": "Housing Provident Fund Centre"},
    "social_insurance": {"social-insurance": "Social Insurance Agency"},
    "medical_insurance": {"medical-security": "Medical Security Bureau"},
    "labour": {"labour-inspection": "Labour Inspection Brigade"},
    "charities": {
        "charity-federation": "Charity Federation",
        "red-cross": "Red Cross Society",
        **_numbered("volunteer-association", "Registered Volunteer Association", VOLUNTEER_ASSOCIATIONS),
    },
    "blood": {"blood-centre": "Central Blood Station"},
    "city_government": {"municipal-government": "Municipal People's Government"},
    "district_governments": _numbered("district-government", "District People's Government", DISTRICTS),
    "township_governments": _numbered("township-government", "Township People's Government", TOWNSHIPS),
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
    code: name for group in SOURCE_GROUPS.values() for code, name in group.items()
}


# -- items ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    code: str
    title: str
    subject: str  # person | organization
    points: int
    counts_for_days: int
    issuers: str  # a key of SOURCE_GROUPS
    legal_basis: str
    weight: float  # how often it occurs, relative to the other items of its kind
    cap_per_year: int | None = None
    lists: tuple[str, ...] = ()
    max_quantity: int = 1  # quantities are drawn from 1 .. max_quantity
    extra_issuers: tuple[str, ...] = field(default=())


P, O = "person", "organization"
ITEMS: tuple[ItemSpec, ...] = (
    # Court judgments and enforcement
    ItemSpec("court.judgment_default", "Failed to perform an effective court judgment", P, -100, 1825, "courts", "Civil Procedure Law art. 262", 0.35, lists=("blacklist",)),
    ItemSpec("court.consumption_order_breach", "Breached a court order restricting high consumption", P, -80, 1825, "courts", "Provisions on Restricting High Consumption art. 11", 0.2, lists=("blacklist",)),
    ItemSpec("court.assets_concealed", "Concealed or transferred assets to evade enforcement", P, -120, 1825, "courts", "Criminal Law art. 313", 0.1, lists=("blacklist",)),
    ItemSpec("court.false_litigation", "Filed false litigation", P, -60, 1095, "courts", "Civil Procedure Law art. 115", 0.05),
    ItemSpec("court.false_testimony", "Gave false testimony in civil proceedings", P, -50, 1095, "courts", "Civil Procedure Law art. 114", 0.05),
    ItemSpec("court.obstruction_fine", "Fined for obstructing court proceedings", P, -30, 730, "courts", "Civil Procedure Law art. 113", 0.1),
    ItemSpec("court.voluntary_performance", "Performed a judgment voluntarily before enforcement", P, 10, 365, "courts", "Civil Procedure Law art. 243", 0.6),
    ItemSpec("court.company_judgment_default", "Company failed to perform an effective court judgment", O, -150, 1825, "courts", "Civil Procedure Law art. 262", 0.3, lists=("blacklist",)),
    ItemSpec("court.company_assets_concealed", "Company transferred assets to evade enforcement", O, -200, 1825, "courts", "Criminal Law art. 313", 0.1, lists=("blacklist",)),
    # Tax
    ItemSpec("tax.income_tax_evasion", "Evaded individual income tax", P, -80, 1095, "tax", "Tax Collection Administration Law art. 63", 0.1, lists=("tax_arrears",)),
    ItemSpec("tax.late_income_tax_return", "Filed an individual income tax return late", P, -5, 365, "tax", "Individual Income Tax Law art. 13", 0.8),
    ItemSpec("tax.false_invoices_used", "Issued or used false invoices", P, -60, 1095, "tax", "Invoice Administration Measures art. 22", 0.05),
    ItemSpec("tax.voluntary_correction", "Corrected a tax return voluntarily before an audit", P, 5, 365, "tax", "Tax Collection Administration Law art. 52", 0.3),
    ItemSpec("tax.punctual_taxpayer", "Filed and paid individual income tax on time for three years", P, 5, 365, "tax", "Tax Credit Management Measures art. 12", 1.0),
    ItemSpec("tax.arrears_major", "Owed major tax arrears", O, -150, 1095, "tax", "Tax Collection Administration Law art. 45", 0.3, lists=("tax_arrears",)),
    ItemSpec("tax.corporate_evasion", "Evaded corporate taxes", O, -200, 1825, "tax", "Tax Collection Administration Law art. 63", 0.1, lists=("tax_arrears", "blacklist")),
    ItemSpec("tax.false_vat_invoices", "Issued false VAT invoices", O, -250, 1825, "tax", "Criminal Law art. 205", 0.1, lists=("blacklist",)),
    ItemSpec("tax.late_corporate_return", "Filed corporate tax returns late", O, -10, 365, "tax", "Tax Collection Administration Law art. 62", 1.5, cap_per_year=40),
    ItemSpec("tax.a_rating", "Rated an A-grade taxpayer", O, 30, 365, "tax", "Tax Credit Management Measures art. 9", 4.0),
    ItemSpec("tax.top_taxpayer", "Named a top taxpayer of the year", O, 20, 365, "tax", "Municipal Tax Commendation Measures art. 4", 0.3),
    # Lending, utilities and telecom arrears
    ItemSpec("lending.loan_default", "Defaulted on a bank loan for more than 90 days", P, -40, 1825, "banks", "Regulations on Credit Investigation art. 16", 0.5),
    ItemSpec("lending.credit_card_arrears", "Owed credit card payments for more than 90 days", P, -20, 1825, "banks", "Regulations on Credit Investigation art. 16", 1.2, cap_per_year=60),
    ItemSpec("lending.student_loan_default", "Defaulted on a state student loan", P, -20, 1095, "banks", "State Student Loan Measures art. 21", 0.2),
    ItemSpec("lending.mortgage_repaid", "Repaid a mortgage in full on schedule", P, 10, 730, "banks", "Regulations on Credit Investigation art. 16", 0.3),
    ItemSpec("lending.company_loan_default", "Company defaulted on a bank loan for more than 90 days", O, -80, 1825, "banks", "Regulations on Credit Investigation art. 16", 0.4),
    ItemSpec("lending.dishonoured_bill", "Issued a commercial bill that was refused payment", O, -40, 1095, "banks", "Negotiable Instruments Law art. 103", 0.3),
    ItemSpec("utility.electricity_arrears", "Left electricity bills unpaid for more than 90 days", P, -10, 365, "utilities", "Electric Power Law art. 33", 1.0, cap_per_year=30),
    ItemSpec("utility.water_arrears", "Left water bills unpaid for more than 90 days", P, -10, 365, "utilities", "Urban Water Supply Regulations art. 27", 0.8, cap_per_year=30),
    ItemSpec("utility.gas_arrears", "Left gas bills unpaid for more than 90 days", P, -10, 365, "utilities", "Urban Gas Administration Regulations art. 19", 0.6, cap_per_year=30),
    ItemSpec("utility.heating_arrears", "Left heating fees unpaid for more than 90 days", P, -10, 365, "utilities", "Municipal Heating Regulations art. 22", 0.6, cap_per_year=30),
    ItemSpec("utility.company_electricity_arrears", "Company left electricity bills unpaid for more than 90 days", O, -20, 365, "utilities", "Electric Power Law art. 33", 0.8, cap_per_year=60),
    ItemSpec("utility.electricity_theft", "Stole electricity", O, -80, 1095, "utilities", "Electric Power Law art. 71", 0.1),
    ItemSpec("telecom.arrears", "Left telecom fees unpaid for more than 90 days", P, -5, 365, "telecoms", "Telecommunications Regulations art. 35", 1.0, cap_per_year=15),
    ItemSpec("telecom.false_registration", "Registered phone cards under a false identity", P, -30, 730, "telecoms", "Anti-Telecom and Online Fraud Law art. 31", 0.1),
    ItemSpec("telecom.unsolicited_marketing", "Made marketing calls after a regulator's order to stop", O, -20, 730, "telecoms", "Telecommunications Regulations art. 57", 0.2, cap_per_year=60),
    ItemSpec("housing_fund.fraudulent_withdrawal", "Withdrew housing provident fund with false documents", P, -40, 1095, "housing_fund", "Housing Provident Fund Regulations art. 36", 0.05),
    ItemSpec("housing_fund.unpaid_contributions", "Failed to pay housing provident fund contributions", O, -30, 1095, "housing_fund", "Housing Provident Fund Regulations art. 38", 0.4),
    ItemSpec("social_insurance.benefit_fraud", "Obtained social insurance benefits by fraud", P, -60, 1095, "social_insurance", "Social Insurance Law art. 88", 0.05),
    ItemSpec("social_insurance.contribution_evasion", "Evaded social insurance contributions", O, -60, 1095, "social_insurance", "Social Insurance Law art. 86", 0.6),
    ItemSpec("medical_insurance.claim_fraud", "Obtained medical insurance payments by fraud", P, -60, 1095, "medical_insurance", "Medical Security Fund Regulations art. 41", 0.05),
    ItemSpec("medical_insurance.provider_fraud", "Defrauded the medical insurance fund as a provider", O, -150, 1825, "medical_insurance", "Medical Security Fund Regulations art. 38", 0.1, lists=("blacklist",)),
    # Traffic and transport
    ItemSpec("traffic.red_light", "Ran a red light", P, -5, 730, "traffic", "Road Traffic Safety Law art. 38", 3.0),
    ItemSpec("traffic.minor_speeding", "Exceeded the speed limit by less than 20 percent", P, -3, 365, "traffic", "Road Traffic Safety Law art. 42", 4.0, cap_per_year=15),
    ItemSpec("traffic.major_speeding", "Exceeded the speed limit by 50 percent or more", P, -20, 730, "traffic", "Road Traffic Safety Law art. 99", 0.4),
    ItemSpec("traffic.drunk_driving", "Drove while drunk", P, -100, 1825, "traffic", "Road Traffic Safety Law art. 91", 0.15, extra_issuers=("courts",)),
    ItemSpec("traffic.drink_driving", "Drove after drinking", P, -30, 1095, "traffic", "Road Traffic Safety Law art. 91", 0.4),
    ItemSpec("traffic.unlicensed_driving", "Drove without a valid driving licence", P, -30, 1095, "traffic", "Road Traffic Safety Law art. 99", 0.3),
    ItemSpec("traffic.hit_and_run", "Left the scene of a traffic accident", P, -150, 1825, "traffic", "Road Traffic Safety Law art. 101", 0.05, lists=("blacklist",)),
    ItemSpec("traffic.illegal_parking", "Parked illegally", P, -1, 365, "traffic", "Road Traffic Safety Law art. 93", 5.0, cap_per_year=10),
    ItemSpec("traffic.failure_to_yield", "Failed to yield to pedestrians at a crossing", P, -3, 365, "traffic", "Road Traffic Safety Law art. 47", 2.0),
    ItemSpec("traffic.handheld_phone", "Used a handheld phone while driving", P, -3, 365, "traffic", "Road Traffic Safety Law Implementing Regulations art. 62", 1.5),
    ItemSpec("traffic.overloaded_vehicle", "Drove an overloaded vehicle", P, -10, 365, "traffic", "Road Traffic Safety Law art. 92", 0.3),
    ItemSpec("traffic.accident_assistance", "Gave first aid at a traffic accident, confirmed by police", P, 10, 730, "traffic", "Regulations on Rewarding Courageous Acts art. 9", 0.05),
    ItemSpec("traffic.clean_record", "Drove twelve months without a traffic violation", P, 5, 365, "traffic", "Municipal Safe Driving Incentive Measures art. 3", 3.0),
    ItemSpec("transport.fare_evasion", "Evaded fares on public transport three times in a year", P, -5, 365, "transport", "Urban Public Transport Regulations art. 29", 0.3, cap_per_year=15),
    ItemSpec("transport.overloaded_freight", "Operated overloaded freight vehicles", O, -20, 730, "transport", "Highway Law art. 76", 0.8, cap_per_year=100, max_quantity=3),
    ItemSpec("transport.unlicensed_taxi", "Operated taxi services without a permit", O, -30, 730, "transport", "Road Transport Regulations art. 63", 0.2),
    # Public order (concrete offences only)
    ItemSpec("order.ticket_touting", "Resold tickets at inflated prices", P, -20, 730, "public_security", "Public Security Administration Punishments Law art. 52", 0.1),
    ItemSpec("order.petty_fraud", "Obtained property by fraud (administrative penalty)", P, -50, 1095, "public_security", "Public Security Administration Punishments Law art. 49", 0.1),
    ItemSpec("order.organized_gambling", "Organized gambling for profit", P, -40, 1095, "public_security", "Public Security Administration Punishments Law art. 70", 0.05),
    ItemSpec("order.false_emergency_call", "Made a false emergency call", P, -20, 730, "public_security", "Public Security Administration Punishments Law art. 25", 0.05),
    ItemSpec("order.cards_sold_for_fraud", "Sold bank or phone cards for use in fraud", P, -100, 1825, "public_security", "Anti-Telecom and Online Fraud Law art. 44", 0.08, lists=("blacklist",)),
    ItemSpec("order.unpermitted_building", "Built a structure without planning permission", P, -20, 1095, "land", "Urban and Rural Planning Law art. 64", 0.1),
    # Market regulation, product and food safety
    ItemSpec("market.unlicensed_trading", "Traded without a business licence", P, -10, 365, "market", "Regulations on Investigating Unlicensed Operation art. 13", 0.2),
    ItemSpec("market.product_safety_fine", "Fined for unsafe products", O, -40, 1095, "market", "Product Quality Law art. 49", 1.0, cap_per_year=120, max_quantity=2),
    ItemSpec("market.counterfeit_goods", "Sold counterfeit goods", O, -80, 1095, "market", "Trademark Law art. 60", 0.3),
    ItemSpec("market.false_advertising", "Ran false advertising", O, -40, 1095, "market", "Advertising Law art. 55", 0.6),
    ItemSpec("market.late_annual_report", "Filed the annual report late", O, -5, 365, "market", "Enterprise Information Disclosure Regulations art. 8", 3.0),
    ItemSpec("market.abnormal_operations", "Not reachable at the registered address", O, -20, 730, "market", "Measures on Abnormal Business Operations art. 4", 0.6),
    ItemSpec("market.illegal_pricing", "Raised prices in breach of pricing rules", O, -40, 1095, "market", "Price Law art. 14", 0.3),
    ItemSpec("market.food_safety_violation", "Breached food safety standards", O, -60, 1095, "market", "Food Safety Law art. 124", 0.5),
    ItemSpec("market.expired_food", "Sold food past its expiry date", O, -30, 1095, "market", "Food Safety Law art. 124", 0.8, cap_per_year=90, max_quantity=3),
    ItemSpec("market.inaccurate_scales", "Used inaccurate weighing instruments", O, -10, 365, "market", "Metrology Law art. 27", 0.6),
    ItemSpec("market.commercial_bribery", "Committed commercial bribery", O, -80, 1095, "market", "Anti-Unfair Competition Law art. 19", 0.1),
    ItemSpec("market.contract_fraud", "Committed contract fraud", O, -100, 1825, "market", "Contract Supervision Measures art. 6", 0.1),
    ItemSpec("market.uninspected_equipment", "Operated lifts or boilers without inspection", O, -40, 1095, "market", "Special Equipment Safety Law art. 84", 0.4),
    ItemSpec("market.refund_refused", "Refused refunds due to consumers by law", O, -20, 730, "market", "Consumer Rights Protection Law art. 56", 0.8),
    ItemSpec("market.quality_award", "Won the municipal quality award", O, 30, 1095, "market", "Municipal Quality Award Measures art. 7", 0.2),
    ItemSpec("market.contract_honouring", "Certified as a contract-honouring enterprise", O, 20, 730, "market", "Contract-Honouring Enterprise Measures art. 5", 1.5),
    ItemSpec("drug.counterfeit_medicine", "Sold counterfeit or substandard medicine", O, -150, 1825, "market", "Drug Administration Law art. 116", 0.05, lists=("blacklist",)),
    ItemSpec("drug.unregistered_devices", "Sold unregistered medical devices", O, -60, 1095, "market", "Regulations on Medical Devices art. 81", 0.1),
    # Environment
    ItemSpec("environment.emission_penalty", "Exceeded emission standards", O, -60, 1095, "environment", "Environmental Protection Law art. 59", 0.5, cap_per_year=180, max_quantity=2),
    ItemSpec("environment.hidden_discharge", "Discharged pollutants through hidden outlets", O, -150, 1825, "environment", "Water Pollution Prevention Law art. 83", 0.1, lists=("blacklist",)),
    ItemSpec("environment.falsified_monitoring", "Falsified pollution monitoring data", O, -150, 1825, "environment", "Environmental Protection Law art. 63", 0.05, lists=("blacklist",)),
    ItemSpec("environment.no_impact_assessment", "Started construction without an environmental impact assessment", O, -50, 1095, "environment", "Environmental Impact Assessment Law art. 31", 0.3),
    ItemSpec("environment.hazardous_waste", "Mishandled hazardous waste", O, -80, 1095, "environment", "Solid Waste Pollution Prevention Law art. 112", 0.2),
    ItemSpec("environment.unsorted_waste", "Fined for not sorting household waste", P, -2, 365, "environment", "Municipal Household Waste Regulations art. 58", 0.3, cap_per_year=10),
    ItemSpec("environment.green_enterprise", "Rated an environmentally compliant enterprise", O, 20, 730, "environment", "Enterprise Environmental Credit Measures art. 10", 1.2),
    # Labour
    ItemSpec("labour.wage_arrears", "Failed to pay wages owed to workers", O, -100, 1095, "labour", "Regulations on Guaranteeing Wage Payment art. 48", 0.5, lists=("wage_arrears",)),
    ItemSpec("labour.illegal_overtime", "Imposed overtime beyond the legal limit", O, -20, 730, "labour", "Labour Law art. 90", 0.4),
    ItemSpec("labour.no_written_contracts", "Employed workers without written contracts", O, -10, 730, "labour", "Labour Contract Law art. 82", 0.6, cap_per_year=50, max_quantity=5),
    ItemSpec("labour.child_labour", "Employed child labour", O, -200, 1825, "labour", "Provisions on Prohibiting Child Labour art. 6", 0.02, lists=("blacklist",)),
    # Customs
    ItemSpec("customs.smuggling", "Smuggled goods (administrative penalty)", O, -150, 1825, "customs", "Customs Law art. 82", 0.05, lists=("blacklist",)),
    ItemSpec("customs.false_declaration", "Made false customs declarations", O, -40, 1095, "customs", "Customs Law art. 86", 0.2),
    ItemSpec("customs.authorized_operator", "Certified as an Authorized Economic Operator", O, 40, 1095, "customs", "Customs Enterprise Credit Measures art. 12", 0.1),
    # Construction and land
    ItemSpec("construction.quality_accident", "Caused a construction quality accident", O, -150, 1825, "construction", "Construction Law art. 74", 0.05),
    ItemSpec("construction.illegal_subcontracting", "Illegally subcontracted construction work", O, -60, 1095, "construction", "Construction Law art. 67", 0.2),
    ItemSpec("construction.bid_collusion", "Colluded with other bidders in a tender", O, -150, 1825, "construction", "Bidding Law art. 53", 0.1, lists=("blacklist", "procurement_ban")),
    ItemSpec("land.illegal_occupation", "Occupied land without approval", O, -80, 1095, "land", "Land Administration Law art. 77", 0.1),
    ItemSpec("land.idle_land", "Left allocated land idle for over two years", O, -20, 730, "land", "Measures on Idle Land art. 14", 0.1),
    # Work safety
    ItemSpec("safety.production_accident", "Responsible for a work safety accident", O, -150, 1825, "safety", "Work Safety Law art. 114", 0.05),
    ItemSpec("safety.hazards_not_removed", "Failed to remove safety hazards after notice", O, -40, 1095, "safety", "Work Safety Law art. 102", 0.3),
    ItemSpec("safety.fire_safety_breach", "Breached fire safety regulations", O, -20, 730, "safety", "Fire Protection Law art. 60", 0.6, cap_per_year=60),
    # Health institutions (organizations only)
    ItemSpec("health_facility.unlicensed_practice", "Ran a clinic without a practice licence", O, -80, 1095, "health", "Regulations on Medical Institutions art. 43", 0.05),
    ItemSpec("health_facility.hygiene_breach", "Breached hygiene rules in a public venue", O, -20, 730, "health", "Public Venue Hygiene Regulations art. 14", 0.3),
    # Statistics, procurement, tourism, agriculture, education
    ItemSpec("statistics.false_data", "Reported false statistical data", O, -60, 1095, "statistics", "Statistics Law art. 41", 0.1),
    ItemSpec("procurement.false_documents", "Supplied false documents in government procurement", O, -100, 1825, "finance", "Government Procurement Law art. 77", 0.1, lists=("procurement_ban",)),
    ItemSpec("procurement.contract_breach", "Breached a government procurement contract", O, -40, 1095, "finance", "Government Procurement Law art. 50", 0.2),
    ItemSpec("tourism.forced_shopping", "Forced tourists into shopping as a tour operator", O, -60, 1095, "tourism", "Tourism Law art. 98", 0.1),
    ItemSpec("tourism.unlicensed_agency", "Ran a tour agency without a licence", O, -40, 1095, "tourism", "Tourism Law art. 95", 0.05),
    ItemSpec("agriculture.banned_pesticide", "Sold banned pesticides", O, -100, 1825, "agriculture", "Pesticide Administration Regulations art. 55", 0.05),
    ItemSpec("agriculture.counterfeit_seed", "Sold counterfeit seed", O, -80, 1095, "agriculture", "Seed Law art. 74", 0.05),
    ItemSpec("education.exam_cheating", "Cheated in a national qualification exam", P, -50, 1095, "education", "National Education Examination Violations Measures art. 12", 0.05),
    ItemSpec("education.forged_certificate", "Used a forged academic certificate", P, -60, 1095, "education", "Academic Degrees Law art. 37", 0.03),
    ItemSpec("education.illegal_fees", "Charged school fees without approval", O, -30, 730, "education", "Education Law art. 78", 0.1),
    ItemSpec("education.unlicensed_training", "Ran a training school without a licence", O, -30, 730, "education", "Private Education Promotion Law art. 64", 0.2),
    # Volunteering, donation, blood
    ItemSpec("charity.volunteer_hour", "Volunteered one hour through a registered charity", P, 1, 365, "charities", "Volunteer Service Regulations art. 12", 4.0, cap_per_year=30, max_quantity=8),
    ItemSpec("charity.donation", "Donated to a registered charity (per 1,000 yuan)", P, 2, 365, "charities", "Charity Law art. 80", 1.0, cap_per_year=20, max_quantity=5),
    ItemSpec("charity.disaster_relief", "Volunteered in disaster relief", P, 10, 730, "charities", "Emergency Response Law art. 29", 0.2, cap_per_year=30),
    ItemSpec("charity.company_donation", "Company donated to a registered charity (per 10,000 yuan)", O, 5, 365, "charities", "Charity Law art. 80", 1.5, cap_per_year=50, max_quantity=10),
    ItemSpec("charity.misused_donations", "Misused charitable donations as a charity", O, -100, 1825, "charities", "Charity Law art. 98", 0.02),
    ItemSpec("blood.whole_blood", "Donated whole blood", P, 10, 730, "blood", "Blood Donation Law art. 6", 1.0, cap_per_year=20),
    ItemSpec("blood.platelets", "Donated platelets", P, 5, 730, "blood", "Blood Donation Law art. 6", 0.3, cap_per_year=20, max_quantity=2),
    # Commendations at several administrative levels
    ItemSpec("honours.city_commendation", "Commended by the municipal government", P, 30, 1095, "city_government", "Municipal Commendation Measures art. 5", 0.1),
    ItemSpec("honours.district_commendation", "Commended by a district government", P, 15, 1095, "district_governments", "Municipal Commendation Measures art. 5", 0.3),
    ItemSpec("honours.township_commendation", "Commended by a township government", P, 5, 730, "township_governments", "Municipal Commendation Measures art. 5", 0.8),
    ItemSpec("honours.model_worker", "Named a provincial model worker", P, 50, 1825, "city_government", "Provincial Model Worker Measures art. 6", 0.02),
    ItemSpec("honours.brave_deed", "Recognized for saving life or property at personal risk", P, 50, 1825, "city_government", "Regulations on Rewarding Courageous Acts art. 9", 0.02),
    ItemSpec("honours.company_city_commendation", "Company commended by the municipal government", O, 40, 1095, "city_government", "Municipal Commendation Measures art. 5", 0.2),
    ItemSpec("honours.company_district_commendation", "Company commended by a district government", O, 20, 1095, "district_governments", "Municipal Commendation Measures art. 5", 0.8),
)

LISTS = {
    "blacklist": {"title": "Seriously untrustworthy", "score_below": 700},
    "redlist": {"title": "Trustworthy", "score_at_least": 1050},
    "tax_arrears": {"title": "Major tax violators"},
    "wage_arrears": {"title": "Employers in wage arrears"},
    "procurement_ban": {"title": "Barred from government procurement"},
}
TIERS = (("AAA", 1050), ("AA", 1030), ("A", 960), ("B", 850), ("C", 600), ("D", None))
MEASURES = (
    ("no_air_travel", "May not buy air tickets", {"list": "blacklist"}, ["civil-aviation"]),
    ("no_high_speed_rail", "May not buy high-speed rail tickets", {"list": "blacklist"}, ["railway"]),
    ("procurement_exclusion", "Excluded from government procurement", {"list": "procurement_ban"}, ["procurement-offices"]),
    ("tax_inspection_priority", "Inspected first by the tax authorities", {"list": "tax_arrears"}, ["tax-offices"]),
    ("fast_track_approvals", "Fast-track administrative approvals", {"tiers": ["AAA", "AA"]}, ["administrative-service-centre"]),
    ("preferential_loans", "Eligible for preferential loan rates", {"tier": "AAA"}, ["banks"]),
    ("closer_supervision", "Inspected more often by regulators", {"tiers": ["C", "D"]}, ["market-regulation"]),
)


def issuers_of(item: ItemSpec) -> list[str]:
    groups = (item.issuers, *item.extra_issuers)
    return [code for group in groups for code in SOURCE_GROUPS[group]]


def catalogue_document(effective_from: dt.date, version: int = 1) -> dict:
    """The synthetic city's catalogue, as the YAML document a publisher would write."""
    return {
        "catalog": "synthetic-city",
        "version": version,
        "effective_from": effective_from.isoformat(),
        "base_score": 1000,
        "tiers": [{"name": name, "min": minimum} if minimum is not None else {"name": name} for name, minimum in TIERS],
        "lists": {
            name: {**definition, "titles": {"zh": LIST_TITLES[name]}}
            for name, definition in LISTS.items()
        },
        "sources": {code: {"name": name} for code, name in SOURCES.items()},
        "items": [
            {
                "code": item.code,
                "title": item.title,
                "titles": {"zh": ITEM_TITLES[item.code]},
                "subject": item.subject,
                "points": item.points,
                "counts_for_days": item.counts_for_days,
                **({"cap_per_year": item.cap_per_year} if item.cap_per_year else {}),
                **({"lists": list(item.lists)} if item.lists else {}),
                "issuers": issuers_of(item),
                "legal_basis": item.legal_basis,
            }
            for item in ITEMS
        ],
        "measures": [
            {
                "code": code,
                "title": title,
                "titles": {"zh": MEASURE_TITLES[code]},
                "applies_to": applies_to,
                "relying_parties": parties,
            }
            for code, title, applies_to, parties in MEASURES
        ],
    }
