"""Maintain the translation catalogs (a developer tool; the reports only read the `.po` files).

    python -m stalkerscan.report.catalogs update   # re-extract messages.pot, merge every .po
    python -m stalkerscan.report.catalogs check    # exit 1 when a catalog is out of date

Messages are extracted with Babel from `messages.py` (`N_`, `Np_`), `view.py` (`_`,
`tr.ngettext`) and the guided scan's texts in `../guide.py` (`N_`, `gettext`, `ngettext`). A new
msgid is added to every `.po` with an empty translation (the tests then fail until someone
translates it); English gets msgstr = msgid.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from stalkerscan.report.i18n import DOMAIN, LANGS

HERE = Path(__file__).resolve().parent
LOCALE_DIR = HERE / "locale"
# Relative to this folder; ../guide.py is the guided scan's texts (stalkerscan scan, stderr).
SOURCES = ("messages.py", "view.py", "../guide.py")
FIXED_DATE = datetime(2026, 11, 22, tzinfo=UTC)
KEYWORDS = {"_": None, "N_": None, "Np_": (1, 2), "gettext": None, "ngettext": (1, 2)}


def extract() -> object:
    """A Babel Catalog of every message in the report sources."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    # A fixed creation date keeps the catalogs byte-stable when nothing changed.
    catalog = Catalog(project="stalkerscan", domain=DOMAIN, fuzzy=False, creation_date=FIXED_DATE)
    for name in SOURCES:
        for lineno, message, comments, _context in extract_from_file(
            "python", str(HERE / name), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            catalog.add(message, locations=[(name, lineno)], auto_comments=comments)
    return catalog


def pot_text() -> str:
    """The `messages.pot` text (no dates: stable across runs)."""
    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, extract(), omit_header=True, width=100, no_location=True)  # type: ignore[arg-type]
    return buf.getvalue().decode("utf-8")


def po_path(lang: str) -> Path:
    """The source `.po` of one language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def merged_po_text(lang: str) -> str:
    """One language's `.po` merged with the current messages (existing translations kept)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = extract()
    path = po_path(lang)
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
    else:
        catalog = Catalog(locale=lang, domain=DOMAIN, project="stalkerscan")
    catalog.update(template, no_fuzzy_matching=True)  # type: ignore[arg-type]
    catalog.obsolete.clear()
    if lang == "en":
        for msg in catalog:
            if not msg.id:
                continue
            if isinstance(msg.id, tuple | list):
                if not isinstance(msg.string, tuple | list) or not all(msg.string):
                    msg.string = tuple(msg.id)
            elif not msg.string:
                msg.string = msg.id
    buf = io.BytesIO()
    write_po(buf, catalog, omit_header=False, width=100, no_location=True, ignore_obsolete=True)
    return buf.getvalue().decode("utf-8")


def update() -> None:
    """Write messages.pot and merge every language's `.po`."""
    LOCALE_DIR.mkdir(exist_ok=True)
    (LOCALE_DIR / "messages.pot").write_text(pot_text(), encoding="utf-8")
    for lang in LANGS:
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(merged_po_text(lang), encoding="utf-8")


def main(argv: list[str]) -> int:
    """`update` or `check`."""
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        pot = LOCALE_DIR / "messages.pot"
        return 0 if pot.exists() and pot.read_text("utf-8") == pot_text() else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
