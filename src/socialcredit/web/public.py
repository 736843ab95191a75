"""Public pages: what the registry is and refuses to score, the catalogue, organizations."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from socialcredit.domain.identifiers import identifier_problem, normalize_identifier
from socialcredit.web import i18n
from socialcredit.web.catalogue_view import item_history, item_of, search_items
from socialcredit.web.dependencies import (
    JURISDICTION_COOKIE,
    chosen_jurisdiction,
    registry_of,
    rulebook_for,
)
from socialcredit.web.routing import WebRoute
from socialcredit.web.security import local_path
from socialcredit.web.templating import render

QUERY_MAX_CHARS = 200  # longer than any title; longer input is cut, not refused

router = APIRouter(route_class=WebRoute)


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    registry = registry_of(request)
    rulebook = rulebook_for(request)
    catalogue = rulebook.version_on(registry.today()) or rulebook.latest
    return render(request, "home.html", {"catalogue": catalogue}, json_twin="/v1/catalogue")


@router.get("/language/{language}", include_in_schema=False)
def choose_language(request: Request, language: str, next: str = "/") -> Response:
    response = RedirectResponse(local_path(next) or "/", status_code=303)
    if language in i18n.LANGUAGES:
        response.set_cookie(
            i18n.LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="strict", path="/"
        )
    return response


@router.get("/jurisdiction/{name}", include_in_schema=False)
def choose_jurisdiction(request: Request, name: str, next: str = "/") -> Response:
    """SPEC §11: the public picks a jurisdiction; remembered like the language."""
    response = RedirectResponse(local_path(next) or "/", status_code=303)
    if name in registry_of(request).jurisdictions.local_names:
        response.set_cookie(
            JURISDICTION_COOKIE, name, max_age=365 * 24 * 3600, samesite="strict", path="/"
        )
    return response


@router.get("/national-lists", include_in_schema=False)
def national_lists_page(request: Request) -> Response:
    registry = registry_of(request)
    national = registry.jurisdictions.national
    catalogue = national.version_on(registry.today()) or national.latest
    lists = [
        (name, catalogue.lists[name].title if catalogue and name in catalogue.lists else name)
        for name in national.item_list_names
    ]
    return render(request, "national_lists.html", {"lists": lists}, json_twin="/v1/jurisdictions")


NATIONAL_PAGE_SIZE = 50


@router.get("/national-lists/{name}", include_in_schema=False)
def national_list_page(request: Request, name: str, q: str = "", page: int = 1) -> Response:
    """The organizations on a national list, paged and searchable; persons never."""
    registry = registry_of(request)
    national = registry.jurisdictions.national
    if name not in national.item_list_names:
        return render(
            request, "not_found.html", {"what": name}, json_twin="/v1/jurisdictions",
            status_code=404,
        )  # fmt: skip
    search = q.strip()[:QUERY_MAX_CHARS]
    page = max(1, min(page, 10**6))
    total, organizations = registry.national_list_members(
        name, registry.today(), search or None, (page - 1) * NATIONAL_PAGE_SIZE, NATIONAL_PAGE_SIZE
    )
    catalogue = national.version_on(registry.today()) or national.latest
    title = catalogue.lists[name].title if catalogue and name in catalogue.lists else name
    return render(
        request,
        "national_list.html",
        {
            "name": name,
            "title": title,
            "search": search,
            "total": total,
            "organizations": organizations,
            "page": page,
            "size": NATIONAL_PAGE_SIZE,
        },
        json_twin=f"/v1/national-lists/{name}",
    )


@router.get("/catalogue", include_in_schema=False)
def catalogue_page(request: Request, q: str = "", kind: str = "") -> Response:
    registry = registry_of(request)
    today = registry.today()
    catalogue = rulebook_for(request).version_on(today)
    query = q.strip()[:QUERY_MAX_CHARS]
    kind = kind if kind in ("person", "organization") else ""
    items, total = search_items(catalogue, query, kind or None) if catalogue else ([], 0)
    upcoming = [
        version for version in rulebook_for(request).catalogues if version.effective_from > today
    ]
    return render(
        request,
        "catalogue.html",
        {
            "catalogue": catalogue,
            "items": items,
            "total": total,
            "search": query,
            "kind": kind,
            "today": today,
            "upcoming": upcoming,
        },
        json_twin="/v1/catalogue",
    )


@router.get("/catalogue/items/{code}", include_in_schema=False)
def item_page(request: Request, code: str) -> Response:
    registry = registry_of(request)
    rulebook = rulebook_for(request)
    history = item_history(rulebook.catalogues, code)
    if not history:
        return render(
            request, "not_found.html", {"what": code}, json_twin="/v1/catalogue", status_code=404
        )
    today = registry.today()
    in_effect = rulebook.version_on(today)
    # The item as the version in effect words it; else as the last version that had it.
    shown = next(
        (catalogue, item_of(catalogue, code))
        for catalogue in ([in_effect] if in_effect else []) + list(reversed(rulebook.catalogues))
        if item_of(catalogue, code) is not None
    )
    catalogue, item = shown
    return render(
        request,
        "item.html",
        {
            "item": item,
            "catalogue": catalogue,
            "in_effect": in_effect is not None and catalogue.version == in_effect.version,
            "history": history,
        },
        json_twin=f"/v1/catalogue?{urlencode({'as_of': catalogue.effective_from.isoformat()})}",
    )


@router.get("/organizations", include_in_schema=False)
def organization_lookup(request: Request, code: str = "") -> Response:
    registry = registry_of(request)
    code = normalize_identifier(code[:QUERY_MAX_CHARS]) if code.strip() else ""
    context: dict = {"code": code, "error": None, "result": None, "searched": bool(code)}
    if code:
        problem = identifier_problem("organization", code)
        if problem:
            context["error"] = problem
        else:
            context["result"] = registry.organization_record(
                code, registry.today(), chosen_jurisdiction(request)
            )
    twin = f"/v1/organizations/{code}" if code and not context["error"] else "/v1/catalogue"
    catalogue = rulebook_for(request).version_on(registry.today())
    context["catalogue"] = catalogue
    status = 422 if context["error"] else 200
    return render(request, "organization.html", context, json_twin=twin, status_code=status)
