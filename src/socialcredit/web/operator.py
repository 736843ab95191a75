"""The operator's overview: tiers and lists (charts), sources by volume and reject rate, the
objection queue with overdue ones first, and publishing a catalogue in two steps: its report
and what it would change (SPEC §10.6, with a chart of tier changes), then the confirmation."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from socialcredit.domain.rules import AsOfBeforeCatalogue, Rulebook
from socialcredit.registry import PublishResult, Registry, SimulationResult
from socialcredit.web import charts
from socialcredit.web.dependencies import chosen_jurisdiction, registry_of, rulebook_for
from socialcredit.web.i18n import language_of
from socialcredit.web.principal import require
from socialcredit.web.routing import WebRoute
from socialcredit.web.security import csrf_valid
from socialcredit.web.templating import catalogue_names, render, translate

BATCHES_SUMMED = 100_000  # every batch of a city's years of daily files

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True)
class SourceVolume:
    source: str
    batches: int
    accepted: int
    duplicates: int
    rejected: int

    @property
    def rows(self) -> int:
        return self.accepted + self.duplicates + self.rejected

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.rows if self.rows else 0.0


def source_volumes(registry: Registry) -> list[SourceVolume]:
    totals: dict[str, list[int]] = {}
    for batch in registry.batches(limit=BATCHES_SUMMED):
        entry = totals.setdefault(batch.source, [0, 0, 0, 0])
        entry[0] += 1
        entry[1] += batch.accepted
        entry[2] += batch.duplicates
        entry[3] += batch.rejected
    volumes = [SourceVolume(source, *counts) for source, counts in totals.items()]
    return sorted(volumes, key=lambda volume: -volume.rows)


def _every_version(registry) -> list:
    """Every published version of every jurisdiction, in order of effect (SPEC §11)."""
    versions = [
        catalogue
        for rulebook in registry.jurisdictions.rulebooks.values()
        for catalogue in rulebook.catalogues
    ]
    return sorted(
        versions, key=lambda catalogue: (catalogue.effective_from, catalogue.jurisdiction)
    )


@router.get("/operator", include_in_schema=False)
def overview(request: Request) -> Response:
    require(request, "operator")
    registry = registry_of(request)
    _ = translate(request)
    language = language_of(request)
    today = registry.today()
    jurisdiction = chosen_jurisdiction(request)
    catalogue = rulebook_for(request).version_on(today)
    context: dict = {"catalogue": catalogue, "today": today, "report": None}
    if catalogue is not None:
        report = registry.population_today(jurisdiction)
        tiers = report.summary.tiers
        tier_names = [tier.name for tier in catalogue.tiers]
        kinds = [("person", _("people")), ("organization", _("organizations"))]
        counts = {
            (row["kind"], row["tier"]): row["subjects"] for row in tiers.iter_rows(named=True)
        }
        tier_series = [
            (label, [counts.get((kind, name), 0) for name in tier_names]) for kind, label in kinds
        ]
        names = catalogue_names(rulebook_for(request), language)
        list_rows = [
            (names["lists"].get(row["list"], row["list"]), row["subjects"])
            for row in report.summary.lists.iter_rows(named=True)
        ]
        context.update(
            report=report,
            tier_names=tier_names,
            tier_series=tier_series,
            tier_chart=charts.bars(
                tier_names,
                tier_series,
                description=_("How many people and organizations are in each tier"),
            ),
            list_rows=list_rows,
            list_chart=charts.bars(
                [name for name, _count in list_rows],
                [(_("Subjects"), [count for _name, count in list_rows])],
                description=_("How many subjects are on each list"),
                horizontal=True,
            )
            if list_rows
            else None,
        )
    queue = registry.objections(open_only=True)
    queue.sort(
        key=lambda objection: (objection.state != "overdue", objection.due_on, objection.number)
    )
    context.update(
        volumes=source_volumes(registry),
        queue=queue,
        cities=registry.jurisdiction_summaries(today),
        national_counts=registry.national_list_counts(today),
    )
    return render(request, "operator.html", context, json_twin="/v1/objections?open=true")


@router.get("/operator/catalogue", include_in_schema=False)
def publish_form(request: Request) -> Response:
    require(request, "operator")
    versions = _every_version(registry_of(request))
    return render(
        request,
        "publish.html",
        {
            "errors": {},
            "result": None,
            "published": None,
            "preview": None,
            "versions": versions,
            "megabytes": _megabytes(request),
        },
        json_twin="/v1/catalogue",
    )


def _limit_bytes(request: Request) -> int:
    """The publication's body limit (the service's settings): the form says it and keeps it."""
    return request.app.state.settings.catalogue_body_max_bytes


def _megabytes(request: Request) -> int:
    return _limit_bytes(request) // (1024 * 1024)


CHECK, PUBLISH = "check", "publish"  # the form's two steps (a post without one publishes)


@router.post("/operator/catalogue", include_in_schema=False)
async def publish(
    request: Request,
    file: UploadFile | None = File(None),
    text: str = Form(""),
    csrf_token: str = Form(""),
    step: str = Form(PUBLISH),
    checked: str = Form(""),
) -> Response:
    require(request, "operator")
    registry = registry_of(request)
    _ = translate(request)
    language = language_of(request)
    errors: dict[str, str] = {}
    content = text
    if file is not None and file.filename:
        raw = await file.read(_limit_bytes(request) + 1)
        if len(raw) > _limit_bytes(request):
            errors["file"] = _("The file is larger than %(megabytes)s MB") % {
                "megabytes": _megabytes(request)
            }
        else:
            try:
                content = raw.decode("utf-8")
            except UnicodeDecodeError:
                errors["file"] = _("The file must be YAML in UTF-8")
    if checked:
        # The confirmation carries the text that was checked, byte for byte (a form field
        # would turn its line ends into CR LF).
        try:
            content = base64.b64decode(checked, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            errors["text"] = _("Choose a catalogue file or paste its YAML")
    if not csrf_valid(request, csrf_token):
        errors["text"] = _("The form had expired. Send it again.")
    elif not errors and not content.strip():
        errors["text"] = _("Choose a catalogue file or paste its YAML")
    result: SimulationResult | PublishResult | None = None
    preview: dict | None = None
    if not errors and step == CHECK:
        checked_result = await run_in_threadpool(_check, registry, content)
        result = checked_result
        if checked_result.report.valid:
            preview = _preview(registry, checked_result, content, language, _)
    elif not errors:
        result = await run_in_threadpool(registry.publish_catalogue, content)
    if result is not None and not result.report.valid:
        errors["text"] = _("The catalogue was not published: it has %(count)s problems") % {
            "count": len(result.report.problems)
        }
    return render(
        request,
        "publish.html",
        {
            "errors": errors,
            "error_title": bool(errors),
            "result": result,
            "published": getattr(result, "version", None),
            "preview": preview,
            "versions": _every_version(registry),
            "megabytes": _megabytes(request),
        },
        json_twin="/v1/catalogue",
        status_code=422 if errors else 200,
    )


def _check(registry: Registry, content: str) -> SimulationResult:
    """The catalogue checked as publication would check it, and what it would change today."""
    try:
        return registry.simulate_catalogue(content)
    except AsOfBeforeCatalogue:
        # Nothing in effect today (the first version, or only later ones): the report alone.
        report = registry.check_catalogue(content)
        return SimulationResult(report, None, report.warnings)


def _preview(registry: Registry, checked: SimulationResult, content: str, language: str, _) -> dict:
    """What the page shows between the report and the confirm button: the simulation (None
    when no version is in effect today) with its chart, and the text to publish."""
    candidate = checked.report.catalogue
    assert candidate is not None
    preview: dict = {
        "candidate": candidate,
        "checked": base64.b64encode(content.encode("utf-8")).decode("ascii"),
        "simulation": None,
    }
    simulation = checked.simulation
    if simulation is None:
        return preview
    names = catalogue_names(Rulebook([*registry.rulebook.catalogues, candidate]), language)
    current = registry.rulebook.version_on(simulation.as_of)
    measure_titles = {
        measure.code: measure.titles.get(language) or measure.title
        for catalogue in (current, candidate)
        if catalogue is not None
        for measure in catalogue.measures
    }
    moves = sorted(simulation.tier_changes.items(), key=lambda move: (-move[1], move[0]))
    labels = [move.replace(">", " → ") for move, _count in moves]
    preview.update(
        simulation=simulation,
        list_titles=names["lists"],
        item_titles=names["items"],
        measure_titles=measure_titles,
        tier_moves=[(label, count) for label, (_move, count) in zip(labels, moves, strict=True)],
        tier_chart=charts.bars(
            labels,
            [(_("Subjects"), [count for _move, count in moves])],
            description=_("How many subjects would move from one tier to another"),
            horizontal=True,
        )
        if moves
        else None,
    )
    return preview
