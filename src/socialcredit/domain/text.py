"""Text as the registry quotes and keeps it: long values shortened in messages, and control
characters refused where free text is stored (PostgreSQL cannot store a NUL at all), with the
invisible characters that make text read otherwise than it is written."""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab, line feed and carriage return, and DEL: never part of a reason, a
# note, a statement, a source name or a record id.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidirectional controls (U+202E shows "gpj.exe" as "exe.jpg"), zero-width and invisible
# characters, and tags: a purpose or a reason shown to someone else must read as it was
# written. The zero-width joiners (U+200C, U+200D) stay: scripts and emoji need them.
_INVISIBLE = re.compile(
    "[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f]"
)


def shown(value: object, limit: int = 60) -> str:
    """A value as a message quotes it: whole when short, else its start and its length (a
    hostile file or request may hold a field of a million characters)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def control_character_problem(value: str, what: str) -> str | None:
    """Why `value` cannot be kept as `what`, or None: the first control character or invisible
    formatting character it holds."""
    found = _CONTROL.search(value)
    if found is not None:
        return (
            f"{what} holds a control character ({found.group()!r} at position {found.start() + 1})"
        )
    found = _INVISIBLE.search(value)
    if found is not None:
        character = found.group()
        name = unicodedata.name(character, "unnamed")
        return (
            f"{what} holds an invisible formatting character (U+{ord(character):04X} {name} at "
            f"position {found.start() + 1}), which can make text read otherwise than written"
        )
    return None


def blank_problem(value: str | None, what: str) -> str | None:
    """Why `value` is no text at all (missing, empty or only white space), or None."""
    return f"{what} is empty" if not (value or "").strip() else None


def length_problem(value: str, what: str, max_chars: int) -> str | None:
    """Why `value` is longer than `max_chars` characters, or None."""
    if len(value) <= max_chars:
        return None
    return f"{what} has {len(value)} characters; at most {max_chars}"


def text_problem(
    value: str | None, what: str, max_chars: int | None = None, required: bool = True
) -> str | None:
    """The first reason free text cannot be kept as `what`: blank (when `required`), a control
    or invisible formatting character, longer than `max_chars`; None when it can be kept as
    given."""
    if required and (problem := blank_problem(value, what)):
        return problem
    value = value or ""
    if problem := control_character_problem(value, what):
        return problem
    return length_problem(value, what, max_chars) if max_chars is not None else None
