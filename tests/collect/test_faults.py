"""A phone pulled out mid-collection: exit 4, a valid partial acquisition, a clear message."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stalkerscan.cli import main
from stalkerscan.collect import Status, load_manifest, verify_acquisition
from stalkerscan.errors import ExitCode
from stalkerscan.simulator.server import SimulatedPhone

from .conftest import build_profile


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the real CLI in-process; return (exit code, stderr with rich's wrapping undone)."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    code = exc.value.code
    return int(code if isinstance(code, int) else 0), " ".join(capsys.readouterr().err.split())


def collect_args(phone: SimulatedPhone, out: Path, *extra: str) -> list[str]:
    """`stalkerscan collect` against the simulated phone, quietly."""
    return [
        "collect",
        "--serial",
        phone.serial_tcp,
        "--via",
        "tcp",
        "--out",
        str(out),
        "--quiet",
        "--connect-timeout",
        "10",
        *extra,
    ]


def statuses(out: Path) -> dict[str, Status]:
    """Artifact name -> status from the manifest."""
    return {a.name: a.status for a in load_manifest(out).artifacts}


@pytest.mark.parametrize(
    ("faults", "collected", "lost"),
    [
        # The link drops when the second session (the main batch) opens.
        ({"drop_after_commands": 1}, {"getprop", "users"}, {"packages_u0", "dumpsys_package"}),
        # The link drops when `dumpsys package` is asked for.
        ({"drop_on_command": "dumpsys package"}, {"packages_u0", "appops"}, {"dumpsys_package"}),
        # The link drops in the middle of the main batch's output.
        ({"drop_in_shell_after_bytes": 20_000}, {"getprop"}, {"usagestats"}),
    ],
)
def test_disconnect_mid_collection_exits_4_with_a_partial_acquisition(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    faults: dict[str, Any],
    collected: set[str],
    lost: set[str],
) -> None:
    out = tmp_path / "acq"
    profile = build_profile(400, 40, faults=faults)
    with SimulatedPhone(profile, port=0) as phone:
        code, err = run_cli(collect_args(phone, out), capsys)
    assert code == ExitCode.INCOMPLETE, err
    assert "incomplete" in err and "Not collected" in err and "--resume" in err
    # What was collected is said too: how many outputs, and where they are.
    assert re.search(r"Collected \d+ of \d+ outputs into", err), err
    m = load_manifest(out)
    assert m.complete is False
    assert m.stopped is not None and m.stopped["reason"]
    got = statuses(out)
    for name in collected:
        assert got[name] == Status.OK, (name, got)
    for name in lost:
        assert got[name] in (Status.NOT_COLLECTED, Status.FAILED), (name, got)
    for name in lost:
        assert name in err
    report = verify_acquisition(out)
    assert report.ok, report.problems
    assert not [p for p in report.problems if p.problem == "unlisted"]


def test_disconnect_in_the_middle_of_an_artifact_keeps_its_partial_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acq"
    big = "".join(f"line {i} of a long usage dump\n" for i in range(20_000))
    profile = build_profile(
        commands={"dumpsys usagestats": {"text": big}},
        faults={"drop_in_shell_after_bytes": 200_000},
    )
    with SimulatedPhone(profile, port=0) as phone:
        code, _ = run_cli(collect_args(phone, out), capsys)
    assert code == ExitCode.INCOMPLETE
    record = load_manifest(out).artifact("usagestats")
    assert record is not None and record.status == Status.FAILED
    assert record.reason is not None and "partial output kept" in record.reason
    assert 0 < record.size < len(big)
    assert verify_acquisition(out).ok


def test_disconnect_during_a_pull(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "acq"
    profile = build_profile(30, 6, faults={"drop_in_sync_after_bytes": 5})
    with SimulatedPhone(profile, port=0) as phone:
        code, err = run_cli(collect_args(phone, out, "--deep"), capsys)
    assert code == ExitCode.INCOMPLETE, err
    m = load_manifest(out)
    assert m.complete is False and m.pull["status"] == "failed"
    assert m.hashing["status"] == "ok"
    failed = [p for p in m.pulled_apks if p.status == Status.FAILED]
    assert len(failed) == 1 and failed[0].file is None
    assert not list((out / "apks").iterdir())  # no half-pulled APK is left behind
    assert verify_acquisition(out).ok
    assert "APKs pulled: 0 of 7 selected" in err  # six base APKs and one split


def test_disconnect_before_anything_is_collected_is_a_device_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acq"
    with SimulatedPhone(build_profile(faults={"drop_after_commands": 0}), port=0) as phone:
        code, err = run_cli(collect_args(phone, out), capsys)
    assert code == ExitCode.DEVICE, err
    # Nothing was read: no empty acquisition is left behind, so the same command can be rerun,
    # and the message does not claim that anything was kept.
    assert not out.exists()
    assert "Nothing was read from the phone" in err and "has been kept" not in err


def test_resume_collects_only_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acq"
    profile = build_profile(60, 10, faults={"drop_on_command": "dumpsys package"})
    with SimulatedPhone(profile, port=0) as phone:
        code, _ = run_cli(collect_args(phone, out), capsys)
        assert code == ExitCode.INCOMPLETE
        first_id = load_manifest(out).acquisition_id
        phone.set_faults(drop_on_command=None)
        phone.command_log.clear()
        args = collect_args(phone, out)
        args[args.index("--out")] = "--resume"
        code, err = run_cli(args, capsys)
        commands = [e.command for e in phone.command_log.entries() if e.kind == "shell"]
    assert code == 0, err
    m = load_manifest(out)
    assert m.complete is True and m.resumed_from == [first_id]
    assert verify_acquisition(out).ok
    # Only the package batch and the hashing ran again: nothing already saved was re-read.
    assert len(commands) == 2
    assert "dumpsys package" in commands[0] and "getprop" not in " ".join(commands)
    assert all(a.status in (Status.OK, Status.SKIPPED) for a in m.artifacts)


def test_out_folder_with_an_acquisition_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acq"
    with SimulatedPhone(build_profile(), port=0) as phone:
        assert run_cli(collect_args(phone, out, "--no-pull"), capsys)[0] == 0
        before = (out / "manifest.json").read_bytes()
        code, err = run_cli(collect_args(phone, out), capsys)
    assert code == ExitCode.USAGE and "already holds an acquisition" in err
    assert (out / "manifest.json").read_bytes() == before


def test_collect_as_a_separate_process(tmp_path: Path) -> None:
    """The console entry point, as a support worker runs it (not a TTY: no progress bar)."""
    out = tmp_path / "acq"
    with SimulatedPhone(build_profile(), port=0) as phone:
        proc = subprocess.run(
            [sys.executable, "-m", "stalkerscan", *collect_args(phone, out)[:-3]],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    assert "Collected" in proc.stderr  # the summary, without a progress bar
    data = json.loads((out / "manifest.json").read_text())
    assert data["complete"] is True


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_shows_on_a_terminal_unless_quiet(tmp_path: Path, quiet: bool) -> None:
    """In a pseudo-terminal the steps and bytes read are shown; --quiet shows none of it."""
    import os

    import pexpect

    out = tmp_path / "acq"
    with SimulatedPhone(build_profile(), port=0) as phone:
        args = collect_args(phone, out)[:-3] + (["--quiet"] if quiet else [])
        child = pexpect.spawn(
            sys.executable,
            ["-m", "stalkerscan", *args],
            env=dict(os.environ, COLUMNS="120"),
            timeout=60,
            encoding="utf-8",
        )
        child.expect(pexpect.EOF)
        child.close()
    assert child.exitstatus == 0, child.before
    shown = child.before or ""
    assert ("Reading the phone's identity" in shown) is not quiet
    assert ("Pulling" in shown) is not quiet
    assert ("Collected" in shown) is not quiet
    assert load_manifest(out).complete


def test_disconnect_while_hashing_then_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acq"
    profile = build_profile(60, 10, faults={"drop_on_command": "sha256sum '?/"})
    with SimulatedPhone(profile, port=0) as phone:
        code, err = run_cli(collect_args(phone, out), capsys)
        assert code == ExitCode.INCOMPLETE, err
        m = load_manifest(out)
        assert m.hashing["status"] == "failed"
        assert all(h.status == Status.NOT_COLLECTED for h in m.apk_hashes)
        assert m.pull["status"] == "not_collected"
        assert m.artifact("dumpsys_package").status == Status.OK  # type: ignore[union-attr]
        phone.set_faults(drop_on_command=None)
        phone.command_log.clear()
        args = collect_args(phone, out)
        args[args.index("--out")] = "--resume"
        code, err = run_cli(args, capsys)
        shells = [e.command for e in phone.command_log.entries() if e.kind == "shell"]
    assert code == 0, err
    assert len(shells) == 1 and "sha256sum" in shells[0]
    m = load_manifest(out)
    assert m.complete and all(h.sha256 for h in m.apk_hashes)
    assert verify_acquisition(out).ok


def test_unreachable_phone_on_a_terminal_exits_3_and_restores_the_cursor(tmp_path: Path) -> None:
    import os
    import socket

    import pexpect

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "acq"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "stalkerscan", "collect", "--serial", f"127.0.0.1:{port}", "--via", "tcp",
         "--out", str(out), "--connect-timeout", "5"],
        env=dict(os.environ, COLUMNS="120"),
        timeout=60,
        encoding="utf-8",
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before or ""
    assert child.exitstatus == ExitCode.DEVICE, shown
    # The live display hid the cursor while connecting; it must show it again.
    assert "Connecting" in shown
    assert shown.rindex("\x1b[?25h") > shown.rindex("\x1b[?25l")
    assert not out.exists()
