"""Issue 9 item 1: the phone is hostile. A whole `scan` of the hostile simulated phone (escape
sequences, rich markup, HTML/JS, RTL override and zero-width characters, NUL bytes, invalid
UTF-8/UTF-16, `../` and absolute paths, newlines and shell metacharacters in package names and
labels) in a sealed subprocess: no crash, bounded memory, nothing written outside the case
folder, no host program run, no network, nothing raw on the terminal, HTML escaped, phone
unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import BIDI_AND_ZERO_WIDTH, ESC, Result, Sandbox, log_violations, scan_args

from stalkerscan.simulator.server import LogEntry, SimulatedPhone

MAX_RSS_MB = 500


@dataclass
class Scanned:
    """One finished scan: the sandbox, the case folder, the CLI result, the phone's log."""

    sandbox: Sandbox
    out: Path
    result: Result
    log: list[LogEntry]


@pytest.fixture(scope="module")
def hostile_scan(
    tmp_path_factory: pytest.TempPathFactory, scenario: Callable[[str], Path]
) -> Scanned:
    """`stalkerscan scan --deep` of the hostile phone, once for the module."""
    sandbox = Sandbox(tmp_path_factory.mktemp("hostile") / "sandbox")
    out = sandbox.cwd / "case"
    with SimulatedPhone(scenario("hostile")) as phone:
        result = sandbox.run(*scan_args(phone.serial_tcp, out, "--deep"))
        log = phone.command_log.entries()
    return Scanned(sandbox, out, result, log)


@pytest.mark.proves(
    "hostile device",
    "hostile phone (escapes, markup, HTML/JS, RTL, zero-width, NUL, invalid UTF-8/16, "
    "`../`, absolute paths, newlines, shell metacharacters): whole scan --deep",
    "exit 0/1, no traceback, report.html + report.json + acquisition written",
)
def test_the_scan_finishes_with_a_report(hostile_scan: Scanned) -> None:
    r = hostile_scan.result
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr
    assert (hostile_scan.out / "report.html").is_file()
    report = json.loads((hostile_scan.out / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] and report["apps"]
    assert (hostile_scan.out / "acquisition" / "manifest.json").is_file()


@pytest.mark.proves(
    "hostile device",
    "hostile phone: terminal output",
    "no raw ESC, bell, backspace, RTL override or zero-width character from the phone on "
    "stdout/stderr; the names are shown escaped",
)
def test_terminal_output_is_harmless(hostile_scan: Scanned) -> None:
    r = hostile_scan.result
    for stream in (r.stdout, r.stderr):
        assert ESC not in stream and "\x07" not in stream and "\x08" not in stream
        assert "\x00" not in stream
        assert not set(stream) & set(BIDI_AND_ZERO_WIDTH), [
            hex(ord(c)) for c in set(stream) & set(BIDI_AND_ZERO_WIDTH)
        ]
    # The hostile app is named, escaped (rich would have eaten `[red]` as markup otherwise).
    assert "org.hostile" in r.stdout


@pytest.mark.proves(
    "hostile device",
    "hostile phone: HTML report",
    "device text autoescaped: no <script>, onerror= or ESC from the phone in report.html",
)
def test_html_report_is_escaped(hostile_scan: Scanned) -> None:
    html = (hostile_scan.out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert not re.search(r"<[^>]*onerror\s*=", html)
    assert ESC not in html and "\x00" not in html
    assert "\u202e" not in html  # RTL override shown escaped or removed, never raw
    assert "&lt;script&gt;alert" in html or "script" not in html.lower().split("</head>")[-1]


@pytest.mark.proves(
    "hostile device",
    "hostile phone: files written",
    "only the case folder (reports + acquisition) and the data dir's host key/index cache "
    "change; HOME, cwd and TMPDIR otherwise untouched; acquisition file names are ours",
)
def test_nothing_written_outside_the_case_folder(hostile_scan: Scanned) -> None:
    written = hostile_scan.result.written
    allowed_data = ("data/hostkey", "data/indicators")
    outside = [
        w
        for w in written
        if not w.startswith("cwd/case")
        and w not in ("cwd", "data", "tmp")
        and not w.startswith(allowed_data)
    ]
    assert outside == []
    names = [str(p.relative_to(hostile_scan.out)) for p in hostile_scan.out.rglob("*")]
    pattern = re.compile(
        r"^(report\.(html|json)|acquisition(/manifest\.json|/raw(/[a-z0-9_]+(\.\d+)?\.txt)?"
        r"|/apks(/\d{4}\.apk)?)?)$"
    )
    assert [n for n in names if not pattern.match(n)] == []
    assert list(hostile_scan.sandbox.tmp.iterdir()) == []


@pytest.mark.proves(
    "hostile device",
    "hostile phone: host programs",
    "no host program is ever started (PATH holds only tripwires: sh, su, reboot, id, rm, ...)",
)
def test_no_host_program_is_run(hostile_scan: Scanned) -> None:
    assert hostile_scan.result.tripwire_calls == []


@pytest.mark.proves(
    "no network",
    "whole scan of the hostile phone with non-loopback sockets and DNS blocked",
    "no connection or look-up attempted (sitecustomize records every attempt); exit 0/1",
)
def test_no_network_during_a_scan(hostile_scan: Scanned) -> None:
    assert hostile_scan.result.net_attempts == []
    assert hostile_scan.result.returncode in (0, 1)


@pytest.mark.proves(
    "hostile device",
    "hostile phone: memory",
    f"peak RSS of the scan process under {MAX_RSS_MB} MB",
)
def test_memory_is_bounded(hostile_scan: Scanned) -> None:
    assert hostile_scan.result.peak_rss_mb is not None
    assert hostile_scan.result.peak_rss_mb < MAX_RSS_MB


@pytest.mark.proves(
    "read-only",
    "hostile phone: the simulated phone's command log after scan --deep",
    "every command allowlisted, sync only STAT/RECV, nothing that installs, clears, kills, "
    "writes a setting or pushes",
)
def test_the_phone_is_unchanged(hostile_scan: Scanned) -> None:
    assert hostile_scan.log, "the phone saw no command at all"
    assert log_violations(hostile_scan.log) == []
    # Device-controlled names never reach the phone's shell: only validated paths are hashed.
    from stalkerscan.device.allowlist import is_safe_remote_path, split_simple_commands

    hashed = 0
    for e in hostile_scan.log:
        assert "\n" not in e.command and "$(" not in e.command and "`" not in e.command
        assert "etc/passwd" not in e.command and "reboot" not in e.command
        if e.kind == "sync" and e.command:
            assert is_safe_remote_path(e.command.split(" ", 1)[1]), e.command
        if e.kind != "sync":
            for words in split_simple_commands(e.command):
                if words[0] == "sha256sum":
                    hashed += len(words) - 1
                    paths = [w for w in words[1:] if not w.startswith("2>")]
                    assert all(is_safe_remote_path(w) for w in paths), words
    assert hashed > 0
