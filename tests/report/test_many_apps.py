"""A phone with thousands of weakly flagged apps: the terminal stays readable, the HTML has all.

A crafted phone can make every app look a little odd (no launcher icon, installed over ADB). The
terminal report then shows every app of medium concern or above, at most TERMINAL_WEAK_APPS of
the others, and one translated line saying how many more the HTML report lists.
"""

from __future__ import annotations

import pytest

from stalkerscan.report import build_report_view
from stalkerscan.report.config import OrgConfig
from stalkerscan.report.html import render_html
from stalkerscan.report.terminal import render_terminal
from stalkerscan.report.view import TERMINAL_WEAK_APPS
from stalkerscan.result import ScanResult

from .conftest import LANGS, clock, load_result, plain_console


def with_weak_apps(count: int) -> ScanResult:
    """The covert scenario (one high-risk app) plus `count` apps flagged low."""
    base = load_result("covert")
    data = base.model_dump(mode="json")
    weak = []
    for i in range(count):
        package = f"org.example.weak{i:05d}"
        finding = {
            "rule": "SS-APP-HIDDEN",
            "severity": "low",
            "confidence": "low",
            "category": "suspicious",
            "package": package,
            "users": [0],
            "reasons": [{"code": "no_launcher_icon", "params": {}}],
        }
        weak.append(
            {
                "package": package,
                "users": [0],
                "risk": "low",
                "category": "suspicious",
                "findings": [finding],
            }
        )
        data["findings"].append(finding)
    data["apps"].extend(weak)
    return ScanResult.model_validate(data)


def terminal_text(result: ScanResult, lang: str = "en") -> str:
    console, buf = plain_console(width=120)
    render_terminal(build_report_view(result, lang=lang, org=OrgConfig(), clock=clock), console)
    return buf.getvalue()


def test_terminal_shows_the_worrying_app_and_caps_the_weak_ones() -> None:
    result = with_weak_apps(500)
    out = terminal_text(result)
    assert "org.stalkerscan.training.syncservice" in out  # the high-risk app is always shown
    shown = [i for i in range(500) if f"org.example.weak{i:05d}" in out]
    assert shown == list(range(TERMINAL_WEAK_APPS))
    hidden = 500 - TERMINAL_WEAK_APPS
    assert f"{hidden} more apps with only weak signs are listed in the HTML report." in out
    # The summary still counts every app.
    assert "500 other apps have weaker signs." in out


def test_html_lists_every_app() -> None:
    html = render_html(
        build_report_view(with_weak_apps(500), lang="en", org=OrgConfig(), clock=clock)
    )
    assert all(f"org.example.weak{i:05d}" in html for i in range(500))
    assert "more apps with only weak signs" not in html


def test_no_line_when_nothing_is_left_out() -> None:
    out = terminal_text(with_weak_apps(TERMINAL_WEAK_APPS))
    assert all(f"org.example.weak{i:05d}" in out for i in range(TERMINAL_WEAK_APPS))
    assert "listed in the HTML report" not in out


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_the_line_is_translated(lang: str) -> None:
    en = terminal_text(with_weak_apps(TERMINAL_WEAK_APPS + 1), "en")
    assert "1 more app with only a weak sign is listed in the HTML report." in en
    out = terminal_text(with_weak_apps(TERMINAL_WEAK_APPS + 1), lang)
    assert "more app with only a weak sign" not in out
    assert "HTML" in out  # every translation names the HTML report
