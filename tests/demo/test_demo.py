"""`stalkerscan demo`, end to end: each scenario's simulated phone scanned over real ADB through
the `scan` command, the JSON report's findings and the exit code asserted.

The five demos run at the same time (one subprocess each) in isolated environments with no feed
installed: the packaged demo feed and the project's rules are all they have.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pexpect
import pytest

from demo.clisupport import cli_env, port_listening, processes_with, stalkerscan_argv
from stalkerscan.errors import ExitCode, StalkerscanError

SCENARIOS = ("clean", "covert", "dual-use", "removed", "work-profile")
SPY = "org.stalkerscan.training.syncservice"
LOCATOR = "org.stalkerscan.training.familylocator"
SEVERE = ("medium", "high")


@dataclass
class DemoRun:
    returncode: int
    stdout: str
    stderr: str
    out: Path
    report: dict[str, Any]


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory, profile_cache: Path) -> dict[str, DemoRun]:
    """Run `stalkerscan demo --scenario NAME --out DIR` for every scenario, in parallel."""
    root = tmp_path_factory.mktemp("demo-runs")
    procs = {}
    for name in SCENARIOS:
        work = root / name
        work.mkdir()
        env = cli_env(work, profile_cache)
        out = work / "reports"
        argv = stalkerscan_argv("demo", "--scenario", name, "--out", str(out), "--lang", "en")
        procs[name] = (
            subprocess.Popen(
                argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            ),
            out,
        )
    runs = {}
    for name, (proc, out) in procs.items():
        stdout, stderr = proc.communicate(timeout=120)
        report_path = out / "report.json"
        report = json.loads(report_path.read_text()) if report_path.is_file() else {}
        runs[name] = DemoRun(proc.returncode, stdout, stderr, out, report)
    return runs


def findings(run: DemoRun) -> set[tuple[str, str | None]]:
    """(rule, package) of every finding in the JSON report."""
    return {(f["rule"], f["package"]) for f in run.report["findings"]}


def severe(run: DemoRun) -> set[tuple[str, str | None]]:
    """(rule, package) of the findings at medium or above."""
    return {(f["rule"], f["package"]) for f in run.report["findings"] if f["severity"] in SEVERE}


@pytest.mark.parametrize("name", SCENARIOS)
def test_demo_writes_the_reports_privately(demo_runs: dict[str, DemoRun], name: str) -> None:
    run = demo_runs[name]
    assert run.report, f"no report.json\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert (run.out / "report.html").is_file()
    assert (run.out / "acquisition" / "manifest.json").is_file()
    assert (run.out / "report.json").stat().st_mode & 0o777 == 0o600
    assert run.out.stat().st_mode & 0o777 == 0o700
    # The simulated phone was named, scanned through `scan --serial 127.0.0.1:PORT`, and stopped.
    assert re.search(r"stalkerscan scan --serial 127\.0\.0\.1:\d+", run.stderr)
    assert "The simulated phone was stopped." in run.stderr
    # Demo feed only (no feed installed here): the report says a list was not used.
    assert run.report["provenance"]


def test_demo_covert(demo_runs: dict[str, DemoRun]) -> None:
    run = demo_runs["covert"]
    assert run.returncode == ExitCode.FINDINGS, run.stderr
    assert run.report["verdict"] == "found"
    expected = {
        ("SS-IOC-PKG", SPY),
        ("SS-IOC-CERT", SPY),
        ("SS-IOC-HASH", SPY),
        ("SS-IOC-HOST", SPY),
        ("SS-APP-COVERT", SPY),
        ("SS-YARA-001", SPY),
        ("SS-DEV-PLAY-PROTECT", None),
    }
    assert expected <= severe(run)
    assert {("SS-APP-HIDDEN", SPY), ("SS-APP-RECENT", SPY)} <= findings(run)
    # The terminal report names the app and its fictional family.
    assert "Sync Service" in run.stdout
    assert "TrainingSpy (fictional)" in run.stdout


def test_demo_clean(demo_runs: dict[str, DemoRun]) -> None:
    run = demo_runs["clean"]
    assert run.returncode == ExitCode.NOTHING_FOUND, run.stderr
    assert run.report["verdict"] == "nothing_found"
    assert severe(run) == set()
    # The parental-control app from Play is reported, softly.
    assert ("SS-DUAL-PURPOSE", "net.brightnest.familytime") in findings(run)


def test_demo_dual_use(demo_runs: dict[str, DemoRun]) -> None:
    run = demo_runs["dual-use"]
    assert run.returncode == ExitCode.FINDINGS, run.stderr
    dual = [f for f in run.report["findings"] if f["package"] == LOCATOR]
    assert {f["rule"] for f in dual} == {"SS-DUAL-IOC"}
    assert all(f["category"] == "watchware" and f["severity"] != "high" for f in dual)
    assert not any(f["severity"] == "high" for f in run.report["findings"])


def test_demo_removed(demo_runs: dict[str, DemoRun]) -> None:
    run = demo_runs["removed"]
    assert run.returncode == ExitCode.FINDINGS, run.stderr
    assert {("SS-REMOVED-IOC", SPY), ("SS-DEV-PLAY-PROTECT", None)} <= severe(run)
    # Removed: nothing active any more, so no covert-app or YARA finding.
    rules = {rule for rule, pkg in findings(run) if pkg == SPY}
    assert "SS-APP-COVERT" not in rules
    assert not any(r.startswith("SS-YARA") for r in rules)


def test_demo_work_profile(demo_runs: dict[str, DemoRun]) -> None:
    run = demo_runs["work-profile"]
    assert run.returncode == ExitCode.FINDINGS, run.stderr
    assert {("SS-IOC-PKG", SPY), ("SS-APP-COVERT", SPY), ("SS-DEV-OWNER", SPY)} <= severe(run)
    spy_users = {u for f in run.report["findings"] if f["package"] == SPY for u in f["users"]}
    assert spy_users == {10}


def test_demo_list_describes_every_scenario(tmp_path: Path, profile_cache: Path) -> None:
    env = cli_env(tmp_path, profile_cache)
    out = subprocess.run(
        stalkerscan_argv("demo", "--list"),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    for name in SCENARIOS:
        assert f"stalkerscan demo --scenario {name}" in out.stdout
    assert "Covert monitoring app" in out.stdout
    assert "(default)" in out.stdout
    assert "stalkerscan simulate --scenario NAME" in out.stdout
    assert not (tmp_path / "reports").exists()


def test_unknown_scenario_is_a_usage_error(tmp_path: Path, profile_cache: Path) -> None:
    env = cli_env(tmp_path, profile_cache)
    out = subprocess.run(
        stalkerscan_argv("demo", "--scenario", "hostile"),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == ExitCode.USAGE
    assert "no demo scenario named 'hostile'" in out.stderr
    assert "covert" in out.stderr and "work-profile" in out.stderr


def test_default_output_folder_is_new_under_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from stalkerscan.commands.demo import default_demo_out

    monkeypatch.chdir(tmp_path)
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = default_demo_out("covert", now)
    assert first == Path("reports/demo-covert-20260102-030405")
    first.mkdir(parents=True)
    assert default_demo_out("covert", now) == Path("reports/demo-covert-20260102-030405-2")


def test_default_output_folder_when_the_current_one_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stalkerscan.commands.demo import default_demo_out

    # Root may write anywhere, so the read-only folder is simulated at os.access.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    out = default_demo_out("clean")
    assert out.parent.name == "stalkerscan-demo-reports"
    assert out.is_absolute()


def test_phone_stopped_when_the_scan_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile_cache: Path
) -> None:
    """An error inside the scan (here: an unknown report language) still stops the phone."""
    from rich.console import Console

    from stalkerscan.commands.demo import run_demo

    for key, value in cli_env(tmp_path, profile_cache).items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    seen: list[int] = []
    console = Console(file=open(tmp_path / "log.txt", "w"), width=200)  # noqa: SIM115

    with pytest.raises(StalkerscanError) as err:
        run_demo("clean", out=tmp_path / "r", lang="xx", console=console)
    console.file.close()
    assert "Unknown language" in err.value.message
    log = (tmp_path / "log.txt").read_text()
    seen = [int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", log)]
    assert seen, log
    assert not port_listening(seen[0])
    assert not [t for t in threading.enumerate() if t.name.startswith("simulated-phone-")]


def test_ctrl_c_stops_the_demo_and_leaves_nothing(tmp_path: Path, profile_cache: Path) -> None:
    env = cli_env(tmp_path, profile_cache)
    argv = stalkerscan_argv(
        "demo", "--scenario", "covert", "--standard-link", "--out", str(tmp_path / "r")
    )
    child = pexpect.spawn(
        argv[0],
        argv[1:],
        env=env,
        cwd=str(tmp_path),
        timeout=60,
        encoding="utf-8",
        dimensions=(50, 200),
    )
    child.expect(r"answers on 127\.0\.0\.1:(\d+)")
    port = int(child.match.group(1))
    child.expect("What stalkerscan reads now")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == ExitCode.INTERRUPTED, child.before
    assert not port_listening(port)
    assert processes_with(env) == []
