"""Rendering a page: one Jinja environment per language, the context every page needs.

Every page names its JSON twin in the HTTP API (SPEC §9): a link in the page, a
`<link rel="alternate">` in its head and an HTTP `Link` header, as Datasette does.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from socialcredit.domain.rules import Rulebook
from socialcredit.web import i18n
from socialcredit.web.catalogue_view import item_titles, list_titles, source_names
from socialcredit.web.dependencies import chosen_jurisdiction, registry_of, rulebook_for
from socialcredit.web.principal import principal_of
from socialcredit.web.security import csrf_token_for

TEMPLATE_DIRECTORY = Path(__file__).parent / "templates"


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIRECTORY),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    formats = i18n.Formats(language)
    env.filters["date"] = formats.date
    env.filters["datetime"] = formats.datetime
    env.filters["number"] = formats.number
    env.filters["signed"] = formats.signed
    env.filters["percent"] = formats.percent
    env.globals["language"] = language
    env.globals["html_language"] = i18n.HTML_LANGUAGE_TAGS[language]
    env.globals["language_names"] = i18n.LANGUAGE_NAMES
    return env


@lru_cache(maxsize=8)
def catalogue_names(rulebook: Rulebook, language: str) -> dict[str, dict[str, str]]:
    """Titles of items and lists and names of sources in `language`; a new rulebook (a new
    publication) is a new key."""
    catalogues = rulebook.catalogues
    return {
        "items": item_titles(catalogues, language),
        "sources": source_names(catalogues, language),
        "lists": list_titles(catalogues, language),
    }


def translate(request: Request):
    """The gettext of the request's language, for messages made in Python (form errors)."""
    return i18n.translations(i18n.language_of(request)).gettext


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    json_twin: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page `template` in the request's language; `json_twin` is its API address."""
    language = i18n.language_of(request)
    page = (
        environment(language)
        .get_template(template)
        .render(
            request=request,
            path=request.url.path,
            query=request.url.query,
            json_twin=json_twin,
            csrf_token=csrf_token_for(request),
            principal=principal_of(request),
            names=catalogue_names(rulebook_for(request), language),
            jurisdictions=registry_of(request).jurisdictions.local_names,
            jurisdiction=chosen_jurisdiction(request),
            **context,
        )
    )
    response = HTMLResponse(page, status_code=status_code)
    if json_twin:
        response.headers["Link"] = f'<{json_twin}>; rel="alternate"; type="application/json"'
    # A page stays on this machine: no framing by others, no scripts from elsewhere. Inline
    # styles only for the charts' SVG, which pygal styles from within.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    csrf_token_for(request, response)
    return response
