"""POST /v1/catalogue/simulation: what a candidate catalogue version would change (SPEC §10.6),
as `scs catalog simulate --json` says it. The operator's; nothing is stored or logged."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Query, Request

from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.registry import Registry
from socialcredit.service import schemas
from socialcredit.service.auth import get_registry, require_roles
from socialcredit.service.errors import ERROR_RESPONSES, ApiError

router = APIRouter(prefix="/v1", tags=["catalogue"], responses=ERROR_RESPONSES)

YAML_MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/plain")
PROBLEMS_SHOWN = 20  # in the one-line detail; the CLI prints every one


@router.post(
    "/catalogue/simulation",
    response_model=schemas.SimulationReport,
    summary="What a new catalogue version would change, before it is published",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
    responses={415: ERROR_RESPONSES[422] | {"description": "unsupported media type"}},
)
async def simulate_catalogue(
    request: Request,
    _principal: Annotated[object, Depends(require_roles("operator"))],
    registry: Annotated[Registry, Depends(get_registry)],
    as_of: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None,
) -> schemas.SimulationReport:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in YAML_MEDIA_TYPES:
        known = ", ".join(YAML_MEDIA_TYPES)
        raise ApiError(415, f"header content-type: {media_type or 'none'} is not one of {known}")
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "body: the catalogue must be YAML in UTF-8") from None
    try:
        result = await anyio.to_thread.run_sync(
            functools.partial(registry.simulate_catalogue, text, as_of)
        )
    except AsOfBeforeCatalogue as error:
        raise ApiError(422, f"query parameter as_of: {error}") from None
    if result.simulation is None:
        problems = result.report.problems
        shown = "; ".join(problems[:PROBLEMS_SHOWN])
        more = (
            f"; and {len(problems) - PROBLEMS_SHOWN} more" if len(problems) > PROBLEMS_SHOWN else ""
        )
        raise ApiError(
            422, f"body: the catalogue is invalid ({len(problems)} problems): {shown}{more}"
        )
    return schemas.SimulationReport.model_validate(result.simulation.document())
