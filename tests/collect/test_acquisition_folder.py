"""The acquisition folder: verification, tampering, crash safety, a full disk, private modes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from stalkerscan.collect import (
    CollectOptions,
    Status,
    collect,
    load_manifest,
    verify_acquisition,
)
from stalkerscan.collect.store import DiskFullError, HashingWriter, atomic_write_bytes
from stalkerscan.errors import AcquisitionError
from stalkerscan.simulator.server import LogEntry, SimulatedPhone

from .conftest import ProfileTransport, build_profile, file_mode


@pytest.fixture
def acquisition(tmp_path: Path) -> Path:
    """A complete acquisition collected through the in-process fake transport."""
    out = tmp_path / "acq"
    result = collect(ProfileTransport(build_profile()), out, CollectOptions(deep=True))
    assert result.complete
    return out


def test_fresh_acquisition_verifies(acquisition: Path) -> None:
    report = verify_acquisition(acquisition)
    assert report.ok and report.complete and not report.problems
    m = load_manifest(acquisition)
    assert report.files_checked == sum(1 for a in m.artifacts if a.file) + sum(
        1 for p in m.pulled_apks if p.file
    )


def test_tampered_file_is_reported(acquisition: Path) -> None:
    target = acquisition / "raw" / "packages_u0.txt"
    data = bytearray(target.read_bytes())
    data[10] ^= 0x01  # one bit: same size, different sha256
    target.write_bytes(bytes(data))
    report = verify_acquisition(acquisition)
    assert not report.ok
    assert [(p.file, p.problem) for p in report.problems] == [("raw/packages_u0.txt", "sha256")]


def test_tampered_apk_missing_file_and_extra_file(acquisition: Path) -> None:
    apk = next((acquisition / "apks").iterdir())
    apk.write_bytes(apk.read_bytes() + b"appended")
    (acquisition / "raw" / "getprop.txt").unlink()
    (acquisition / "raw" / "planted.txt").write_bytes(b"not ours")
    problems = {(p.file, p.problem) for p in verify_acquisition(acquisition).problems}
    assert (f"apks/{apk.name}", "size") in problems
    assert (f"apks/{apk.name}", "sha256") in problems
    assert ("raw/getprop.txt", "missing") in problems
    assert ("raw/planted.txt", "unlisted") in problems


def test_manifest_naming_a_file_outside_the_folder_is_refused(acquisition: Path) -> None:
    path = acquisition / "manifest.json"
    data = json.loads(path.read_text())
    data["artifacts"][0]["file"] = "../../etc/passwd"
    path.write_text(json.dumps(data))
    report = verify_acquisition(acquisition)
    assert not report.ok
    assert ("../../etc/passwd", "unsafe-name") in {(p.file, p.problem) for p in report.problems}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no manifest.json"),
        (b"{not json", "not valid JSON"),
        (b'{"schema": "other"}', "not a stalkerscan acquisition"),
        (b'{"schema": "stalkerscan.acquisition", "schema_version": 99}', "schema version 99"),
    ],
)
def test_load_manifest_errors_are_clear(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "manifest.json").write_bytes(content)
    with pytest.raises(AcquisitionError, match=message):
        load_manifest(tmp_path)


def test_modes_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        out = tmp_path / "acq"
        collect(ProfileTransport(build_profile()), out, CollectOptions(deep=True))
    finally:
        os.umask(old)
    assert file_mode(out) == 0o700
    for path in out.rglob("*"):
        assert file_mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_atomic_write_leaves_the_old_file_when_interrupted(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    atomic_write_bytes(target, b'{"old": true}')

    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b'{"old": true}'
    assert not list(tmp_path.glob(".*.tmp"))


def test_writer_reports_a_full_disk(tmp_path: Path) -> None:
    """/dev/full fails every write with ENOSPC: the writer turns it into a clear error."""
    writer = HashingWriter(tmp_path / "raw.txt")
    writer._file.close()
    writer._file = open("/dev/full", "wb", buffering=0)  # noqa: SIM115
    with pytest.raises(DiskFullError, match="The disk is full"):
        writer.write(b"x" * 10)
    writer.abandon()


_CRASH_SCRIPT = textwrap.dedent(
    """
    import sys
    from stalkerscan.cli import main
    main(["collect", "--serial", sys.argv[1], "--via", "tcp", "--out", sys.argv[2], "--quiet"])
    """
)


@pytest.mark.parametrize("kill_at", [2, 4])
def test_a_crash_between_writes_leaves_a_parseable_manifest(tmp_path: Path, kill_at: int) -> None:
    """SIGKILL the collecting process while it runs: the manifest on disk is always whole."""
    out = tmp_path / "acq"
    profile = build_profile(200, 20, commands={"dumpsys usagestats": {"text": "u\n" * 200_000}})
    reached = threading.Event()
    with SimulatedPhone(profile, port=0) as phone:
        seen: list[LogEntry] = []

        def listener(entry: LogEntry) -> None:
            seen.append(entry)
            if len(seen) >= kill_at:
                reached.set()

        phone.command_log.subscribe(listener)
        proc = subprocess.Popen(
            [sys.executable, "-c", _CRASH_SCRIPT, phone.serial_tcp, str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            finished = reached.wait(timeout=60)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
    assert finished
    m = load_manifest(out)  # parses: never half-written
    report = verify_acquisition(out)
    # Every listed file matches; at most an unfinished `.partial` file is unlisted.
    assert report.ok, report.problems
    for p in report.problems:
        assert p.problem == "unlisted" and p.file.endswith(".partial"), p
    assert m.complete is False  # killed before the end
    assert any(a.status == Status.OK for a in m.artifacts)


def test_a_full_disk_gives_a_clear_message_and_keeps_what_was_written(tmp_path: Path) -> None:
    """A real full disk: a 192 KiB tmpfs in a private mount namespace (unshare)."""
    unshare = shutil.which("unshare")
    probe = (
        subprocess.run([unshare, "-rm", "true"], capture_output=True, timeout=30)
        if unshare
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip("no unprivileged mount namespaces here (unshare -rm failed)")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = textwrap.dedent(
        """
        import json, sys
        from stalkerscan.cli import main
        from stalkerscan.collect import load_manifest, verify_acquisition
        out = sys.argv[2] + "/acq"
        try:
            main(["collect", "--serial", sys.argv[1], "--via", "tcp", "--out", out, "--quiet"])
        except SystemExit as exc:
            code = exc.code
        m = load_manifest(out)
        r = verify_acquisition(out)
        print(json.dumps({"code": code, "ok": r.ok, "complete": m.complete,
                          "saved": [a.name for a in m.artifacts if a.status == "ok"]}))
        """
    )
    big = {"dumpsys usagestats": {"text": ("usage line\n" * 60_000)}}
    profile = build_profile(commands=big)
    with SimulatedPhone(profile, port=0) as phone:
        proc = subprocess.run(
            [
                unshare,  # type: ignore[list-item]
                "-rm",
                "sh",
                "-c",
                f'mount -t tmpfs -o size=192k tmpfs "{disk}" && '
                f'exec "{sys.executable}" -c "$0" "$1" "$2"',
                script,
                phone.serial_tcp,
                str(disk),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.stdout, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["code"] == 4, proc.stderr
    assert "disk is full" in " ".join(proc.stderr.split())
    assert result["ok"] is True and result["complete"] is False
    assert "getprop" in result["saved"] and "packages_u0" in result["saved"]
    assert "usagestats" not in result["saved"]


def test_a_planted_symlink_is_not_followed(tmp_path: Path) -> None:
    """A symlink where an output goes is refused, never written through."""
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"untouched")
    out = tmp_path / "acq"
    (out / "raw").mkdir(parents=True)
    (out / "raw" / "getprop.txt.partial").symlink_to(outside)
    with pytest.raises(AcquisitionError, match=r"Could not write getprop\.txt"):
        collect(ProfileTransport(build_profile()), out, CollectOptions())
    assert outside.read_bytes() == b"untouched"
