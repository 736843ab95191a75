"""The limits on what a person may type: the store, the registry, the API's schemas and the web
forms all take them from here, so that a limit is changed in one place.

Named `WHAT_MAX_UNIT`. Characters are Python's (code points), as the store's `length()` counts.
"""

from __future__ import annotations

STATEMENT_MAX_CHARS = 500  # SPEC §7.2
REASON_MAX_CHARS = 2_000  # an objection's reason
NOTE_MAX_CHARS = 2_000  # a source's note when it upholds a record
EVIDENCE_MAX_CHARS = 2_000  # SPEC §10.2: a repair application's proof and commitment
REFUSAL_MAX_CHARS = 2_000  # why a source refuses repair
PURPOSE_MAX_CHARS = 200  # why a file is read or a measure checked (logged in the file)
IDENTIFIER_MAX_CHARS = 64  # far longer than an identifier (18); longer input is refused unread
RECORD_ID_MAX_CHARS = 64  # SPEC §4.1
ACT_MAX_CHARS = 64  # SPEC §4.1: the decision that established the act
SOURCE_CODE_MAX_CHARS = 128  # a source's code, as a request names it
MEASURE_CODE_MAX_CHARS = 128  # a measure's code, as a request names it
# Batches, objections, repairs and keys are numbered by the stores' 64-bit row ids: a larger
# number in a path or an argument names nothing, and SQLite cannot even be asked about it.
ROW_ID_MAX = 2**63 - 1
