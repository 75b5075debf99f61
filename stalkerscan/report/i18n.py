"""Translations and locale-aware formatting for the reports (Babel).

The catalogs are the `.po` files under `locale/<lang>/LC_MESSAGES/messages.po`, read at run time
with Babel's PO reader: no compile step, so `pip install .` needs nothing extra. English is the
source language (msgid); `en.po` exists so every language is handled the same way.

    tr = translator("fr")
    tr.gettext("Low"), tr.ngettext(sing, plural, n), tr.datetime(dt), tr.number(1234)
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources

LANGS: tuple[str, ...] = ("en", "fr", "de", "it", "es")
DEFAULT_LANG = "en"
DOMAIN = "messages"


def catalog_path(lang: str) -> resources.abc.Traversable:
    """The packaged `.po` file of one language."""
    return resources.files("stalkerscan.report") / "locale" / lang / "LC_MESSAGES" / "messages.po"


@functools.lru_cache(maxsize=8)
def load_messages(lang: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """msgid (or (singular, plural)) -> msgstr (or plural forms) of one language's catalog."""
    from babel.messages.pofile import read_po

    if lang not in LANGS:
        raise ValueError(f"unsupported report language: {lang!r}")
    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    out: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for msg in catalog:
        if not msg.id or msg.fuzzy:
            continue
        if isinstance(msg.id, tuple | list):
            raw = msg.string if isinstance(msg.string, tuple | list) else (msg.string,)
            forms = tuple(str(f) for f in raw if f)
            if forms and len(forms) == len(raw):
                out[(msg.id[0], msg.id[1])] = forms
        elif msg.string:
            out[msg.id] = str(msg.string)
    return out


def default_lang(environ: dict[str, str] | None = None) -> str:
    """The report language from the system locale (LC_ALL, LC_MESSAGES, LANG), else English."""
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        for part in value.split(":"):
            code = part.split(".")[0].split("@")[0].split("_")[0].strip().lower()
            if code in LANGS:
                return code
            if code and code not in ("c", "posix"):
                break
    return DEFAULT_LANG


@dataclass
class Translator:
    """gettext, plurals, dates and numbers for one report language."""

    lang: str
    messages: dict[str | tuple[str, str], str | tuple[str, ...]] = field(repr=False)

    def gettext(self, message: str) -> str:
        """The translation of `message` (the English text when missing)."""
        found = self.messages.get(message)
        return found if isinstance(found, str) else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The plural form of a message for count `n`."""
        forms = self.messages.get((singular, plural))
        if not isinstance(forms, tuple):
            return singular if n == 1 else plural
        index = _plural_index(self.lang, n)
        return forms[min(index, len(forms) - 1)]

    def datetime(self, when: datetime) -> str:
        """A date and time in this locale, in UTC (naive times are taken as UTC)."""
        from babel.dates import format_datetime

        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        text = format_datetime(when, format="medium", tzinfo=UTC, locale=self.lang)
        return f"{text} UTC"

    def date(self, when: date) -> str:
        """A date in this locale."""
        from babel.dates import format_date

        return format_date(when, format="long", locale=self.lang)

    def number(self, value: int | float) -> str:
        """A number in this locale (digit grouping, decimal sign)."""
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.lang)


def _plural_index(lang: str, n: int) -> int:
    from babel import Locale

    rule = Locale.parse(lang).plural_form
    category = rule(n)
    # Babel orders a gettext catalog's plural forms by the CLDR rule of the locale; the five
    # report languages all use two forms: "one" then everything else.
    return 0 if category == "one" else 1


@functools.lru_cache(maxsize=8)
def translator(lang: str) -> Translator:
    """The Translator of one of LANGS (ValueError for any other)."""
    return Translator(lang=lang, messages=load_messages(lang))
