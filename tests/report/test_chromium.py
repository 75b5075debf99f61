"""The HTML report in a real browser (headless Chromium): visible, self-contained, inert.

Skipped only when Chromium is not installed (CI installs it: `.ci/run`). Through the DevTools
protocol (tests/report/cdp.py) each test loads a report from a file URL and checks, with the
browser's own layout and computed styles, that the safety box and every finding are visible,
that nothing overflows a phone-sized screen, that no request other than the file itself was
made, and that hostile labels ran no script. The command-line `--screenshot` and `--dump-dom`
modes are exercised too; the screenshots are kept in the test's tmp folder for a human to look.
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stalkerscan.report import render_all
from stalkerscan.report.config import OrgConfig

from .cdp import CHROMIUM_FLAGS, Browser, chromium_path
from .conftest import clock, load_result

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(chromium_path() is None, reason="Chromium is not installed"),
]

VISIBILITY_JS = """
(() => {
  const vis = el => {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility === 'visible' &&
           s.display !== 'none' && parseFloat(s.opacity) > 0;
  };
  const safety = document.getElementById('safety');
  const cards = [...document.querySelectorAll('article.card')];
  return {
    safety: vis(safety),
    safetyText: safety ? safety.innerText : '',
    verdict: vis(document.getElementById('verdict')),
    cards: cards.map(c => ({id: c.dataset.finding, visible: vis(c), text: c.innerText})),
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    scripts: document.scripts.length,
    title: document.title,
  };
})()
"""


def render(tmp_path: Path, scenario: str, lang: str = "en") -> Path:
    out = tmp_path / f"{scenario}-{lang}"
    render_all(load_result(scenario), out, lang=lang, org=OrgConfig(), clock=clock)
    return out / "report.html"


def inspect(browser: Browser, html: Path, width: int, shot: Path) -> dict[str, Any]:
    """Load the page at a viewport width; returns the visibility facts; saves a screenshot."""
    session = browser.new_page()
    browser.call("Network.enable", session)
    browser.call("Page.enable", session)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        session,
        width=width,
        height=900,
        deviceScaleFactor=1,
        mobile=width < 600,
    )
    browser.call("Page.navigate", session, url=html.as_uri())
    browser.wait_event("Page.loadEventFired", session)
    reply = browser.call("Runtime.evaluate", session, expression=VISIBILITY_JS, returnByValue=True)
    assert "value" in reply["result"], reply
    png = browser.call("Page.captureScreenshot", session, captureBeyondViewport=True)["data"]
    shot.write_bytes(base64.b64decode(png))
    return dict(reply["result"]["value"])


@pytest.mark.parametrize("scenario", ["covert", "hostile", "dual-use"])
def test_safety_box_and_findings_visible_and_no_request(scenario: str, tmp_path: Path) -> None:
    html = render(tmp_path, scenario)
    result = load_result(scenario)
    with Browser(tmp_path / "profile") as browser:
        for width in (1000, 390):
            shot = tmp_path / f"{scenario}-{width}.png"
            facts = inspect(browser, html, width, shot)
            assert facts["verdict"] and facts["safety"], facts
            assert "Do not remove, uninstall or reset anything yet." in facts["safetyText"]
            packages = [a.package for a in result.apps]
            device_rules = [f.rule for f in result.findings if f.package is None]
            cards = facts["cards"]
            assert len(cards) == len(packages) + len(device_rules)
            assert all(c["visible"] for c in cards), [c["id"] for c in cards if not c["visible"]]
            assert facts["overflow"] <= 0, f"horizontal scrolling at {width}px"
            assert facts["scripts"] == 0
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert shot.stat().st_size > 10_000
        events = browser.events
    requests = [
        e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
    ]
    assert requests and set(requests) == {html.as_uri()}, requests
    assert not [e for e in events if e["method"] == "Page.javascriptDialogOpening"]
    if scenario == "hostile":
        texts = " ".join(c["text"] for c in cards)
        assert "<script>alert(1)</script>" in texts
        assert "[red]x[/red]\\u001b[2J" in texts


def test_command_line_screenshot_and_dom(tmp_path: Path) -> None:
    html = render(tmp_path, "covert", "fr")
    binary = chromium_path()
    assert binary is not None
    base = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'p'}"]
    shot = tmp_path / "covert-fr.png"
    subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1000,2400", html.as_uri()],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = subprocess.run(
        [*base, "--dump-dom", html.as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert 'id="safety"' in dom and "Ne supprimez, ne désinstallez" in dom
    assert dom.count('class="card ') == len(load_result("covert").apps) + 1


def test_prints_on_a4(tmp_path: Path) -> None:
    """The print stylesheet asks for A4; Chromium's PDF pages are A4 (595 x 842 pt)."""
    import re

    html = render(tmp_path, "covert", "it")
    with Browser(tmp_path / "profile") as browser:
        session = browser.new_page()
        browser.call("Page.enable", session)
        browser.call("Page.navigate", session, url=html.as_uri())
        browser.wait_event("Page.loadEventFired", session)
        data = browser.call(
            "Page.printToPDF", session, preferCSSPageSize=True, printBackground=True
        )["data"]
    pdf = base64.b64decode(data)
    (tmp_path / "covert-it.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes
    for w, h in boxes:
        assert abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5, (w, h)
