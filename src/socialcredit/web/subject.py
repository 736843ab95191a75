"""A subject's own file: score, tier, lists, the score over three years, every record that
counts, objections (filed one question per page), applications for repair (SPEC §10.2), the
statement, and who looked."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from socialcredit.domain.limits import (
    EVIDENCE_MAX_CHARS,
    REASON_MAX_CHARS,
    ROW_ID_MAX,
    STATEMENT_MAX_CHARS,
)
from socialcredit.registry import FileRecord, Refused
from socialcredit.web import charts
from socialcredit.web.dependencies import chosen_jurisdiction, registry_of, rulebook_for
from socialcredit.web.i18n import Formats, language_of
from socialcredit.web.principal import require
from socialcredit.web.routing import WebRoute
from socialcredit.web.security import csrf_valid
from socialcredit.web.templating import render, translate

HISTORY_YEARS = 3
HISTORY_MAX_POINTS = 120  # days sampled for the chart: monthly, plus the days records moved it
VIEWER = "subject"
PURPOSE = "own file"
CHANNEL = "web"

router = APIRouter(route_class=WebRoute)


def _twin(subject_id: str) -> str:
    return f"/v1/subjects/{subject_id}"


def history_days(today: dt.date, moved_on: list[dt.date]) -> list[dt.date]:
    """The first of each month over the past three years, today, and each day a record
    started or stopped counting within them: enough for every step of the line."""
    start = today.replace(year=today.year - HISTORY_YEARS, day=1)
    months = []
    day = start
    while day <= today:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    moves = sorted({day for day in moved_on if start <= day <= today})
    extra = moves[-(HISTORY_MAX_POINTS - len(months)) :] if len(months) < HISTORY_MAX_POINTS else []
    return sorted(set(months) | set(extra) | {today})


@router.get("/my-file", include_in_schema=False)
def my_file(
    request: Request,
    done: str = "",
    repair: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
) -> Response:
    principal = require(request, "subject")
    registry = registry_of(request)
    today = registry.today()
    files = registry.subject_files(principal.who, today, VIEWER, PURPOSE, CHANNEL)
    if not files:
        return render(
            request,
            "subject_no_file.html",
            {"subject_id": principal.who},
            json_twin=_twin(principal.who),
        )
    # SPEC §11: the file in the jurisdiction the visitor picked, else the first it has.
    picked = chosen_jurisdiction(request)
    subject_file = next((f for f in files if f.document.jurisdiction == picked), files[0])
    document = subject_file.document
    catalogue = (
        registry.rulebook_of(document.jurisdiction)
        if document.jurisdiction
        else rulebook_for(request)
    ).version_on(today)
    language = language_of(request)
    _ = translate(request)
    formats = Formats(language)
    records = document.counting_records
    moved_on = [entry.decided_on for entry in records]
    moved_on += [
        entry.counts_until + dt.timedelta(days=1) for entry in records if entry.counts_until
    ]
    days = history_days(today, moved_on)
    history = registry.score_history(
        subject_file.subject, days=days, jurisdiction=document.jurisdiction
    )
    scores = [score for _day, score in history]
    by_day = dict(history)
    moves = [(day, by_day[day]) for day in sorted({d for d in moved_on if d in by_day})]
    chart = charts.score_history(
        [day for day, _score in history],
        scores,
        moves,
        score_label=_("Score"),
        moves_label=_("A record started or stopped counting"),
        description=_("Your score from %(start)s to %(end)s: from %(first)s to %(last)s.")
        % {
            "start": formats.date(days[0]),
            "end": formats.date(today),
            "first": formats.number(scores[0]) if scores else "",
            "last": formats.number(scores[-1]) if scores else "",
        },
        format_date=formats.date,
    )
    return render(
        request,
        "subject_file.html",
        {
            "file": document,
            "score": document,
            "catalogue": catalogue,
            "history": [(day, score) for day, score in history if day.day == 1 or day == today],
            "chart": chart,
            "done": done,
            "repair": repair,
            "today": today,
            "repair_opens": _repair_opens(registry, document),
        },
        json_twin=_twin(principal.who),
    )


def _repair_opens(registry, document) -> dict[str, dt.date]:
    """`source/record_id` → the first day repair may be applied for, for each negative record
    that counts, is repairable, and has no application pending or granted (SPEC §10.2)."""
    taken = {
        (repair.source, repair.record_id)
        for repair in document.repairs
        if repair.state in ("pending", "granted")
    }
    opens = {}
    for entry in document.counting_records:
        if entry.value >= 0 or (entry.source, entry.record_id) in taken:
            continue
        day = registry.repair_opens(entry.source, entry.record_id)
        if day is not None:
            opens[f"{entry.source}/{entry.record_id}"] = day
    return opens


def _counting_records(request: Request) -> list[FileRecord]:
    """The records that count in the signed-in subject's files today (a look, logged)."""
    principal = require(request, "subject")
    registry = registry_of(request)
    files = registry.subject_files(principal.who, registry.today(), VIEWER, PURPOSE, CHANNEL)
    return [entry for subject_file in files for entry in subject_file.document.counting_records]


def _counting_record(request: Request, source: str, record_id: str) -> FileRecord | None:
    return next(
        (
            entry
            for entry in _counting_records(request)
            if entry.source == source and entry.record_id == record_id
        ),
        None,
    )


@router.get("/my-file/objections/new", include_in_schema=False)
def choose_record(request: Request) -> Response:
    """Question 1: which record? (Skipped when the file's link named it.)"""
    records = _counting_records(request)
    return render(
        request,
        "objection_record.html",
        {"records": records, "errors": {}},
        json_twin="/v1/objections",
    )


@router.get("/my-file/objections/reason", include_in_schema=False)
def reason_form(request: Request, record: str = "", reason: str = "") -> Response:
    """Question 2: why? `record` is `source/record_id`."""
    require(request, "subject")
    source, _slash, record_id = record.partition("/")
    entry = _counting_record(request, source, record_id) if record_id else None
    if entry is None:
        _ = translate(request)
        records = _counting_records(request)
        return render(
            request,
            "objection_record.html",
            {
                "records": records,
                "errors": {"record": _("Choose the record you object to")},
                "error_title": True,
            },
            json_twin="/v1/objections",
            status_code=422,
        )
    return render(
        request,
        "objection_reason.html",
        {"entry": entry, "record": record, "reason": reason, "errors": {}},
        json_twin="/v1/objections",
    )


@router.post("/my-file/objections/check", include_in_schema=False)
def check_objection(
    request: Request, record: str = Form(""), reason: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Check your answers before sending (GOV.UK pattern)."""
    require(request, "subject")
    _ = translate(request)
    source, _slash, record_id = record.partition("/")
    entry = _counting_record(request, source, record_id)
    if entry is None:
        return RedirectResponse("/my-file/objections/new", status_code=303)
    reason = reason.strip()
    errors = {}
    if not csrf_valid(request, csrf_token):
        errors["reason"] = _("The form had expired. Send it again.")
    elif not reason:
        errors["reason"] = _("Say why the record is wrong")
    elif len(reason) > REASON_MAX_CHARS:
        errors["reason"] = _("Say it in %(count)s characters or fewer") % {
            "count": REASON_MAX_CHARS
        }
    if errors:
        return render(
            request,
            "objection_reason.html",
            {
                "entry": entry,
                "record": record,
                "reason": reason,
                "errors": errors,
                "error_title": True,
            },
            json_twin="/v1/objections",
            status_code=422,
        )
    return render(
        request,
        "objection_check.html",
        {"entry": entry, "record": record, "reason": reason},
        json_twin="/v1/objections",
    )


@router.post("/my-file/objections", include_in_schema=False)
def file_objection(
    request: Request, record: str = Form(""), reason: str = Form(""), csrf_token: str = Form("")
) -> Response:
    require(request, "subject")
    registry = registry_of(request)
    _ = translate(request)
    source, _slash, record_id = record.partition("/")
    entry = _counting_record(request, source, record_id)
    if entry is None or not csrf_valid(request, csrf_token) or not reason.strip():
        return RedirectResponse("/my-file/objections/new", status_code=303)
    try:
        objection = registry.file_objection(source, record_id, reason.strip()[:REASON_MAX_CHARS])
    except Refused as refused:
        return render(
            request,
            "objection_check.html",
            {
                "entry": entry,
                "record": record,
                "reason": reason,
                "errors": {
                    "reason": _("The registry refused the objection: %(why)s")
                    % {"why": str(refused)}
                },
                "error_title": True,
            },
            json_twin="/v1/objections",
            status_code=422,
        )
    return RedirectResponse(f"/my-file/objections/{objection.number}?filed=1", status_code=303)


@router.get("/my-file/objections/{number}", include_in_schema=False)
def follow_objection(
    request: Request, number: Annotated[int, Path(ge=1, le=ROW_ID_MAX)], filed: str = ""
) -> Response:
    principal = require(request, "subject")
    registry = registry_of(request)
    objection = next(
        (
            found
            for found in registry.objections(subject_id=principal.who)
            if found.number == number
        ),
        None,
    )
    if objection is None:
        return render(
            request,
            "not_found.html",
            {"what": str(number)},
            json_twin="/v1/objections",
            status_code=404,
        )
    return render(
        request,
        "objection.html",
        {"objection": objection, "filed": bool(filed), "today": registry.today()},
        json_twin="/v1/objections",
    )


@router.get("/my-file/statement", include_in_schema=False)
def statement_form(request: Request) -> Response:
    principal = require(request, "subject")
    registry = registry_of(request)
    files = registry.subject_files(principal.who, registry.today(), VIEWER, PURPOSE, CHANNEL)
    current = files[0].statement.text if files and files[0].statement else ""
    return render(
        request,
        "statement.html",
        {"text": current, "errors": {}, "limit": STATEMENT_MAX_CHARS},
        json_twin=f"/v1/subjects/{principal.who}",
    )


@router.post("/my-file/statement", include_in_schema=False)
def leave_statement(request: Request, text: str = Form(""), csrf_token: str = Form("")) -> Response:
    principal = require(request, "subject")
    registry = registry_of(request)
    _ = translate(request)
    text = text.strip()
    errors = {}
    if not csrf_valid(request, csrf_token):
        errors["text"] = _("The form had expired. Send it again.")
    elif not text:
        errors["text"] = _("Write your statement")
    elif len(text) > STATEMENT_MAX_CHARS:
        errors["text"] = _("Say it in %(count)s characters or fewer") % {
            "count": STATEMENT_MAX_CHARS
        }
    else:
        try:
            registry.leave_statement(principal.who, text)
        except Refused as refused:
            errors["text"] = str(refused)
    if errors:
        return render(
            request,
            "statement.html",
            {"text": text, "errors": errors, "error_title": True, "limit": STATEMENT_MAX_CHARS},
            json_twin=f"/v1/subjects/{principal.who}",
            status_code=422,
        )
    return RedirectResponse("/my-file?" + urlencode({"done": "statement"}), status_code=303)


# -- credit repair (SPEC §10.2) ------------------------------------------------------------------


def _repair_form(request: Request, entry: FileRecord, record: str, **context) -> Response:
    values = {"entry": entry, "record": record, "evidence": "", "errors": {}}
    values |= {"limit": EVIDENCE_MAX_CHARS} | context
    return render(
        request,
        "repair_apply.html",
        values,
        json_twin="/v1/repairs",
        status_code=422 if values["errors"] else 200,
    )


@router.get("/my-file/repairs/new", include_in_schema=False)
def repair_form(request: Request, record: str = "") -> Response:
    """Apply for repair of one record that counts: `record` is `source/record_id`."""
    require(request, "subject")
    source, _slash, record_id = record.partition("/")
    entry = _counting_record(request, source, record_id) if record_id else None
    if entry is None:
        return RedirectResponse("/my-file", status_code=303)
    return _repair_form(
        request, entry, record, opens=registry_of(request).repair_opens(source, record_id)
    )


@router.post("/my-file/repairs", include_in_schema=False)
def apply_for_repair(
    request: Request, record: str = Form(""), evidence: str = Form(""), csrf_token: str = Form("")
) -> Response:
    require(request, "subject")
    registry = registry_of(request)
    _ = translate(request)
    source, _slash, record_id = record.partition("/")
    entry = _counting_record(request, source, record_id) if record_id else None
    if entry is None:
        return RedirectResponse("/my-file", status_code=303)
    evidence = evidence.strip()
    error = None
    if not csrf_valid(request, csrf_token):
        error = _("The form had expired. Send it again.")
    elif not evidence:
        error = _("Say how you have performed the duty, and what you commit to")
    elif len(evidence) > EVIDENCE_MAX_CHARS:
        error = _("Say it in %(count)s characters or fewer") % {"count": EVIDENCE_MAX_CHARS}
    else:
        try:
            repair = registry.apply_repair(source, record_id, evidence)
        except Refused as refused:
            error = _("The registry refused the application: %(why)s") % {"why": str(refused)}
    if error is not None:
        return _repair_form(
            request,
            entry,
            record,
            evidence=evidence,
            errors={"evidence": error},
            error_title=True,
            opens=registry.repair_opens(source, record_id),
        )
    return RedirectResponse(
        "/my-file?" + urlencode({"done": "repair", "repair": repair.number}), status_code=303
    )


@router.get("/my-file/views", include_in_schema=False)
def my_views(request: Request, page: int = 1) -> Response:
    """Who looked at the signed-in subject's file, a page at a time, newest first, with the
    repeated looks summed up (defect 13). Reading it is not a look at the file."""
    principal = require(request, "subject")
    registry = registry_of(request)
    try:
        pages = registry.views_pages(principal.who, max(1, min(page, ROW_ID_MAX)))
    except Refused:
        pages = []
    views = pages[0][1] if pages else None
    return render(
        request,
        "subject_views.html",
        {"views": views},
        json_twin=f"/v1/subjects/{principal.who}/views?{urlencode({'page': page})}",
    )
