"""Without a real indicator feed a scan can only recognise stalkerware by its behaviour: the
verdict area says so plainly, in every language, and says how to install the feed. A trainer's
demo (which uses the fictional training feed on purpose) does not warn, and its provenance says
the feed is a training feed."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.report import messages as M
from stalkerscan.report import render_all
from stalkerscan.report.config import OrgConfig
from stalkerscan.report.i18n import translator
from stalkerscan.result import FeedProvenance, ScanResult

from .conftest import LANGS, clock, load_result, plain_console

COMMAND = "stalkerscan indicators update"


def render(result: ScanResult, out: Path, lang: str) -> tuple[str, str]:
    console, buf = plain_console(width=400)  # wide: a sentence is never wrapped
    render_all(
        result,
        out,
        lang=lang,
        formats=("terminal", "html"),
        console=console,
        org=OrgConfig(),
        clock=clock,
    )
    return buf.getvalue(), (out / "report.html").read_text("utf-8")


def with_provenance(result: ScanResult, **update: object) -> ScanResult:
    return result.model_copy(update={"provenance": result.provenance.model_copy(update=update)})


def verdict_area(terminal: str) -> str:
    """The terminal report's first box: the verdict and its notes."""
    return terminal.split("╰", 1)[0]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["nothing-found", "covert"])
def test_only_the_training_feed_warns_in_the_verdict_area(
    name: str, lang: str, tmp_path: Path
) -> None:
    result = load_result(name)
    assert [f.id for f in result.provenance.feeds] == ["demo"]  # no real feed was installed
    sentence = translator(lang).gettext(M.NO_FEED)
    assert COMMAND in sentence
    assert lang == "en" or sentence != M.NO_FEED  # translated, not the English fallback
    terminal, html = render(result, tmp_path, lang)
    assert sentence in " ".join(verdict_area(terminal).replace("│", " ").split())
    headline = html.split('class="headline"', 1)[1].split("</section>", 1)[0]
    assert sentence.replace("'", "&#39;") in headline
    training = translator(lang).gettext(M.TRAINING_FEED)
    assert training in terminal.replace("\n", " ") or training in " ".join(terminal.split())


@pytest.mark.parametrize("lang", LANGS)
def test_verdict_is_unchanged_by_the_warning(lang: str, tmp_path: Path) -> None:
    result = load_result("nothing-found")
    assert result.verdict.value == "nothing_found"
    terminal, _html = render(result, tmp_path, lang)
    tr = translator(lang)
    area = " ".join(verdict_area(terminal).replace("│", " ").split())
    assert tr.gettext(M.VERDICT["nothing_found"]) in area
    assert tr.gettext(M.NOT_CLEAN) in area


def test_the_demo_does_not_warn_but_names_the_training_feed(tmp_path: Path) -> None:
    result = with_provenance(load_result("covert"), training=True)
    terminal, html = render(result, tmp_path, "en")
    assert M.NO_FEED not in " ".join(terminal.split()) and M.NO_FEED not in html
    assert M.TRAINING_FEED in terminal and M.TRAINING_FEED in html


def test_a_real_feed_does_not_warn(tmp_path: Path) -> None:
    base = load_result("covert")
    echap = FeedProvenance(id="echap", source="https://example.invalid/echap", version="v1")
    result = with_provenance(base, feeds=(echap, *base.provenance.feeds))
    terminal, html = render(result, tmp_path, "en")
    assert M.NO_FEED not in " ".join(terminal.split()) and M.NO_FEED not in html
