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
    # Put before every source code of the city's catalogue: in a store with several cities a
    # source code is unique (SPEC §11), so the nation's cities prefix theirs (`nanyang-bank-01`).
    source_prefix: str = ""

    def resized(self, persons: int, organizations: int) -> City:
        return dataclasses.replace(self, persons=persons, organizations=organizations)

    def scaled(self, factor: float) -> City:
        """The same city at `factor` of its size (at least 100 residents, 10 organizations)."""
        return self.resized(
            max(100, round(self.persons * factor)), max(10, round(self.organizations * factor))
        )


RONGCHENG = City("Rongcheng", "rongcheng", RONGCHENG_PERSONS, RONGCHENG_ORGANIZATIONS)

# The demo's nation (SPEC §11): three cities under the national lists, Rongcheng at its size and
# two smaller ones with catalogues of their own. The two are named after real pilots (Nanyang's
# rules set a nationally listed person's score to 150; Suqian was in the first batch of
# demonstration cities) but are not drawn at those cities' real sizes: the nation stays a laptop's.
NATION_CITIES = (
    dataclasses.replace(RONGCHENG, source_prefix="rongcheng-"),
    City(
        "Nanyang",
        "nanyang",
        400_000,
        16_000,
        base_score=600,
        catalogue="nanyang",
        source_prefix="nanyang-",
    ),
    City(
        "Suqian",
        "suqian",
        250_000,
        10_000,
        base_score=200,
        catalogue="suqian",
        source_prefix="suqian-",
    ),
)
# What the projection of docs/SCALE.md scales to: about thirty pilot cities, and the nation.
PILOT_CITIES = 30
NATION_PERSONS = 1_400_000_000
