"""The guided scan in the report's language: every guide text is translated in fr, de, it and es,
the placeholders are filled, the rich markup of the translations is balanced, and
`stalkerscan scan --lang fr` prints the French "what is read" section against the simulated phone.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from demo.clisupport import cli_env, stalkerscan_argv
from rich.console import Console
from rich.errors import MarkupError
from rich.text import Text

from stalkerscan import guide
from stalkerscan.errors import NoDeviceError
from stalkerscan.report import catalogs
from stalkerscan.report.i18n import translator
from stalkerscan.simulator import scenarios
from stalkerscan.simulator.server import SimulatedPhone

from .test_guide import FakeLister

TRANSLATED = ("fr", "de", "it", "es")
TAG = re.compile(r"\[/?[a-z ]*\]")
REAL_PHONE = "R58M123ABC"  # a USB serial: the undo steps are printed too

# Words each language's phones show (and that a trainer would point at on the screen).
KNOWN = {
    "fr": ("Options pour les développeurs", "Débogage USB", "Numéro de build"),
    "de": ("Entwickleroptionen", "USB-Debugging", "Build-Nummer"),
    "it": ("Opzioni sviluppatore", "Debug USB", "Numero build"),
    "es": ("Opciones para desarrolladores", "Depuración por USB", "Número de compilación"),
}
# One phrase of each printed part: the intro, what is read, where the reports are, the undo steps.
PARTS = {
    "fr": (
        "Aucun téléphone n'est encore connecté",
        "Ce que stalkerscan lit maintenant",
        "Les rapports sont dans",
        "Révoquer les autorisations de débogage USB",
    ),
    "de": (
        "Es ist noch kein Telefon verbunden",
        "Was stalkerscan jetzt liest",
        "Die Berichte liegen in",
        "USB-Debugging-Autorisierungen aufheben",
    ),
    "it": (
        "Nessun telefono è ancora collegato",
        "Che cosa legge ora stalkerscan",
        "I rapporti sono in",
        "Revoca autorizzazioni debug USB",
    ),
    "es": (
        "Todavía no hay ningún teléfono conectado",
        "Qué lee ahora stalkerscan",
        "Los informes están en",
        "Revocar autorizaciones de depuración USB",
    ),
}


def console(*, terminal: bool = False) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    con = Console(file=buf, width=100, force_terminal=terminal, color_system=None, highlight=False)
    return con, buf


def flat(text: str) -> str:
    """The text without line breaks and repeated spaces (rich wraps at 100 columns)."""
    return " ".join(text.split())


def printed_guide(lang: str, out_dir: Path) -> str:
    """Everything the guide prints around a scan of a real phone, as one line."""
    con, buf = console()
    guide.print_setup_guide(con, lang=lang)
    guide.print_before_collect(con, lang=lang)
    guide.print_after_scan(con, out_dir, serial=REAL_PHONE, lang=lang)
    return flat(buf.getvalue())


def english_fragments(text: str) -> set[str]:
    """The English guide cut at punctuation into phrases of three words or more."""
    pieces = re.split(r"[.,:;?!()\"“”>•]", text)
    return {" ".join(p.split()) for p in pieces if len(p.split()) >= 3}


def guide_msgids() -> list[str | tuple[str, str]]:
    """The msgids extracted from guide.py (what the catalogs hold for the guide)."""
    out: list[str | tuple[str, str]] = []
    for msg in catalogs.extract():  # type: ignore[attr-defined]
        if msg.id and any(loc[0].endswith("guide.py") for loc in msg.locations):
            out.append((msg.id[0], msg.id[1]) if isinstance(msg.id, tuple | list) else msg.id)
    return out


def translations(lang: str) -> list[tuple[str, str]]:
    """(English, translation) of every guide text in `lang`, plural forms included."""
    tr = translator(lang)
    pairs = []
    for mid in guide_msgids():
        if isinstance(mid, tuple):
            pairs += [(mid[0], tr.ngettext(mid[0], mid[1], 1)), (mid[1], tr.ngettext(*mid, 5))]
        else:
            pairs.append((mid, tr.gettext(mid)))
    return pairs


# -- the texts ------------------------------------------------------------------------------------


def test_the_guide_has_its_texts_in_the_catalogs() -> None:
    """The extraction sees the guide (so the checks below are not vacuous)."""
    ids = guide_msgids()
    assert len(ids) >= 40
    assert guide.WHAT_IS_READ.title in ids and guide.WAIT_HINT in ids
    assert "[bold]The reports are in[/bold] {folder}" in ids
    assert any(isinstance(i, tuple) and "{seconds}" in i[0] for i in ids)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_guide_text_is_translated(lang: str) -> None:
    untranslated = [en for en, text in translations(lang) if text == en]
    assert not untranslated, f"{lang}: {untranslated[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_printed_guide_has_no_english_sentence(lang: str, tmp_path: Path) -> None:
    out_dir = tmp_path / "reports" / "scan1"
    english = english_fragments(printed_guide("en", out_dir))
    assert "Keep the phone unlocked and plugged in until the scan ends" in english
    assert len(english) > 60  # the cut really found the guide's sentences
    text = printed_guide(lang, out_dir)
    left = sorted(f for f in english if f in text)
    assert not left, f"{lang}: English left in the guide: {left}"
    for phrase in (*KNOWN[lang], *PARTS[lang]):
        assert phrase in text, (lang, phrase)
    # The placeholder is filled with the folder, and no markup or placeholder is shown.
    assert str(out_dir) in text
    assert "{" not in text and "[bold" not in text and "[/" not in text


@pytest.mark.parametrize("lang", TRANSLATED)
def test_markup_of_the_translations_is_balanced(lang: str) -> None:
    """Each translation keeps the English text's bold spans and parses as rich markup."""
    for en, text in translations(lang):
        try:
            rendered = Text.from_markup(text)
        except MarkupError as err:
            raise AssertionError(f"{lang}: bad markup in {text!r}: {err}") from err
        assert len(rendered.spans) == len(Text.from_markup(en).spans), (lang, text)
        # rich closes an unclosed tag at the end of the text: count the tags themselves.
        assert TAG.findall(text) == TAG.findall(en), (lang, text)
        assert "[bold" not in rendered.plain and "[/" not in rendered.plain, (lang, text)


def test_english_is_still_the_default(tmp_path: Path) -> None:
    text = printed_guide("en", tmp_path)
    assert "What stalkerscan reads now (it changes nothing on the phone):" in text
    assert "Revoke USB debugging authorisations" in text
    assert printed_guide("fr", tmp_path) != text


# -- the wait: spinner words and the timeout error ------------------------------------------------


def test_waiting_words_are_translated_with_the_seconds_left() -> None:
    """The last spinner text (rich draws it once more when the wait ends) in Spanish, in the
    singular: the clock is fake, so 1 s is left when the phone appears."""
    con, buf = console(terminal=True)
    ticks = iter(range(1000))
    usb = FakeLister("usb", ["PHONE1"], appear_after=2)
    serial = guide.wait_for_phone(
        None,
        timeout=3,
        console=con,
        listers=[usb],
        poll_interval=0.0,
        clock=lambda: float(next(ticks)),
        lang="es",
    )
    assert serial == "PHONE1"
    seen = flat(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", buf.getvalue()))
    assert "Esperando a que se conecte y se autorice el teléfono … queda 1 s" in seen
    assert "Hay un teléfono conectado." in seen
    assert "Waiting" not in seen and "{seconds}" not in seen


@pytest.mark.parametrize(
    ("lang", "timeout", "message", "hint"),
    [
        ("fr", 5, "Aucun téléphone n'a été connecté en 5 secondes.", "--wait SECONDES"),
        ("de", 1, "Innerhalb von 1 Sekunde wurde kein Telefon verbunden.", "--wait SEKUNDEN"),
        ("it", 2.5, "Nessun telefono è stato collegato entro 2,5 secondi.", "--wait SECONDI"),
    ],
)
def test_timeout_error_is_translated(lang: str, timeout: float, message: str, hint: str) -> None:
    con, buf = console()
    ticks = iter(range(1000))
    with pytest.raises(NoDeviceError) as err:
        guide.wait_for_phone(
            None,
            timeout=timeout,
            console=con,
            listers=[FakeLister("usb", ["never"], appear_after=10**6)],
            poll_interval=0.0,
            clock=lambda: float(next(ticks)),
            lang=lang,
        )
    assert err.value.message == message
    assert hint in (err.value.hint or "")
    assert "`stalkerscan scan`" in (err.value.hint or "")
    assert PARTS[lang][0] in flat(buf.getvalue())  # the guide came first, in the same language


# -- the CLI against the simulated phone ----------------------------------------------------------


def test_scan_lang_fr_prints_what_is_read_in_french(tmp_path: Path, profile_cache: Path) -> None:
    profile = scenarios.resolve("clean", profile_cache)
    out_dir = tmp_path / "reports" / "scan1"
    with SimulatedPhone(profile, port=0) as phone:
        proc = subprocess.run(
            stalkerscan_argv(
                "scan",
                "--serial",
                phone.serial_tcp,
                "--via",
                "tcp",
                "--lang",
                "fr",
                "--out",
                str(out_dir),
                "--no-hash",
                "--no-pull",
            ),
            env=cli_env(tmp_path, profile_cache),
            cwd=str(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    err = flat(proc.stderr)
    assert "Ce que stalkerscan lit maintenant (rien n'est modifié sur le téléphone) :" in err
    assert "Il ne lit pas les messages, les photos, les contacts" in err
    assert "Les rapports sont dans" in err and "report.html : ouvrez-le" in err
    assert "What stalkerscan reads now" not in err and "The reports are in" not in err
    # The simulated phone is on this computer: no undo steps for it.
    assert "Révoquer les autorisations" not in err
    assert (out_dir / "report.html").is_file()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "The raw data read from the phone is in"),
        ("de", "Die vom Telefon gelesenen Rohdaten"),
    ],
)
def test_an_acquisition_outside_the_report_folder_is_named(
    lang: str, words: str, tmp_path: Path
) -> None:
    """`scan --resume ELSEWHERE`: the report folder does not hold the acquisition; say where."""
    out, buf = console()
    elsewhere = tmp_path / "case-1" / "acquisition"
    guide.print_after_scan(out, tmp_path / "r", lang=lang, acquisition=elsewhere)
    assert words in flat(buf.getvalue()) and str(elsewhere) in flat(buf.getvalue())
    out, buf = console()
    guide.print_after_scan(
        out, tmp_path / "r", lang=lang, acquisition=tmp_path / "r" / "acquisition"
    )
    assert words not in flat(buf.getvalue())
