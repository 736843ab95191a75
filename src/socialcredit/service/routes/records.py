"""POST /v1/records: a source submits a batch, checked and stored as `scs ingest` would.

The body is streamed to a temporary file (never held whole in memory) and counted as it
comes: a declared or actual size over the limit gets 413 before the rest is read. The file
then takes the very path of `scs ingest`, in one transaction: a response means the batch is
stored; no response means nothing of it is, and the retry is judged row by row against the
ledger (an identical row is a duplicate, stored once).
"""

from __future__ import annotations

import asyncio
import functools
import tempfile
from pathlib import Path
from typing import Annotated

import anyio
import polars as pl
from fastapi import APIRouter, Depends, Request
from starlette.requests import ClientDisconnect

from socialcredit.ingest.readers import UnreadableFile
from socialcredit.registry import IngestResult, Principal, Registry, UnknownSource
from socialcredit.service import schemas
from socialcredit.service.auth import get_registry, require_roles
from socialcredit.service.errors import ERROR_RESPONSES, ApiError

router = APIRouter(prefix="/v1", tags=["records"], responses=ERROR_RESPONSES)

SUFFIX_OF_MEDIA_TYPE = {
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/json-lines": ".jsonl",
    "text/csv": ".csv",
}
BODY_EXAMPLES = {
    "application/x-ndjson": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
}
# The rejects a response lists, first rows first: a body of tiny lines can hold millions, which
# the store keeps all of (`scs rejected BATCH`); `rejected` counts them all.
REJECTS_SHOWN_MAX_ROWS = 100_000


def _suffix(request: Request) -> str:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    suffix = SUFFIX_OF_MEDIA_TYPE.get(media_type)
    if suffix is None:
        known = ", ".join(SUFFIX_OF_MEDIA_TYPE)
        raise ApiError(415, f"header content-type: {media_type or 'none'} is not one of {known}")
    return suffix


def _declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise ApiError(400, "header content-length: not a number")
    if int(declared) > limit:
        raise ApiError(413, f"the body is {declared} bytes; the limit is {limit}")


async def _stream_to(request: Request, path: Path, limit: int, chunk_timeout_s: float) -> None:
    received = 0
    stream = request.stream().__aiter__()
    with path.open("wb") as handle:
        while True:
            try:
                chunk = await asyncio.wait_for(stream.__anext__(), chunk_timeout_s)
            except StopAsyncIteration:
                return
            except ClientDisconnect:  # gone, or cut off by the body limit (which answered 413)
                raise ApiError(400, "the body ended before it was complete") from None
            except TimeoutError:
                raise ApiError(
                    408, f"no part of the body came for {chunk_timeout_s:.0f} s"
                ) from None
            received += len(chunk)
            if received > limit:
                raise ApiError(413, f"the body is over the limit of {limit} bytes")
            handle.write(chunk)


def _ingest(
    registry: Registry, path: Path, source: str
) -> tuple[IngestResult, list[schemas.RejectedRow]]:
    result = registry.ingest(path, source, path.with_name("rejects.csv"))
    rejects = []
    if result.counts.rejected:
        # The first rows of the rejects file the ingest wrote, not every reject of the batch
        # read back from the store: memory stays bounded whatever the body held.
        frame = pl.read_csv(
            result.rejects_path,
            columns=["row", "reason"],
            n_rows=REJECTS_SHOWN_MAX_ROWS,
            infer_schema=False,
        )
        rejects = [
            schemas.RejectedRow(row=int(row), reason=reason)
            for row, reason in zip(frame["row"], frame["reason"], strict=True)
        ]
    return result, rejects


@router.post(
    "/records",
    response_model=schemas.BatchResult,
    summary="Submit a batch of records (JSON Lines or CSV)",
    openapi_extra={"requestBody": {"required": True, "content": BODY_EXAMPLES}},
    responses={415: ERROR_RESPONSES[422] | {"description": "unsupported media type"}},
)
async def submit_records(
    request: Request,
    principal: Annotated[Principal, Depends(require_roles("source"))],
    registry: Annotated[Registry, Depends(get_registry)],
) -> schemas.BatchResult:
    settings = request.app.state.settings
    suffix = _suffix(request)
    _declared_length(request, settings.records_body_max_bytes)
    with tempfile.TemporaryDirectory(prefix="scs-records-") as directory:
        path = Path(directory) / f"request{suffix}"
        await _stream_to(
            request, path, settings.records_body_max_bytes, settings.body_chunk_timeout_s
        )
        try:
            result, rejects = await anyio.to_thread.run_sync(
                functools.partial(_ingest, registry, path, principal.who or ""),
                limiter=request.app.state.ingest_limiter,
            )
        except (UnreadableFile, UnknownSource) as error:
            raise ApiError(422, f"body: {error}".replace(str(path), "the body")) from None
    request.app.state.metrics.count_records(result.counts, rejects)
    return schemas.BatchResult(
        batch=result.batch_id,
        accepted=result.counts.accepted,
        duplicates=result.counts.duplicates,
        rejected=result.counts.rejected,
        rejects=rejects,
    )
