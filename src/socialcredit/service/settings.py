"""The service's limits and knobs, each a named constant with its unit last."""

from __future__ import annotations

from dataclasses import dataclass

RECORDS_BODY_MAX_BYTES = 64 * 1024 * 1024  # one POST /v1/records: ~200,000 records of JSON Lines
# A catalogue published through the web form: 160,000 items of YAML (SPEC §3) take about 40 MB.
CATALOGUE_BODY_MAX_BYTES = 64 * 1024 * 1024
JSON_BODY_MAX_BYTES = 64 * 1024  # any other request body (a statement, an objection)
# Each key has its own rate (`scs keys create --rate`; defaults by role in
# `registry/keys.py`); its bucket holds two seconds of it, and at least this many requests.
REQUEST_BURST_MIN = 60
# Per client address, for callers with no key of their own (README: "Limits"):
PUBLIC_REQUESTS_PER_SECOND_PER_ADDRESS = 20.0  # the public organization lookup, the catalogue
PUBLIC_REQUEST_BURST_PER_ADDRESS = 40
UNKNOWN_KEY_REQUESTS_PER_SECOND_PER_ADDRESS = 2.0  # a key that is malformed, unknown, revoked
UNKNOWN_KEY_REQUEST_BURST_PER_ADDRESS = 20
SIGN_IN_ATTEMPTS_PER_SECOND_PER_ADDRESS = 10 / 60  # ten a minute
SIGN_IN_ATTEMPT_BURST_PER_ADDRESS = 10
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
    # None: each key's own rate; a number overrides every key's (0: no per-key limit).
    requests_per_second_per_key: float | None = None
    request_burst_per_key: int | None = None  # None: two seconds of the rate, at least the min
    public_requests_per_second_per_address: float = PUBLIC_REQUESTS_PER_SECOND_PER_ADDRESS
    public_request_burst_per_address: int = PUBLIC_REQUEST_BURST_PER_ADDRESS
    unknown_key_requests_per_second_per_address: float = UNKNOWN_KEY_REQUESTS_PER_SECOND_PER_ADDRESS
    unknown_key_request_burst_per_address: int = UNKNOWN_KEY_REQUEST_BURST_PER_ADDRESS
    sign_in_attempts_per_second_per_address: float = SIGN_IN_ATTEMPTS_PER_SECOND_PER_ADDRESS
    sign_in_attempt_burst_per_address: int = SIGN_IN_ATTEMPT_BURST_PER_ADDRESS
    request_timeout_s: float = REQUEST_TIMEOUT_S
    records_request_timeout_s: float = RECORDS_REQUEST_TIMEOUT_S
    body_chunk_timeout_s: float = BODY_CHUNK_TIMEOUT_S
    log_requests: bool = True
