"""Debian's own `adb` client against the simulated phone: connect, AUTH, shell v2 exit codes, pull.

Each module run starts a private adb server (isolated HOME, its own ANDROID_ADB_SERVER_PORT) and
kills it at the end. Skipped only when `adb` is not installed (CI installs it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sim_helpers import BIG_APK, BIG_SIZE, NOTES_APK

from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone

pytestmark = [
    pytest.mark.adb,
    pytest.mark.skipif(shutil.which("adb") is None, reason="Debian's adb is not installed"),
]


class Adb:
    """Runs Debian's adb against one private adb server."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(
        self, *args: str, timeout: float = 30, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["adb", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
        )


def _free_port() -> int:
    # Not 5037 (the usual server) and not 5555-5585 (the server probes those as emulators).
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port != 5037 and not 5554 <= port <= 5586:
            return port


@pytest.fixture(scope="module")
def adb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Adb]:
    """Run `adb ARGS` against a private adb server; the server is killed at teardown."""
    home = tmp_path_factory.mktemp("adbhome")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ANDROID_ADB_SERVER_PORT": str(_free_port()),
        "ANDROID_SDK_HOME": str(home),
        "LANG": "C.UTF-8",
    }

    run = Adb(env)
    run("start-server")
    try:
        yield run
    finally:
        run("kill-server", timeout=15)


def _wait_for_state(adb: Adb, serial: str, wanted: str, limit_s: float = 10) -> str:
    """Poll `adb devices` (bounded) until `serial` shows `wanted`; return the last state seen."""
    state = ""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        for line in adb("devices").stdout.splitlines():
            parts = line.split()
            if parts and parts[0] == serial:
                state = parts[1]
        if state == wanted:
            return state
        if wanted == "device":  # a fresh key: adb retries AUTH once the phone has accepted it
            adb("connect", serial)
        time.sleep(0.1)
    return state


@pytest.fixture
def connected(adb: Adb, minimal_profile: Profile) -> Iterator[tuple[SimulatedPhone, str]]:
    with SimulatedPhone(minimal_profile) as phone:
        serial = phone.serial_tcp
        out = adb("connect", serial)
        assert f"connected to {serial}" in out.stdout, out
        assert _wait_for_state(adb, serial, "device") == "device"
        try:
            yield phone, serial
        finally:
            adb("disconnect", serial)


def test_shell_v2_gives_real_exit_codes(adb: Adb, connected: tuple[SimulatedPhone, str]) -> None:
    phone, serial = connected
    out = adb("-s", serial, "shell", "echo hi; echo oops >&2; exit 3")
    assert (out.returncode, out.stdout, out.stderr) == (3, "hi\n", "oops\n")
    out = adb("-s", serial, "shell", "nosuch")
    assert out.returncode == 127
    assert out.stderr == "/system/bin/sh: nosuch: inaccessible or not found\n"
    out = adb("-s", serial, "shell", "getprop", "ro.product.model")
    assert (out.returncode, out.stdout) == (0, "Pixel 7\n")
    kinds = {e.kind for e in phone.command_log.entries()}
    assert kinds == {"shell_v2"}


def test_exec_out(adb: Adb, connected: tuple[SimulatedPhone, str]) -> None:
    _, serial = connected
    out = adb("-s", serial, "exec-out", "pm list users")
    assert out.stdout == "Users:\n\tUserInfo{0:Owner:c13} running\n"


def test_pull_20mb_intact_and_missing_file(
    adb: Adb, connected: tuple[SimulatedPhone, str], tmp_path: Path
) -> None:
    phone, serial = connected
    target = tmp_path / "big.apk"
    out = adb("-s", serial, "pull", BIG_APK, str(target))
    assert out.returncode == 0, out
    data = target.read_bytes()
    assert len(data) == BIG_SIZE
    assert hashlib.sha256(data).hexdigest() == phone.profile.files[BIG_APK].content.digest("sha256")
    out = adb("-s", serial, "pull", "/data/app/missing.apk", str(tmp_path / "m.apk"))
    assert out.returncode != 0 and "does not exist" in out.stdout + out.stderr
    small = tmp_path / "notes.apk"
    assert adb("-s", serial, "pull", NOTES_APK, str(small)).returncode == 0
    assert small.read_bytes() == b"PK\x03\x04 fictional notes app, not a real apk\n"


def test_push_is_refused(adb: Adb, connected: tuple[SimulatedPhone, str], tmp_path: Path) -> None:
    _, serial = connected
    src = tmp_path / "f.txt"
    src.write_text("x")
    out = adb("-s", serial, "push", str(src), "/sdcard/f.txt")
    assert out.returncode != 0


def test_without_shell_v2_exit_codes_are_lost(adb: Adb, minimal_profile: Profile) -> None:
    spec = minimal_profile.spec
    assert spec is not None
    data = spec.model_dump(by_alias=True, exclude_none=True)
    data["banner"] = {"features": ["cmd"]}
    old = Profile.from_dict(data, base_dir=minimal_profile.base_dir)
    with SimulatedPhone(old) as phone:
        serial = phone.serial_tcp
        adb("connect", serial)
        assert _wait_for_state(adb, serial, "device") == "device"
        try:
            out = adb("-s", serial, "shell", "echo hi; echo oops >&2; exit 3")
        finally:
            adb("disconnect", serial)
        assert (out.returncode, out.stdout) == (0, "hi\noops\n")  # protocol v1: merged, no code
        assert phone.command_log.entries()[-1].kind == "shell"


def test_auth_new_key_accepted(adb: Adb, minimal_profile: Profile) -> None:
    prof = minimal_profile.with_changes(auth={"required": True, "accept_new_keys": True})
    with SimulatedPhone(prof) as phone:
        serial = phone.serial_tcp
        adb("connect", serial)  # may print "failed to authenticate": the prompt is showing
        try:
            assert _wait_for_state(adb, serial, "device") == "device"
            out = adb("-s", serial, "shell", "echo authed")
        finally:
            adb("disconnect", serial)
        assert out.stdout == "authed\n"
        assert "auth: new key accepted" in [text for _, _, text in phone.events]


def test_auth_refused_leaves_device_unauthorized(adb: Adb, minimal_profile: Profile) -> None:
    prof = minimal_profile.with_changes(auth={"required": True, "accept_new_keys": False})
    with SimulatedPhone(prof) as phone:
        serial = phone.serial_tcp
        adb("connect", serial)
        try:
            assert _wait_for_state(adb, serial, "unauthorized", limit_s=5) == "unauthorized"
            out = adb("-s", serial, "shell", "echo x", timeout=15)
        finally:
            adb("disconnect", serial)
        assert out.returncode != 0 and "unauthorized" in out.stderr
        assert phone.command_log.commands() == []


def test_shell_without_command_reads_stdin(adb: Adb, connected: tuple[SimulatedPhone, str]) -> None:
    phone, serial = connected
    out = adb("-s", serial, "shell", stdin="echo hi\ngetprop ro.product.model\nexit 4\n")
    assert (out.returncode, out.stdout) == (4, "hi\nPixel 7\n")
    assert phone.command_log.commands()[-2:] == ["getprop ro.product.model", "exit 4"]


def test_interactive_shell_in_a_terminal(adb: Adb, connected: tuple[SimulatedPhone, str]) -> None:
    import pexpect

    _, serial = connected
    child = pexpect.spawn("adb", ["-s", serial, "shell"], env=adb.env, timeout=10)
    try:
        child.expect_exact("panther:/ $ ")
        child.send("getprop ro.product.model\r")
        child.expect_exact("Pixel 7\r\n")
        child.expect_exact("panther:/ $ ")
        child.send("exit 3\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 3
