"""Measures and the relying party's check (SPEC §7.3). Pure rules.

`judge_check` is the one place a check is judged askable, whichever edge asks (the command
line, the API, the web form): the catalogue version in effect on T defines the measure and
whether it applies; the version in effect *today* says who may rely on it, so that a party that
has lost a measure, or gains it only in a later version, cannot check it by choosing T.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass as plain_dataclass
from typing import Annotated

import polars as pl
from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass

from socialcredit.domain.catalogue import Catalogue, Measure
from socialcredit.domain.identifiers import normalize_identifier, subject_identifier_problem
from socialcredit.domain.limits import PURPOSE_MAX_CHARS
from socialcredit.domain.refusals import Refused
from socialcredit.domain.rules import AsOfBeforeCatalogue, Rulebook
from socialcredit.domain.scoring import SubjectScore
from socialcredit.domain.subject_state import SubjectState
from socialcredit.domain.text import shown, text_problem

_DOCUMENT = ConfigDict(extra="forbid")


@dataclass(frozen=True, config=_DOCUMENT)
class CheckAnswer:
    """The relying party's answer, never more (SPEC §7.3): `because` is "list:NAME",
    "tier:NAME" or None. `scs check --json`, the API and the web page show these fields."""

    measure: str
    as_of: dt.date
    applies: bool
    because: Annotated[str | None, Field(description='"list:NAME", "tier:NAME", or null')]
    catalogue_version: int


@dataclass(frozen=True, config=_DOCUMENT)
class MeasureCoverage:
    """A measure of the version in effect on `as_of`, who may rely on it, whom it reaches."""

    code: Annotated[str, Field(serialization_alias="measure")]
    title: str
    applies_to: str  # "list blacklist", "tier D", "tiers AAA, AA"
    relying_parties: tuple[str, ...]
    subjects: int
    catalogue_version: int
    as_of: dt.date


@plain_dataclass(frozen=True, slots=True)
class CheckProblem:
    """One reason a check cannot be asked: the input at fault (`as_of`, `measure`, `party`,
    `purpose`, `subject_id`), what is wrong with it, and the line that says so."""

    field: str
    code: str  # no_catalogue, unknown, not_entitled, blank, too_long, invalid
    message: str


class CheckRefused(Refused):
    """A check that cannot be asked; `problems` holds every reason, the first is the message."""

    def __init__(self, problems: list[CheckProblem]):
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


@plain_dataclass(frozen=True, slots=True)
class CheckQuestion:
    """A check judged askable: the measure as the version in effect on `as_of` defines it."""

    subject_id: str  # normalized
    measure: Measure
    catalogue: Catalogue
    party: str
    purpose: str
    as_of: dt.date


def judge_check(
    rulebook: Rulebook,
    today: dt.date,
    subject_id: str,
    measure: str,
    party: str,
    purpose: str,
    as_of: dt.date,
) -> CheckQuestion:
    """The check as asked, or CheckRefused with every problem, in this order: no catalogue on
    `as_of`, a measure that version does not define, a party today's version does not name,
    a purpose that cannot be logged, an identifier valid for neither kind."""
    problems: list[CheckProblem] = []
    try:
        catalogue: Catalogue | None = rulebook.scoring_version(as_of)
    except AsOfBeforeCatalogue as error:
        catalogue = None
        problems.append(CheckProblem("as_of", "no_catalogue", str(error)))
    chosen = _measure_of(catalogue, measure) if catalogue is not None else None
    if catalogue is not None and chosen is None:
        known = ", ".join(m.code for m in catalogue.measures) or "none"
        problems.append(
            CheckProblem(
                "measure",
                "unknown",
                f"unknown measure {shown(measure)} in catalogue version {catalogue.version}; "
                f"measures: {known}",
            )
        )
    current = rulebook.version_on(today)
    entitled = _measure_of(current, measure) if current is not None else None
    parties = tuple(entitled.relying_parties) if entitled is not None else ()
    if party not in parties:
        allowed = ", ".join(parties) or "nobody"
        problems.append(
            CheckProblem(
                "party",
                "not_entitled",
                f"{shown(party)} may not rely on measure {shown(measure)}; who may: {allowed}",
            )
        )
    purpose_problem = text_problem(purpose, "the purpose", PURPOSE_MAX_CHARS)
    if purpose_problem is not None:
        if not (purpose or "").strip():
            code = "blank"
        elif len(purpose) > PURPOSE_MAX_CHARS:
            code = "too_long"
        else:
            code = "invalid"
        problems.append(CheckProblem("purpose", code, purpose_problem))
    normalized = normalize_identifier(subject_id)
    identifier_problem = subject_identifier_problem(normalized)
    if identifier_problem is not None:
        code = "blank" if not normalized else "invalid"
        problems.append(CheckProblem("subject_id", code, identifier_problem))
    if problems:
        raise CheckRefused(problems)
    assert catalogue is not None and chosen is not None
    return CheckQuestion(normalized, chosen, catalogue, party, purpose, as_of)


def _measure_of(catalogue: Catalogue, code: str) -> Measure | None:
    return next((measure for measure in catalogue.measures if measure.code == code), None)


def measure_applies(measure: Measure, score: SubjectScore | SubjectState) -> str | None:
    """SPEC §7.3: "list:NAME" or "tier:NAME" when the measure applies to this file, else None."""
    applies_to = measure.applies_to
    if applies_to.list_name is not None:
        return f"list:{applies_to.list_name}" if applies_to.list_name in score.lists else None
    return f"tier:{score.tier}" if score.tier in applies_to.tier_names() else None


def describe_applies_to(measure: Measure) -> str:
    applies_to = measure.applies_to
    if applies_to.list_name is not None:
        return f"list {applies_to.list_name}"
    names = applies_to.tier_names()
    return f"tier {names[0]}" if applies_to.tier is not None else f"tiers {', '.join(names)}"


def measure_coverage(
    catalogue: Catalogue, scores: pl.DataFrame, as_of: dt.date
) -> list[MeasureCoverage]:
    """Each measure of `catalogue` and how many of the scored subjects (`scs score`'s shape,
    scored at `as_of` under that catalogue) it applies to."""
    return [
        MeasureCoverage(
            code=measure.code,
            title=measure.title,
            applies_to=describe_applies_to(measure),
            relying_parties=tuple(measure.relying_parties),
            subjects=_subjects_reached(scores, measure),
            catalogue_version=catalogue.version,
            as_of=as_of,
        )
        for measure in catalogue.measures
    ]


def _subjects_reached(scores: pl.DataFrame, measure: Measure) -> int:
    applies_to = measure.applies_to
    if applies_to.list_name is not None:
        # `lists` holds names joined by ";": a name matches whole, never as a part of another.
        condition = pl.col("lists").str.split(";").list.contains(pl.lit(applies_to.list_name))
    else:
        condition = pl.col("tier").is_in(list(applies_to.tier_names()))
    return scores.filter(condition).height
