"""What every page handler needs from the application: the registry, and the local
jurisdiction the visitor picked (SPEC §11)."""

from __future__ import annotations

from starlette.requests import Request

from socialcredit.domain.rules import Rulebook
from socialcredit.registry import Registry

# The visitor's choice of jurisdiction, as the language's: `?jurisdiction=` wins, then the
# cookie set by `/jurisdiction/{name}`, then the store's first local jurisdiction.
JURISDICTION_COOKIE = "scs_jurisdiction"


def registry_of(request: Request) -> Registry:
    return request.app.state.registry


def chosen_jurisdiction(request: Request) -> str | None:
    """The local jurisdiction a page shows (None: the store has none)."""
    names = registry_of(request).jurisdictions.local_names
    for wanted in (
        request.query_params.get("jurisdiction"),
        request.cookies.get(JURISDICTION_COOKIE),
    ):
        if wanted in names:
            return wanted
    return names[0] if names else None


def rulebook_for(request: Request) -> Rulebook:
    """The rulebook of the jurisdiction the page shows (an empty one when none is published)."""
    name = chosen_jurisdiction(request)
    return registry_of(request).rulebook_of(name) if name else Rulebook([])
