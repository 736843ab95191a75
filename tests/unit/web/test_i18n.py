from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from socialcredit.web.i18n import Formats, negotiate


def test_chinese_when_the_browser_asks_for_it_first() -> None:
    assert negotiate("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert negotiate("zh-Hant-TW") == "zh"
    assert negotiate("de-DE,zh;q=0.5,en;q=0.4") == "zh"


def test_english_when_english_ranks_higher_or_nothing_matches() -> None:
    assert negotiate("en-GB,zh;q=0.5") == "en"
    assert negotiate("fr-FR,de;q=0.8") == "en"
    assert negotiate("") == "en"
    assert negotiate("zh;q=0,en;q=0.1") == "en"


@given(st.text(max_size=200))
def test_any_header_gives_a_language_we_have(header: str) -> None:
    assert negotiate(header) in ("en", "zh")


def test_dates_and_numbers_are_written_per_language() -> None:
    assert Formats("en").date(dt.date(2025, 1, 1)) == "1 Jan 2025"
    assert Formats("zh").date(dt.date(2025, 1, 1)) == "2025年1月1日"
    assert Formats("en").number(1234567) == "1,234,567"
    assert Formats("zh").signed(-8) == "−8"
    assert Formats("en").signed(12) == "+12"
