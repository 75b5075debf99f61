"""Hostile device text stays literal and harmless in HTML and terminal output; no requests."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from stalkerscan.report import build_report_view, render_all
from stalkerscan.report.config import OrgConfig
from stalkerscan.report.html import render_html
from stalkerscan.report.terminal import render_terminal

from .conftest import LANGS, SCENARIOS, clock, load_result

SCRIPT = "<script>alert(1)</script>"


def parse_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag of the document with its attributes (as a browser's parser sees them)."""
    from html.parser import HTMLParser

    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append((tag, attrs))

    Collector().feed(html)
    return tags


MARKUP = "[red]x[/red]\x1b[2J"


def html_of(scenario: str, lang: str = "en") -> str:
    view = build_report_view(load_result(scenario), lang=lang, org=OrgConfig(), clock=clock)
    return render_html(view)


def test_script_label_is_literal_text_in_html() -> None:
    html = html_of("hostile")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower() and "<b>" not in html
    # The package name that tries to close an attribute is escaped inside it, too.
    assert "com.evil.&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    # Control and bidi characters are shown, not obeyed.
    assert "\x1b" not in html and "\u202e" not in html and "\u200b" not in html
    assert "[red]x[/red]\\u001b[2J" in html
    assert "\\u202eecivreS\\u202c" in html


@pytest.mark.parametrize("color", [False, True])
def test_markup_label_is_literal_text_in_terminal(color: bool) -> None:
    buf = io.StringIO()
    console = Console(
        file=buf, width=120, force_terminal=color, color_system="truecolor" if color else None
    )
    view = build_report_view(load_result("hostile"), lang="en", org=OrgConfig(), clock=clock)
    render_terminal(view, console)
    out = buf.getvalue()
    assert "[red]x[/red]\\u001b[2J" in out
    assert SCRIPT in out  # plain text on a terminal: harmless, shown as is
    assert "\x1b[2J" not in out
    assert "\u202e" not in out and "\u200b" not in out
    if color:
        # Only rich's own SGR colour sequences, never a screen clear or cursor movement.
        assert set(re.findall(r"\x1b\[[0-9;]*([A-Za-z])", out)) <= {"m"}
    else:
        assert "\x1b" not in out


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_html_loads_nothing(scenario: str) -> None:
    html = html_of(scenario)
    assert "default-src 'none'" in html
    tags = parse_tags(html)
    names = {t for t, _ in tags}
    assert names.isdisjoint({"script", "link", "img", "iframe", "object", "embed", "base", "a"})
    for _tag, attrs in tags:
        for name, value in attrs:
            assert name not in {"src", "href", "action", "srcset", "poster", "style"}
            assert name.startswith("on") is False
            assert "//" not in (value or "") or name == "content"
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style and "//" not in style


def test_org_contacts_are_shown_escaped() -> None:
    org = OrgConfig(
        name="Example Support <Service>",
        contacts=({"name": "Helpline", "phone": "+00 000 000", "web": "support.example"},),  # type: ignore[arg-type]
    )
    view = build_report_view(load_result("covert"), lang="de", org=org, clock=clock)
    html = render_html(view)
    assert "Example Support &lt;Service&gt;" in html
    assert "+00 000 000" in html and "support.example" in html
    assert "href" not in html
    # The general advice is replaced by the organisation's contacts.
    assert "örtliche Notrufnummer" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_default_advice_invents_no_phone_number(lang: str) -> None:
    view = build_report_view(load_result("covert"), lang=lang, org=OrgConfig(), clock=clock)
    assert view.org_default
    text = " ".join([*view.safety_items, view.org_default])
    assert not re.search(r"\d", text)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_report_order(scenario: str) -> None:
    """Verdict, safety box, findings, cannot-see, after the plan, coverage, provenance."""
    html = html_of(scenario)
    ids = ["verdict", "safety", "findings", "cannot-see", "after", "coverage", "provenance"]
    positions = [html.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)


def test_nothing_found_never_says_clean(tmp_path: Path) -> None:
    for scenario in ("nothing-found", "incomplete"):
        html = html_of(scenario)
        assert "This does not prove that the phone is clean." in html
    assert "This does not prove that the phone is clean." not in html_of("covert")


def test_no_personal_data_in_file_names(tmp_path: Path) -> None:
    paths = render_all(load_result("hostile"), tmp_path / "r", org=OrgConfig(), clock=clock)
    assert [p.name for p in paths] == ["report.html", "report.json"]
    assert not list((tmp_path / "r").glob(".*tmp"))  # no temporary file left behind


def test_write_error_on_a_full_disk(tmp_path: Path) -> None:
    """A file-size limit stands in for a full disk: EFBIG while writing, in a child process."""
    import subprocess
    import sys

    out = tmp_path / "r"
    code = f"""
import resource, sys
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
from stalkerscan.errors import ReportError
from stalkerscan.report import render_all
from stalkerscan.report.config import OrgConfig
from tests.report.conftest import clock, load_result
result = load_result("covert")
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    render_all(result, Path({str(out)!r}), org=OrgConfig(), clock=clock)
except ReportError as err:
    print("REPORT-ERROR", err.message)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "REPORT-ERROR Could not write the report report.html" in proc.stdout, proc.stderr
    assert list(out.iterdir()) == []
