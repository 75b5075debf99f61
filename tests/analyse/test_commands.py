"""`stalkerscan scan` and `stalkerscan check` through the real CLI (a subprocess).

`scan` reads the simulated phone over TCP, writes report.json and the acquisition beside it;
`check` on that acquisition reproduces exactly the same findings, apps and coverage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stalkerscan.simulator import scenarios
from stalkerscan.simulator.server import SimulatedPhone

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m stalkerscan ARGS` with a private data dir and a wide, plain terminal."""
    env = {
        **os.environ,
        "STALKERSCAN_DATA_DIR": str(data_dir),
        "STALKERSCAN_INDICATORS_DIR": str(data_dir / "indicators"),
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "TERM": "dumb",
    }
    env.pop("STALKERSCAN_LOCAL_INDICATORS", None)
    return subprocess.run(
        [sys.executable, "-m", "stalkerscan", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO,
    )


def comparable(report: dict) -> dict:  # type: ignore[type-arg]
    """The parts of a report that must not depend on when or how it was produced."""
    return {k: report[k] for k in ("verdict", "complete", "device", "coverage", "apps", "findings")}


@pytest.fixture(scope="module")
def scanned(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """One `stalkerscan scan` of the covert phone: (data dir, out dir, process)."""
    data = tmp_path_factory.mktemp("data")
    out = tmp_path_factory.mktemp("scan") / "out"
    profile = scenarios.resolve("covert", tmp_path_factory.mktemp("cache"))
    with SimulatedPhone(profile, port=0) as phone:
        proc = run_cli(
            "scan",
            "--serial",
            phone.serial_tcp,
            "--via",
            "tcp",
            "--out",
            str(out),
            "--indicators-dir",
            str(data / "indicators"),
            "--max-pull-mb",
            "4",
            "--quiet",
            data_dir=data,
        )
    return data, out, proc


def test_scan_writes_private_report_and_acquisition(scanned) -> None:  # type: ignore[no-untyped-def]
    _, out, proc = scanned
    assert proc.returncode == 1, proc.stderr
    report = out / "report.json"
    assert report.stat().st_mode & 0o777 == 0o600
    assert out.stat().st_mode & 0o777 == 0o700
    assert (out / "acquisition" / "manifest.json").is_file()
    assert (out / "report.html").stat().st_mode & 0o777 == 0o600
    data = json.loads(report.read_text())
    assert data["verdict"] == "found"
    assert "TrainingSpy (fictional)" in proc.stdout
    assert "Do not remove" in proc.stdout
    rules = {f["rule"] for f in data["findings"]}
    assert {"SS-IOC-PKG", "SS-IOC-CERT", "SS-IOC-HASH", "SS-APP-COVERT"} <= rules
    assert data["provenance"]["acquisition"] == "acquisition"
    assert any(f["id"] == "demo" for f in data["provenance"]["feeds"])


def test_check_reproduces_scan_exactly(scanned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, out, _ = scanned
    proc = run_cli(
        "check",
        str(out / "acquisition"),
        "--out",
        str(tmp_path / "again"),
        "--indicators-dir",
        str(data / "indicators"),
        "--json",
        data_dir=data,
    )
    assert proc.returncode == 1, proc.stderr
    again = json.loads(proc.stdout)
    first = json.loads((out / "report.json").read_text())
    assert comparable(again) == comparable(first)
    assert json.loads((tmp_path / "again" / "report.json").read_text()) == again


def test_check_of_a_folder_that_is_not_an_acquisition(tmp_path: Path) -> None:
    proc = run_cli("check", str(tmp_path), "--out", str(tmp_path / "r"), data_dir=tmp_path)
    assert proc.returncode == 2
    assert "not an acquisition" in proc.stderr


def test_check_refuses_an_unknown_language(scanned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, out, _ = scanned
    proc = run_cli("check", str(out / "acquisition"), "--lang", "xx", data_dir=data)
    assert proc.returncode == 2 and "Unknown language" in proc.stderr


def test_check_nothing_found_says_it_is_no_proof(
    acquisitions: dict[str, Path], tmp_path: Path
) -> None:
    proc = run_cli(
        "check",
        str(acquisitions["clean"]),
        "--out",
        str(tmp_path / "r"),
        "--indicators-dir",
        str(tmp_path / "ind"),
        data_dir=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Nothing suspicious was found" in proc.stdout
    assert "does not prove that the phone is clean" in proc.stdout


def test_hostile_text_is_escaped_in_the_summary(
    acquisitions: dict[str, Path], tmp_path: Path
) -> None:
    proc = run_cli(
        "check",
        str(acquisitions["hostile"]),
        "--out",
        str(tmp_path / "r"),
        "--indicators-dir",
        str(tmp_path / "ind"),
        data_dir=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x1b" not in proc.stderr
    assert "org.hostile.\\u001b[31mred" in proc.stdout


def _scan_with_fault(tmp_path: Path, scenario: str, faults: dict[str, object]):  # type: ignore[no-untyped-def]
    from stalkerscan.simulator.profile import Profile

    profile = Profile.load(scenarios.resolve(scenario, tmp_path / "cache")).with_changes(
        faults=faults
    )
    out = tmp_path / "out"
    with SimulatedPhone(profile, port=0) as phone:
        proc = run_cli(
            "scan",
            "--serial",
            phone.serial_tcp,
            "--via",
            "tcp",
            "--out",
            str(out),
            "--indicators-dir",
            str(tmp_path / "ind"),
            "--max-pull-mb",
            "4",
            "--quiet",
            data_dir=tmp_path,
        )
    return proc, out


def test_scan_cut_off_while_hashing_still_reports_what_it_read(tmp_path: Path) -> None:
    proc, out = _scan_with_fault(tmp_path, "covert", {"drop_on_command": "sha256sum '?/"})
    # Found beats incomplete: the package name and the heuristics still name the app.
    assert proc.returncode == 1, proc.stderr
    assert "incomplete" in proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is False and report["verdict"] == "found"
    rules = {f["rule"] for f in report["findings"]}
    assert {"SS-IOC-PKG", "SS-APP-COVERT"} <= rules and "SS-IOC-HASH" not in rules
    rows = {c["check"]: c["status"] for c in report["coverage"]}
    assert rows["ioc_sample_hash"] in ("failed", "skipped")


def test_scan_of_a_clean_phone_cut_off_is_incomplete(tmp_path: Path) -> None:
    proc, out = _scan_with_fault(tmp_path, "small", {"drop_on_command": "sha256sum '?/"})
    assert proc.returncode == 4, proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["verdict"] == "incomplete" and report["complete"] is False


def test_scan_resume_finishes_an_interrupted_scan(tmp_path: Path) -> None:
    proc, out = _scan_with_fault(tmp_path, "small", {"drop_on_command": "dumpsys package"})
    assert proc.returncode == 4, proc.stderr
    profile = scenarios.resolve("small", tmp_path / "cache")
    with SimulatedPhone(profile, port=0) as phone:
        again = run_cli(
            "scan",
            "--serial",
            phone.serial_tcp,
            "--via",
            "tcp",
            "--quiet",
            "--resume",
            str(out / "acquisition"),
            "--indicators-dir",
            str(tmp_path / "ind"),
            data_dir=tmp_path,
        )
    assert again.returncode == 0, again.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is True and report["verdict"] == "nothing_found"


def test_scan_resume_of_a_folder_that_is_not_an_acquisition(tmp_path: Path) -> None:
    proc = run_cli("scan", "--resume", str(tmp_path), "--wait", "0", data_dir=tmp_path)
    assert proc.returncode == 2 and "not an acquisition" in proc.stderr
