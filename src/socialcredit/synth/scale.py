"""The demo's scale and places: constants the CLI shows as defaults, in a module of their own so
that starting `scs` does not import the generator (and NumPy with it)."""

from __future__ import annotations

from pathlib import Path

DEMO_DIRECTORY = Path("scs-demo")
DEMO_STORE_FILE = Path("scs-demo.db")
# Rongcheng, the best-known city pilot: about 740,000 adult residents, 30,000 organizations.
RONGCHENG_PERSONS = 740_000
RONGCHENG_ORGANIZATIONS = 30_000
SMALL_SCALE = 0.05
