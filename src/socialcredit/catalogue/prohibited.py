"""The prohibited-grounds guard (SPEC §1): no catalogue item may score what a person believes,
says, is, loves, knows, or where they go.

The grounds and their patterns are data (`prohibited_grounds.yaml`); this module compiles them
into one regular expression with a named group per ground, so that checking 160,000 items
is one search per item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import ryaml

GROUNDS_FILE = "prohibited_grounds.yaml"
_SEPARATORS = re.compile(r"[._\-/]+")


@dataclass(frozen=True, slots=True)
class Ground:
    name: str
    description: str
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProhibitedMatch:
    ground: Ground
    term: str  # the words that matched, as written after normalizing


@lru_cache(maxsize=1)
def prohibited_grounds() -> tuple[Ground, ...]:
    text = resources.files(__package__).joinpath(GROUNDS_FILE).read_text(encoding="utf-8")
    document = ryaml.loads(text)
    return tuple(
        Ground(name, entry["description"], tuple(entry["patterns"]))
        for name, entry in document.items()
    )


@lru_cache(maxsize=1)
def _matcher() -> re.Pattern[str]:
    alternatives = (
        f"(?P<{ground.name}>{'|'.join(f'(?:{pattern})' for pattern in ground.patterns)})"
        for ground in prohibited_grounds()
    )
    return re.compile("|".join(alternatives), re.IGNORECASE)


def normalize_text(text: str) -> str:
    return _SEPARATORS.sub(" ", text)


def find_prohibited_ground(*texts: str) -> ProhibitedMatch | None:
    """The first prohibited ground that any of `texts` touches, or None."""
    match = _matcher().search(normalize_text("\n".join(texts)))
    if match is None:
        return None
    matched = match.groupdict()
    ground = next(ground for ground in prohibited_grounds() if matched[ground.name] is not None)
    return ProhibitedMatch(ground, match.group(0))
