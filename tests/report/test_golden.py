"""Golden outputs: every scenario in every language, in the three formats (clock injected)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from stalkerscan.report import render_all
from stalkerscan.report.config import OrgConfig

from .conftest import GOLDEN, LANGS, SCENARIOS, check_golden, clock, load_result, plain_console


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_golden(scenario: str, lang: str, tmp_path: Path) -> None:
    result = load_result(scenario)
    console, buf = plain_console()
    out = tmp_path / "reports"
    paths = render_all(
        result,
        out,
        lang=lang,
        formats=("terminal", "html", "json"),
        console=console,
        org=OrgConfig(),
        clock=clock,
    )
    assert list(paths) == [out / "report.html", out / "report.json"]
    for p in paths:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert sorted(x.name for x in out.iterdir()) == ["report.html", "report.json"]
    folder = GOLDEN / scenario
    check_golden(folder / f"report.{lang}.html", (out / "report.html").read_text("utf-8"))
    check_golden(folder / f"terminal.{lang}.txt", buf.getvalue())
    # JSON carries codes, not words: identical in every language.
    check_golden(folder / "report.json", (out / "report.json").read_text("utf-8"))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_golden_redacted(lang: str, tmp_path: Path) -> None:
    console, buf = plain_console()
    render_all(
        load_result("covert"),
        tmp_path,
        lang=lang,
        formats=("terminal", "html", "json"),
        console=console,
        org=OrgConfig(),
        clock=clock,
        redact=True,
    )
    folder = GOLDEN / "covert-redacted"
    check_golden(folder / f"report.{lang}.html", (tmp_path / "report.html").read_text("utf-8"))
    check_golden(folder / f"terminal.{lang}.txt", buf.getvalue())
    check_golden(folder / "report.json", (tmp_path / "report.json").read_text("utf-8"))


def test_languages_really_differ(tmp_path: Path) -> None:
    """A catalog that silently falls back to English would make every golden English."""
    texts = {}
    for lang in LANGS:
        render_all(load_result("covert"), tmp_path / lang, lang=lang, org=OrgConfig(), clock=clock)
        texts[lang] = (tmp_path / lang / "report.html").read_text("utf-8")
    assert "Do not remove, uninstall or reset anything yet." in texts["en"]
    assert "Ne supprimez, ne désinstallez et ne réinitialisez rien" in texts["fr"]
    assert "Entfernen, deinstallieren oder zurücksetzen Sie vorerst nichts." in texts["de"]
    assert "Per ora non rimuovere, disinstallare o ripristinare nulla." in texts["it"]
    assert "Por ahora no borres, desinstales ni restablezcas nada." in texts["es"]
    for lang in LANGS:
        assert f'<html lang="{lang}">' in texts[lang]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["scan-clean", "scan-covert", "scan-removed", "scan-hostile"])
def test_real_scenario_results_render_without_fallbacks(
    name: str, lang: str, tmp_path: Path
) -> None:
    """Results as `stalkerscan check` produced them render with a sentence for every code."""
    console, buf = plain_console()
    render_all(
        load_result(name),
        tmp_path,
        lang=lang,
        formats=("terminal", "html", "json"),
        console=console,
        org=OrgConfig(),
        clock=clock,
    )
    html = (tmp_path / "report.html").read_text("utf-8")
    for text in (html, buf.getvalue()):
        for fallback in ("Reason code", "Finding SS-", "Check indicators", "Check ioc_"):
            assert fallback not in text
