"""Both catalogues are complete: every user-facing string has its Indonesian
translation, and placeholders survive translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}


def _source_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(locale: str):
    with (ROOT / "portal" / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def source_messages():
    return _source_messages()


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_interface_string_is_in_the_catalogue(source_messages, locale):
    catalog = _catalog(locale)
    missing = sorted(m for m in source_messages if m not in catalog)
    assert missing == [], f"run `make i18n-update`; missing from {locale}: {missing[:20]}"


def test_every_interface_string_has_an_indonesian_translation(source_messages):
    catalog = _catalog("id")
    untranslated = sorted(
        m for m in source_messages
        if m in catalog and (not catalog[m].string or catalog[m].fuzzy)
    )
    assert untranslated == [], f"untranslated in id: {untranslated[:20]}"


def test_translations_keep_their_placeholders():
    catalog = _catalog("id")
    pattern = re.compile(r"%\((\w+)\)[sd]")
    broken = [
        message.id for message in catalog
        if message.id and message.string and isinstance(message.id, str)
        and set(pattern.findall(message.id)) != set(pattern.findall(message.string))
    ]
    assert broken == []


def test_built_in_form_messages_speak_indonesian_then_english(client):
    too_long = {"email": "a" * 250 + "@example.org", "display_name": "Budi", "password": "x" * 12,
                "password2": "x" * 12, "role": "citizen", "consent": "y"}
    page = client.post("/register", data=too_long).get_data(as_text=True)
    assert "Isian maksimal 254 karakter." in page
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.post("/register", data=too_long).get_data(as_text=True)
    assert "Field cannot be longer than 254 characters." in page


@pytest.mark.parametrize("locale", ["id", "en"])
def test_catalogue_passes_the_checks_pybabel_compile_runs(locale):
    """`make test` and `make run` start with `pybabel compile`, which refuses a
    catalogue whose entries fail Babel's checks (a plural form naming a
    placeholder the singular lacks, a wrong number of forms)."""
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in _catalog(locale).check()
    ]
    assert problems == []
