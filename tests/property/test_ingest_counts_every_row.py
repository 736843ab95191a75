"""The ingest invariant on a real store (issue 8, item 3): for every file, accepted +
duplicates + rejected equals the rows Python's csv module sees; every rejected row keeps its
fields exactly as submitted and an accepted one its reference whole; and the verdicts are the
same whether the file is read in one block or in blocks far smaller than the file."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.conftest import fixed_clock, fresh_store_url
from tests.helpers import ORGANIZATION, PERSON, catalogue_document, catalogue_yaml

COLUMNS = ["record_id", "item", "subject_id", "decided_on", "reference", "quantity"]

references = st.one_of(
    st.sampled_from(["DOC-1", '5" pipe', 'a"b"c', "x y"]),  # quotes inside unquoted fields
    st.text(alphabet=st.sampled_from('ab ,\n"é中'), min_size=1, max_size=8)
    .filter(lambda text: text.strip() == text and text)
    .map(lambda text: '"' + text.replace('"', '""') + '"'),  # quoted, over several lines
)
rows = st.tuples(
    st.sampled_from(["r1", "r2", "r3", "", '"r4"']),
    st.sampled_from(["traffic.red_light", "no.such_item"]),
    st.sampled_from([PERSON, ORGANIZATION, "bad"]),
    st.sampled_from(["2025-01-10", "2099-01-01", "10/01/2025"]),
    references,
    st.sampled_from(["", "1", "2", "0", "x"]),
).map(",".join)
lines = st.lists(
    st.one_of(rows, rows, rows, st.sampled_from(["", ",,,,,", "   "])), min_size=1, max_size=25
)


def ingest(url: str, path: Path, block_bytes: int, monkeypatch: pytest.MonkeyPatch):
    registry = Registry(Store.open(url), clock=fixed_clock)
    try:
        assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
        monkeypatch.setattr("socialcredit.ingest.csv_reader.CSV_BLOCK_BYTES", block_bytes)
        result = registry.ingest(
            path, "traffic-police", path.with_name(f"rejects-{block_bytes}.csv")
        )
        ledger = registry.store.current_ledger()
        rejected = registry.store.rejected_rows(result.batch_id)
    finally:
        registry.store.close()
    return result.counts, ledger, rejected


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=lines, line_end=st.sampled_from(["\n", "\r\n"]), block_bytes=st.integers(20, 200))
def test_every_row_is_counted_once_and_kept_as_submitted(
    backend: str, monkeypatch: pytest.MonkeyPatch, lines, line_end, block_bytes
) -> None:
    text = ",".join(COLUMNS) + line_end + line_end.join(lines) + line_end
    seen = [values for values in list(csv.reader(io.StringIO(text, newline="")))[1:]]
    submitted = {number: values for number, values in enumerate(seen, start=1) if values}
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        path = directory / "records.csv"
        path.write_bytes(text.encode())
        with (
            fresh_store_url(backend, directory) as small_url,
            fresh_store_url(backend, directory) as whole_url,
        ):
            counts, ledger, rejected = ingest(small_url, path, block_bytes, monkeypatch)
            whole_counts, whole_ledger, whole_rejected = ingest(
                whole_url, path, 1 << 20, monkeypatch
            )

    assert counts.accepted + counts.duplicates + counts.rejected == len(submitted)
    assert (counts, rejected.rows()) == (whole_counts, whole_rejected.rows())
    assert (
        ledger.drop("id", "batch_id", strict=False).rows()
        == whole_ledger.drop("id", "batch_id", strict=False).rows()
    )
    for row in rejected.iter_rows(named=True):
        values = submitted[row["row"]] + [""] * len(COLUMNS)
        assert [row[name] or "" for name in COLUMNS] == values[: len(COLUMNS)]
    references_submitted = {values[4] for values in submitted.values() if len(values) > 4}
    assert (
        ledger.height == 0
        or "reference" not in ledger.columns
        or set(ledger["reference"]) <= references_submitted
    )
