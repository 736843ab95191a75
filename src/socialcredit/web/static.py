"""Styles, scripts and their licences, served by the project itself: no CDN, works offline."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

STATIC_DIRECTORY = Path(__file__).parent / "static"
# Files change only with a release; a day of caching keeps pages fast without going stale long.
CACHE_MAX_AGE_S = 24 * 60 * 60
MEDIA_TYPES = {".css": "text/css", ".js": "text/javascript", ".txt": "text/plain"}

router = APIRouter()


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    path = STATIC_DIRECTORY / name
    # One flat folder, named files only: a request can never leave it.
    if "/" in name or name.startswith(".") or not path.is_file() or path.suffix not in MEDIA_TYPES:
        raise HTTPException(status_code=404)
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[path.suffix],
        headers={"Cache-Control": f"public, max-age={CACHE_MAX_AGE_S}"},
    )
