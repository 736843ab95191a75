"""Starting `scs` imports only what every command needs (issue 12): `scs score` paid a fifth of
a second for NumPy and pyarrow it never used. Each heavy package below is imported by the
commands that use it, when they run."""

from __future__ import annotations

import subprocess
import sys

# Not needed to start the CLI (nor, on its ledger cache, to score): pyarrow and NumPy (ingest,
# the city generator), ADBC's DB-API module (imports pyarrow), psycopg (SQLAlchemy's driver,
# imported when an engine on PostgreSQL is made), the web service, the migrations.
NOT_AT_STARTUP = (
    "numpy",
    "pyarrow",
    "adbc_driver_manager.dbapi",
    "psycopg",
    "fastapi",
    "alembic",
    "socialcredit.ingest.readers",
    "socialcredit.synth.city",
)


def test_starting_the_cli_imports_no_heavy_package_it_does_not_use() -> None:
    probe = (
        "import sys, socialcredit.cli.app; "
        f"print(' '.join(name for name in {NOT_AT_STARTUP!r} if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
