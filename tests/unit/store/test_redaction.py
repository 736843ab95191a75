"""A rejected row's reason, as the main store keeps it, quotes none of the row's values."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from socialcredit.store.identities import REDACTED_VALUE_MIN_LENGTH, identity_path, redacted_reason

identifier_like = st.text(
    alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYabcdxyz", min_size=15, max_size=19
)
values = st.lists(
    st.one_of(st.none(), identifier_like, st.text(min_size=REDACTED_VALUE_MIN_LENGTH, max_size=30)),
    min_size=1,
    max_size=8,
)


@given(
    values,
    st.lists(
        st.sampled_from(
            ["unknown item '{}'", "conflict: record {} differs", "{}", "not a date: {}"]
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_no_submitted_value_survives(submitted, templates) -> None:
    present = [value for value in submitted if value and value.strip()]
    reason = "; ".join(
        template.format(present[position % len(present)] if present else "x")
        for position, template in enumerate(templates)
    )
    redacted = redacted_reason(reason, submitted)
    for value in present:
        if len(value.strip()) >= REDACTED_VALUE_MIN_LENGTH:
            assert value.strip() not in redacted


def test_the_reason_still_says_what_was_wrong() -> None:
    reason = "unknown item '11010519491231002X' in the catalogue in effect on 2025-01-03"
    assert redacted_reason(reason, ["11010519491231002X", "2025-01-03"]) == (
        "unknown item '…' in the catalogue in effect on …"
    )


def test_the_identity_file_sits_beside_the_store() -> None:
    assert identity_path(Path("/data/scs.db")) == Path("/data/scs.identities.db")
    assert identity_path(Path("store")) == Path("store.identities")
