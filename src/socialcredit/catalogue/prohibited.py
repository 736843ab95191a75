"""The prohibited-grounds guard (SPEC §1): no catalogue item may score what a person believes,
says, is, loves, knows, or where they go.

The grounds and their patterns are data (`prohibited_grounds.yaml`). A pattern is a phrase of
word patterns; a text is cut into lower-case words and a pattern matches where its words match
consecutive words. Which patterns a word can begin is memoized per word, so checking 160,000
items costs little more than reading their words: most words begin no pattern at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import ryaml

GROUNDS_FILE = "prohibited_grounds.yaml"
_WORDS = re.compile(r"[a-z0-9']+")


class BadPattern(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Ground:
    name: str
    description: str
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Phrase:
    """One pattern of a ground, as a sequence of whole-word expressions."""

    ground: Ground
    words: tuple[re.Pattern[str], ...]

    def matches_at(self, words: list[str], start: int) -> bool:
        if start + len(self.words) > len(words):
            return False
        return all(
            pattern.fullmatch(word) for pattern, word in zip(self.words, words[start:])
        )


@dataclass(frozen=True, slots=True)
class ProhibitedMatch:
    ground: Ground
    term: str  # the words that matched, lower-cased


def _split_words(pattern: str) -> tuple[str, ...]:
    depth = 0
    for character in pattern:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == " " and depth:
            raise BadPattern(f"{pattern!r}: a space inside parentheses; write two patterns")
    return tuple(pattern.split(" "))


class Guard:
    def __init__(self, grounds: tuple[Ground, ...]):
        self.grounds = grounds
        self.phrases = [
            Phrase(ground, tuple(re.compile(word) for word in _split_words(pattern)))
            for ground in grounds
            for pattern in ground.patterns
        ]
        self._phrases_beginning_with: dict[str, list[Phrase]] = {}

    def phrases_beginning_with(self, word: str) -> list[Phrase]:
        phrases = self._phrases_beginning_with.get(word)
        if phrases is None:
            phrases = [phrase for phrase in self.phrases if phrase.words[0].fullmatch(word)]
            self._phrases_beginning_with[word] = phrases
        return phrases

    def find(self, *texts: str) -> ProhibitedMatch | None:
        for text in texts:
            found = words(text)
            for start, word in enumerate(found):
                for phrase in self.phrases_beginning_with(word):
                    if phrase.matches_at(found, start):
                        term = " ".join(found[start : start + len(phrase.words)])
                        return ProhibitedMatch(phrase.ground, term)
        return None

    @cached_property
    def longest_phrase(self) -> int:
        return max(len(phrase.words) for phrase in self.phrases)


@lru_cache(maxsize=1)
def prohibited_grounds() -> tuple[Ground, ...]:
    text = resources.files(__package__).joinpath(GROUNDS_FILE).read_text(encoding="utf-8")
    document = ryaml.loads(text)
    return tuple(
        Ground(name, entry["description"], tuple(entry["patterns"]))
        for name, entry in document.items()
    )


@lru_cache(maxsize=1)
def guard() -> Guard:
    return Guard(prohibited_grounds())


def words(text: str) -> list[str]:
    """Lower-case words; `.`, `_`, `-`, `/` and every other separator split them."""
    return _WORDS.findall(text.lower())


def find_prohibited_ground(*texts: str) -> ProhibitedMatch | None:
    """The first prohibited ground that any of `texts` touches, or None."""
    return guard().find(*texts)
