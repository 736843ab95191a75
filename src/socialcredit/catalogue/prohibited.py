"""The prohibited-grounds guard (SPEC §1, §10.5): no catalogue item may score what a person
believes, says, reads, is, loves, knows, how they live, whom they report on, what they ask of
the authorities, or where they go; no measure may reach the subject's family.

The grounds and their terms, in English and Chinese, are data (`prohibited_grounds.yaml`).
Every text is first normalized (NFKC, case folded, accents stripped, every run of punctuation
one space), so "Religión", "RELIGION" and "religion" read alike and an accented word stays
whole. English terms match whole words, with their regular inflections; Chinese terms match as
substrings, because Chinese has no spaces: they are chosen long enough not to occur inside
ordinary words. A few ordinary phrases (`ordinary_phrases`) neutralize a term that lies wholly
inside them: "bad faith" is a legal notion, not a belief.

All terms, phrases and the parts of terms with a gap are compiled into one Aho-Corasick
automaton, so an item is read once, whatever the number of terms: 160,000 items cost a second
or two (bench/guard.py).

A term may also be two parts joined by `…` ("境外…媒体", "complain…province"): the first part,
then the second within a few characters (GAP_CHINESE between Chinese parts, GAP_ENGLISH
between English ones), in the same text. It catches the words a list of whole phrases misses
between two it knows ("海外中文媒体", "complained directly to the province"); the refusal names the
whole span, from the first part to the second. The terms with a gap of one ground and language
pool their parts: any first part, then any second. An ordinary phrase holding the span
neutralizes it as it does a term.

A measure (SPEC §10.5) is read against the same grounds, and first against the measure grounds
(`measure_grounds`: the subject's relatives), which have an automaton of their own: a measure
acts on its subject alone, while an item may name a child ("Employed child labour").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import ahocorasick
import ryaml

GROUNDS_FILE = "prohibited_grounds.yaml"
# Joins the normalized texts of one item, which are read at once: no term contains it, so
# no term spans two texts.
TEXT_SEPARATOR = "\x1f"
# Words of an English term that are not inflected: "attended mass" but not "attended masses in".
UNINFLECTED_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "her",
        "his",
        "in",
        "into",
        "its",
        "of",
        "on",
        "or",
        "our",
        "the",
        "their",
        "to",
        "with",
    ]
)
GAP_MARK = "…"
GAP_CHINESE = 6  # characters between the two parts of a Chinese term: "海外|中文|媒体"
GAP_ENGLISH = 24  # characters between English parts: "complained | directly to the | province"
MIN_INFLECTED_LETTERS = 3  # "s" in "relative s score" (from "relative's") is not inflected
_SEPARATORS = re.compile(r"[\W_]+")
_ASCII_SEPARATORS = bytes(byte if chr(byte).isalnum() else ord(" ") for byte in range(128)) + bytes(
    128
)
_COMBINING_MARKS = re.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
# A space goes between a Latin letter and a Han, kana or Hangul character, so that "参加rally"
# still has the English word "rally" in it; Chinese terms never contain a space.
_CJK = r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]"
_LATIN_LETTER = re.compile("[a-z]")
_LATIN_NEXT_TO_CJK = re.compile(f"(?<=[a-z])(?={_CJK})|(?<={_CJK})(?=[a-z])")
_ENGLISH_TERM = re.compile(r"[a-z0-9 ()|*]+")
_CONSONANTS = frozenset("bcdfghjklmnpqrstvz")
_VOWEL_IN = re.compile("[aeiouy]")
_VOWELS = frozenset("aeiou")


class BadTerm(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Ground:
    name: str
    description: str
    english: tuple[str, ...] = field(repr=False)
    chinese: tuple[str, ...] = field(repr=False)


@dataclass(frozen=True, slots=True)
class ProhibitedMatch:
    ground: Ground
    term: str  # the words of the item that matched, normalized: "rallies", "越级上访"


@dataclass(frozen=True, slots=True)
class _Key:
    """What one string of the automaton stands for."""

    ground: Ground | None  # None: an ordinary phrase that neutralizes terms inside it
    prefix: bool  # an English term written `politic*`: the matched word runs on


def normalized(text: str) -> str:
    """Case folded, compatibility-normalized, without accents; every run of punctuation or
    space one space, and a space at each end, so that English words are ` word `."""
    if text.isascii():  # most items: bytes operations, several times faster than a regex
        words = text.encode().lower().translate(_ASCII_SEPARATORS).split()
        return f" {b' '.join(words).decode()} "
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    text = _COMBINING_MARKS.sub("", text)
    if _LATIN_LETTER.search(text):
        text = _LATIN_NEXT_TO_CJK.sub(" ", text)
    return f" {_SEPARATORS.sub(' ', text).strip()} "


def inflections(word: str) -> set[str]:
    """The word and its regular English inflections: plural or third person, past, gerund
    ("rally": "rallies", "rallied", "rallying"). Where spelling is ambiguous both forms are
    made ("visited", "visitted"): a form that is not a word costs nothing."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms = {f"{word}es", f"{word}ed", f"{word}ing"}
    elif len(word) > 2 and word[-1] == "y" and word[-2] not in _VOWELS:
        forms = {f"{word[:-1]}ies", f"{word[:-1]}ied", f"{word}ing"}
    elif word.endswith("e"):
        forms = {f"{word}s", f"{word}d", f"{word[:-1]}ing"}
    else:
        forms = {f"{word}s", f"{word}ed", f"{word}ing"}
    if (
        len(word) >= 3
        and word[-1] in _CONSONANTS - set("wxy")
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        forms |= {f"{word}{word[-1]}ed", f"{word}{word[-1]}ing"}  # banned, banning
    return forms | {word}


def english_phrases(term: str) -> tuple[list[str], bool]:
    """The phrases an English term stands for, and whether its last word is a prefix.

    A term is words separated by spaces; `(a|b)` is one word among several, `*` after the
    last word makes it a prefix (`politic*`). The first and the last word are also inflected
    (verbs lead and nouns end an English phrase: "attended mass", "joined a union"), except the
    small words of UNINFLECTED_WORDS."""
    if not _ENGLISH_TERM.fullmatch(term) or "  " in term or term != term.strip():
        raise BadTerm(f"{term!r}: an English term is lower-case words separated by one space")
    prefix = term.endswith("*")
    words = term.removesuffix("*").split(" ")
    if any("*" in word for word in words):
        raise BadTerm(f"{term!r}: `*` may only end the last word")
    choices = []
    for position, word in enumerate(words):
        if word.startswith("(") != word.endswith(")"):
            raise BadTerm(f"{term!r}: a space inside parentheses; write two terms")
        alternatives = word.strip("()").split("|")
        last = position == len(words) - 1
        if (prefix and last) or position not in (0, len(words) - 1):
            choices.append(set(alternatives))
        else:
            choices.append(_forms_of_alternatives(alternatives))
    return [" ".join(words) for words in itertools.product(*choices)], prefix


def _forms_of_alternatives(alternatives: list[str]) -> set[str]:
    """The forms of each alternative; one that is already a form of another ("members" beside
    "member") is kept as written and not inflected again."""
    forms = set()
    for alternative in alternatives:
        if any(alternative in _forms_of(other) for other in alternatives if other != alternative):
            forms |= _written_forms(alternative)
        else:
            forms |= _forms_of(alternative)
    return forms


def _written_forms(word: str) -> set[str]:
    """An alternative already inflected: itself, and a gerund's plural ("gatherings")."""
    return {word, f"{word}s"} if word.endswith("ing") else {word}


def _forms_of(word: str) -> set[str]:
    if word in UNINFLECTED_WORDS or len(word) < MIN_INFLECTED_LETTERS or not word.isalpha():
        return {word}
    # A word written already inflected is not inflected again: "reported" gives no "reporteds"
    # and "meeting" only "meetings". Such forms are not words, and with alternatives of three
    # or four words they made the automaton ten times larger and slower to build. A stem with a
    # vowel tells a past or a gerund ("voted", "meeting") from a base ("shed", "bring");
    # words in -eed are bases ("speed", "exceed").
    if word.endswith("ed") and not word.endswith("eed") and _VOWEL_IN.search(word[:-2]):
        return {word}
    if word.endswith("ing") and _VOWEL_IN.search(word[:-3]):
        return {word, f"{word}s"}
    return inflections(word)


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: a Ground hashes its terms
class _GapTerm:
    """The terms of two parts joined by GAP_MARK (`…`) of one ground and language."""

    ground: Ground
    gap: int  # at most this many characters between the parts
    english: bool


@dataclass(frozen=True, slots=True)
class _GapPart:
    term: _GapTerm
    first: bool  # the part before the gap
    prefix: bool


def _english_keys(term: str) -> tuple[list[str], bool]:
    phrases, prefix = english_phrases(term)
    return [f" {phrase}" if prefix else f" {phrase} " for phrase in phrases], prefix


class Guard:
    def __init__(self, grounds: tuple[Ground, ...], ordinary_phrases: tuple[str, ...] = ()):
        self.grounds = grounds
        # One automaton for all: each string stands for a term or an ordinary phrase (a _Key),
        # and for the parts of terms with a gap it is (a part may belong to several terms:
        # 境外…媒体, 境外…记者), so that an item is read once.
        self._keys: dict[str, _Key] = {}
        self._parts: dict[str, list[_GapPart]] = {}
        self._gap_terms: dict[tuple[str, bool], _GapTerm] = {}
        for ground in grounds:
            for term in ground.english:
                if GAP_MARK in term:
                    self._add_gap_term(ground, term)
                else:
                    keys, prefix = _english_keys(term)
                    meaning = _Key(ground, prefix)
                    for key in keys:
                        self._add(key, meaning)
            for term in ground.chinese:
                if GAP_MARK in term:
                    self._add_gap_term(ground, term)
                else:
                    self._add(_chinese_key(term), _Key(ground, prefix=False))
        ordinary = _Key(None, prefix=False)
        for phrase in ordinary_phrases:
            if _is_chinese(phrase):
                self._add(_chinese_key(phrase), ordinary)
            else:
                for inflected in english_phrases(phrase)[0]:
                    self._add(f" {inflected} ", ordinary)
        self.automaton = ahocorasick.Automaton()
        for key in self._keys.keys() | self._parts.keys():
            parts = tuple(self._parts.get(key, ()))
            self.automaton.add_word(key, (len(key), self._keys.get(key), parts))
        self.automaton.make_automaton()

    def _add_gap_term(self, ground: Ground, term: str) -> None:
        texts = term.split(GAP_MARK)
        if len(texts) != 2 or not all(texts) or _is_chinese(texts[0]) != _is_chinese(texts[1]):
            raise BadTerm(f"{term!r}: a term with a gap is two parts in one language, A…B")
        chinese = _is_chinese(texts[0])
        # The terms with a gap of one ground and language pool their parts: any first part,
        # then any second part ("went…beijing" from "went…state council" and
        # "complain…beijing").
        gap_term = self._gap_terms.setdefault(
            (ground.name, chinese),
            _GapTerm(ground, GAP_CHINESE if chinese else GAP_ENGLISH, not chinese),
        )
        for first, text in zip((True, False), texts, strict=True):
            if _is_chinese(text):
                keys, prefix = [_chinese_key(text)], False
            else:
                keys, prefix = _english_keys(text)
            part = _GapPart(gap_term, first, prefix)
            for key in keys:
                self._parts.setdefault(key, []).append(part)

    def _add(self, key: str, meaning: _Key) -> None:
        existing = self._keys.get(key)
        if existing is not None and existing.ground is not meaning.ground:  # identity: fast
            raise BadTerm(f"{key.strip()!r} is listed twice, under different grounds")
        self._keys[key] = meaning

    def find(self, *texts: str) -> ProhibitedMatch | None:
        """The first term in `texts` (the longest of those that start there), unless an
        ordinary phrase holds it wholly."""
        text = TEXT_SEPARATOR.join([normalized(text) for text in texts if text])
        matches = list(self.automaton.iter(text)) if len(self.automaton) else []
        if not matches:  # nearly every item: return before any work in Python
            return None
        found, ordinary, gap_matches = [], [], []
        for end, (length, key, parts) in matches:
            if key is not None:
                (ordinary if key.ground is None else found).append((end + 1 - length, end, key))
            if parts:
                gap_matches.append((end, length, parts))
        if gap_matches:
            found.extend(_gap_spans(text, gap_matches))
        for start, end, key in sorted(found, key=lambda match: (match[0], -match[1])):
            if any(
                ordinary_start <= start and end <= ordinary_end
                for ordinary_start, ordinary_end, _ in ordinary
            ):
                continue
            if key.prefix:  # name the whole word, "political", not "politic"
                end = text.index(" ", end + 1) - 1
            return ProhibitedMatch(key.ground, text[start : end + 1].strip())
        return None


def _gap_spans(text: str, gap_matches: list) -> list[tuple[int, int, _Key]]:
    """(start, end, key) of each term with a gap whose first part is followed, within its
    gap and in the same text, by its second part."""
    firsts: dict[_GapTerm, list[tuple[int, int]]] = {}
    if not any(part.first for _, _, parts in gap_matches for part in parts):
        return []
    seconds: list[tuple[int, int, _GapPart]] = []
    for end, length, parts in gap_matches:
        for part in parts:
            end_of_word = text.index(" ", end + 1) - 1 if part.prefix else end
            span = (end + 1 - length, end_of_word)
            if part.first:
                firsts.setdefault(part.term, []).append(span)
            else:
                seconds.append((*span, part))
    spans = []
    for second_start, second_end, part in seconds:
        for first_start, first_end in firsts.get(part.term, ()):
            between = text[first_end + 1 : second_start]
            adjacent = first_end < second_start or (
                first_end == second_start and text[first_end] == " "  # English: one space
            )
            if adjacent and len(between.strip()) <= part.term.gap:
                # Chinese parts stay in one clause: a space there was punctuation.
                if TEXT_SEPARATOR not in between and (part.term.english or " " not in between):
                    spans.append((first_start, second_end, _Key(part.term.ground, prefix=False)))
    return spans


def _is_chinese(text: str) -> bool:
    return not text.isascii()


def _chinese_key(term: str) -> str:
    key = normalized(term).strip()
    if not _is_chinese(key) or " " in key:
        raise BadTerm(f"{term!r}: a Chinese term is Chinese characters without spaces")
    return key


@lru_cache(maxsize=1)
def _document() -> dict:
    text = resources.files(__package__).joinpath(GROUNDS_FILE).read_text(encoding="utf-8")
    return ryaml.loads(text)


def _grounds(section: str) -> tuple[Ground, ...]:
    return tuple(
        Ground(
            name,
            entry["description"],
            tuple(entry.get("english") or ()),
            tuple(entry.get("chinese") or ()),
        )
        for name, entry in _document()[section].items()
    )


@lru_cache(maxsize=1)
def prohibited_grounds() -> tuple[Ground, ...]:
    return _grounds("grounds")


@lru_cache(maxsize=1)
def measure_grounds() -> tuple[Ground, ...]:
    """The grounds read in measures only, before the others."""
    return _grounds("measure_grounds")


@lru_cache(maxsize=1)
def guard() -> Guard:
    return Guard(prohibited_grounds(), tuple(_document()["ordinary_phrases"]))


@lru_cache(maxsize=1)
def measure_guard() -> Guard:
    return Guard(measure_grounds(), tuple(_document()["ordinary_phrases"]))


def find_prohibited_ground(*texts: str) -> ProhibitedMatch | None:
    """The first prohibited ground that any of `texts` (an item's) touches, or None."""
    return guard().find(*texts)


def find_prohibited_in_measure(*texts: str) -> ProhibitedMatch | None:
    """The first ground that any of `texts` (a measure's) touches, the subject's relatives
    before the grounds of items, or None."""
    return measure_guard().find(*texts) or guard().find(*texts)
