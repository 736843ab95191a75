"""What kind of problem a rejected row had, from a fixed list: for counting, never for telling.

A reason names the row's values (an unknown item, a submitted key, a wrong check character),
so counting rejects by reason would make one series per value a client sends (one request made
20,002). The kind is the first problem's, matched by the words the checks write
(`ingest/checks.py`, `revisions.py`, the readers); anything else is `other`.
"""

from __future__ import annotations

import re

OTHER = "other"
# (kind, the start of the reasons of that kind), tried in order.
_KINDS: tuple[tuple[str, str], ...] = (
    ("not_utf8", r"not valid UTF-8"),
    ("no_record_field", r"none of the record fields is given"),
    (
        "unreadable_row",
        r"not valid JSON|not a JSON object|unreadable CSV|the row has \d+ fields|"
        r"\w+ is given twice|\w+ must be a single value|\w+ holds an unpaired surrogate|"
        r"a field holds a NUL",
    ),
    ("missing_field", r"missing field "),
    ("record_id_too_long", r"record_id is longer than "),
    ("bad_number", r"(revision|quantity) (must be a positive integer|is larger than)"),
    ("bad_status", r"status must be "),
    ("bad_date", r"decided_on is not a date"),
    ("decided_after_submission", r"decided_on lies after the day of submission"),
    ("no_catalogue_version", r"no catalogue version is in effect on "),
    ("unknown_item", r"unknown item "),
    ("not_an_issuer", r"source '.*' is not an issuer of "),
    ("invalid_identifier", r"(person|organization) identifier|subject_id is an? "),
    ("conflict", r"conflict: "),
    ("lower_revision", r"revision \d+ is lower than "),
    ("subject_changed", r"a revision may not change subject_id"),
)
_PATTERN = re.compile("|".join(f"(?P<{kind}>{starts})" for kind, starts in _KINDS))
REJECT_KINDS: tuple[str, ...] = (*(kind for kind, _ in _KINDS), OTHER)


def reject_kind(reason: str) -> str:
    """One of REJECT_KINDS: the kind of the first problem the reason lists."""
    found = _PATTERN.match(reason.split("; ", 1)[0])
    return found.lastgroup if found and found.lastgroup else OTHER
