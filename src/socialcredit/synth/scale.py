"""The demo's scale and places: constants the CLI shows as defaults, in a module of their own so
that starting `scs` does not import the generator (and NumPy with it)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

DEMO_DIRECTORY = Path("scs-demo")
DEMO_STORE_FILE = Path("scs-demo.db")
# Rongcheng, the best-known city pilot: about 740,000 adult residents, 30,000 organizations.
RONGCHENG_PERSONS = 740_000
RONGCHENG_ORGANIZATIONS = 30_000
SMALL_SCALE = 0.05


@dataclass(frozen=True)
class City:
    """One city the generator can build: its name, the jurisdiction its catalogue names
    (SPEC §11), its size, its base score and which variant of the catalogue it publishes
    (`synth.catalogue.VARIANTS`)."""

    name: str
    jurisdiction: str
    persons: int
    organizations: int
    base_score: int = 1000
    catalogue: str = "rongcheng"

    def resized(self, persons: int, organizations: int) -> City:
        return dataclasses.replace(self, persons=persons, organizations=organizations)

    def scaled(self, factor: float) -> City:
        """The same city at `factor` of its size (at least 100 residents, 10 organizations)."""
        return self.resized(
            max(100, round(self.persons * factor)), max(10, round(self.organizations * factor))
        )


RONGCHENG = City("Rongcheng", "rongcheng", RONGCHENG_PERSONS, RONGCHENG_ORGANIZATIONS)
