"""The service's limits and knobs, each a named constant with its unit last."""

from __future__ import annotations

from dataclasses import dataclass

RECORDS_BODY_MAX_BYTES = 64 * 1024 * 1024  # one POST /v1/records: ~200,000 records of JSON Lines
# A catalogue published through the web form: 160,000 items of YAML (SPEC §3) take about 40 MB.
CATALOGUE_BODY_MAX_BYTES = 64 * 1024 * 1024
JSON_BODY_MAX_BYTES = 64 * 1024  # any other request body (a statement, an objection)
REQUESTS_PER_SECOND_PER_KEY = 100.0
REQUEST_BURST_PER_KEY = 200
REQUEST_TIMEOUT_S = 30.0
RECORDS_REQUEST_TIMEOUT_S = 600.0  # a large batch on a busy store
BODY_CHUNK_TIMEOUT_S = 30.0  # a client that stops sending mid-body is dropped
OBJECTIONS_PAGE_ROWS = 100  # `GET /v1/objections` unless `limit` says otherwise
OBJECTIONS_PAGE_MAX_ROWS = 1000


@dataclass(frozen=True)
class ServiceSettings:
    records_body_max_bytes: int = RECORDS_BODY_MAX_BYTES
    catalogue_body_max_bytes: int = CATALOGUE_BODY_MAX_BYTES
    json_body_max_bytes: int = JSON_BODY_MAX_BYTES
    requests_per_second_per_key: float = REQUESTS_PER_SECOND_PER_KEY
    request_burst_per_key: int = REQUEST_BURST_PER_KEY
    request_timeout_s: float = REQUEST_TIMEOUT_S
    records_request_timeout_s: float = RECORDS_REQUEST_TIMEOUT_S
    body_chunk_timeout_s: float = BODY_CHUNK_TIMEOUT_S
    log_requests: bool = True
