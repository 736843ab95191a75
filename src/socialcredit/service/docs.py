"""The browsable API description at /v1/docs: Swagger UI served by the registry itself.

FastAPI's own page loads Swagger UI and a favicon from a CDN, which would run another site's
script on the origin of the web session (SPEC §9: nothing comes from outside). Here the page
and its setup script are the project's, Swagger UI's files come from the `fastapi-offline`
package (the same Swagger UI, shipped inside the wheel), and a Content-Security-Policy lets the
page load nothing from elsewhere.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

DOCS_PATH = "/v1/docs"
ASSETS_PATH = "/v1/docs/assets"
# Swagger UI's files in the fastapi-offline wheel and the page's own setup script (this
# package's `static/`): where each is, and the media type it is served with.
ASSETS = {
    "swagger-ui.css": ("fastapi_offline", "text/css"),
    "swagger-ui-bundle.js": ("fastapi_offline", "text/javascript"),
    "api-docs.js": ("socialcredit.service", "text/javascript"),
}
ASSET_CACHE_MAX_AGE_S = 24 * 60 * 60  # files change only with a release
# Swagger UI styles some elements inline and shows its icons as data: images.
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'"
)
PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Social credit information registry: the HTTP API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PATH}/api-docs.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH)
def api_docs() -> HTMLResponse:
    return HTMLResponse(
        PAGE, headers={"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff"}
    )


@router.get(ASSETS_PATH + "/{name}")
def api_docs_asset(name: str) -> Response:
    if name not in ASSETS:  # named files only: a request never leaves the folder
        raise HTTPException(status_code=404)
    package, media_type = ASSETS[name]
    return Response(
        resources.files(package).joinpath("static", name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": f"public, max-age={ASSET_CACHE_MAX_AGE_S}"},
    )
