"""What the registry refuses (SPEC §7): a `Refused` says why in one line. The command line exits
1 on it, the API answers 4xx, a web form shows it next to the field (`field`, when one input
is at fault)."""

from __future__ import annotations


class Refused(ValueError):
    """The input was judged and refused: one line saying why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidIdentifier(Refused):
    """Valid for neither kind of subject (SPEC §2)."""

    def __init__(self, message: str):
        super().__init__(message, field="subject_id")
