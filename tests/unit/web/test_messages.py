"""The web pages' message catalogues cannot drift from the templates: every text a page
shows is extracted, translated into Chinese, and compiled into the .mo that ships."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).parents[3] / "src" / "socialcredit" / "web"
LOCALE = WEB / "locale"
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def extracted_ids() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        WEB, METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def chinese() -> dict:
    with open(LOCALE / "zh" / "LC_MESSAGES" / "messages.po", "rb") as file:
        return {
            (message.id[0] if isinstance(message.id, tuple) else message.id): message
            for message in read_po(file, locale="zh_Hans_CN")
            if message.id
        }


def test_every_text_of_the_pages_has_a_chinese_translation() -> None:
    translations = chinese()
    missing = sorted(
        text
        for text in extracted_ids()
        if text not in translations
        or not (
            translations[text].string[0]
            if isinstance(translations[text].string, tuple)
            else translations[text].string
        )
    )
    assert not missing, f"untranslated (run `make messages`, then translate): {missing[:10]}"


def test_translations_keep_their_placeholders() -> None:
    for text, message in chinese().items():
        string = message.string[0] if isinstance(message.string, tuple) else message.string
        for placeholder in ("%(num)s", "%(version)s", "%(day)s", "%(code)s", "%(what)s"):
            assert (placeholder in text) == (placeholder in string), (text, string)


def test_the_compiled_catalogue_matches_its_source() -> None:
    with open(LOCALE / "zh" / "LC_MESSAGES" / "messages.po", "rb") as file:
        source = read_po(file, locale="zh_Hans_CN")
    compiled = io.BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    with open(LOCALE / "zh" / "LC_MESSAGES" / "messages.mo", "rb") as file:
        shipped = read_mo(file)
    fresh = read_mo(compiled)

    def table(catalogue) -> dict:
        def plain(value):
            return tuple(value) if isinstance(value, list | tuple) else value

        return {plain(message.id): plain(message.string) for message in catalogue if message.id}

    assert table(fresh) == table(shipped)
