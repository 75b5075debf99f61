"""The adb-server transport against Debian's own adb server, connected to the simulated phone.

Each test module run starts one adb server in an isolated HOME on a free port (never 5037 or
5555-5585) and kills it at teardown.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from devsupport import BIG_APK, BIG_SIZE, DUMP_SIZE, SMALL_APK, free_port

from stalkerscan.cli import main
from stalkerscan.device.adbserver import AdbServerTransport, ServerAddress
from stalkerscan.device.allowlist import check_command
from stalkerscan.device.connect import ConnectOptions, open_transport
from stalkerscan.errors import (
    DeviceTimeoutError,
    DisconnectedError,
    MultipleDevicesError,
    RemoteFileError,
    UnauthorizedError,
)
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone

pytestmark = pytest.mark.adb


@dataclass
class AdbServer:
    env: dict[str, str]
    port: int

    def adb(self, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["adb", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    @property
    def address(self) -> ServerAddress:
        return ServerAddress("127.0.0.1", self.port)

    def opts(self) -> ConnectOptions:
        return ConnectOptions(timeout=5, auth_timeout=1, idle_timeout=5, server=self.address)


@pytest.fixture(scope="module")
def adb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdbServer]:
    if shutil.which("adb") is None:
        pytest.skip("Debian's adb is not on PATH (apt-get install adb)")
    home = tmp_path_factory.mktemp("adb-home")
    port = free_port()
    env = {**os.environ, "HOME": str(home), "ANDROID_ADB_SERVER_PORT": str(port)}
    env.pop("ANDROID_SERIAL", None)
    server = AdbServer(env, port)
    started = server.adb("start-server")
    assert started.returncode == 0, started.stderr
    try:
        yield server
    finally:
        server.adb("kill-server")


def _attach(server: AdbServer, phone: SimulatedPhone, state: str = "device") -> None:
    out = server.adb("connect", phone.serial_tcp)
    assert out.returncode == 0, out.stdout + out.stderr
    if state == "device":
        waited = server.adb("-s", phone.serial_tcp, "wait-for-device", timeout=15)
        assert waited.returncode == 0, waited.stderr


@pytest.fixture
def server_phone(adb_server: AdbServer, profile: Profile) -> Iterator[SimulatedPhone]:
    with SimulatedPhone(profile, port=0) as phone:
        _attach(adb_server, phone)
        try:
            yield phone
        finally:
            adb_server.adb("disconnect", phone.serial_tcp)


@pytest.fixture
def via_server(adb_server: AdbServer, server_phone: SimulatedPhone) -> Iterator[AdbServerTransport]:
    t = open_transport(server_phone.serial_tcp, via="adb-server", opts=adb_server.opts())
    assert isinstance(t, AdbServerTransport)
    with t:
        yield t


@pytest.mark.parametrize(
    ("command", "stdout", "stderr", "exit_code"),
    [
        ("getenforce", b"Enforcing\n", b"", 0),
        ("which su", b"", b"", 1),
        (
            "settings list global",
            b"",
            b"cmd: Failure calling service settings: Broken pipe (32)\n",
            255,
        ),
    ],
)
def test_shell_v2_gives_real_exit_codes_and_separate_stderr(
    via_server: AdbServerTransport, command: str, stdout: bytes, stderr: bytes, exit_code: int
) -> None:
    assert via_server.features is not None and "shell_v2" in via_server.features
    res = via_server.shell(command, timeout=10)
    assert (res.stdout, res.stderr, res.exit_code) == (stdout, stderr, exit_code)


def test_unknown_command_is_127_with_its_message_on_stderr(via_server: AdbServerTransport) -> None:
    res = via_server.shell("dumpsys account", timeout=10)
    assert res.exit_code == 127 and b"not found" in res.stderr and res.stdout == b""


def test_pull_through_the_server_is_intact(
    via_server: AdbServerTransport, profile: Profile
) -> None:
    sink = io.BytesIO()
    assert via_server.pull(BIG_APK, sink, timeout=60) == BIG_SIZE
    assert hashlib.sha256(sink.getvalue()).hexdigest() == profile.files[BIG_APK].content.digest(
        "sha256"
    )
    st = via_server.stat(SMALL_APK, timeout=5)
    assert st is not None and st.size == len(b"small fictional apk\n")
    assert via_server.stat("/data/app/none/base.apk", timeout=5) is None
    with pytest.raises(RemoteFileError, match="does not exist"):
        via_server.pull("/data/app/none/base.apk", io.BytesIO(), timeout=5)


def test_streaming_and_truncation_through_the_server(
    via_server: AdbServerTransport, profile: Profile, tmp_path: Path
) -> None:
    expected = profile.commands["dumpsys package"].stdout
    assert expected is not None
    out = tmp_path / "pkg.txt"
    with out.open("wb") as sink:
        res = via_server.shell_to_file("dumpsys package", sink, timeout=30)
    assert res.size == DUMP_SIZE and res.exit_code == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == expected.digest("sha256")
    cut = via_server.shell("dumpsys package", timeout=30, max_bytes=5000)
    assert cut.truncated and cut.stdout == expected.read_all()[:5000]


def test_every_command_the_phone_saw_passes_the_allowlist(
    via_server: AdbServerTransport, server_phone: SimulatedPhone
) -> None:
    server_phone.command_log.clear()
    for command in ("getprop", "pm list users", "dumpsys role", "which su"):
        via_server.shell(command, timeout=10)
    shells = [e for e in server_phone.command_log.entries() if e.kind.startswith("shell")]
    assert [e.command for e in shells] == ["getprop", "pm list users", "dumpsys role", "which su"]
    for entry in shells:
        check_command(entry.command)


def test_hang_and_drop_through_the_server(
    via_server: AdbServerTransport, server_phone: SimulatedPhone
) -> None:
    server_phone.set_faults(hang_on_command="dumpsys role")
    with pytest.raises(DeviceTimeoutError):
        via_server.shell("dumpsys role", timeout=0.5)
    server_phone.set_faults(hang_on_command=None, drop_in_shell_after_bytes=50_000)
    sink = io.BytesIO()
    with pytest.raises(DisconnectedError):
        via_server.shell_to_file("dumpsys package", sink, timeout=10)
    # adb's server drops what it buffered when the device link dies, so the partial output
    # may be empty here (over adb-shell it is not: see test_device_failures.py).
    assert len(sink.getvalue()) < DUMP_SIZE


def test_auto_mode_uses_the_only_phone_the_server_holds(
    adb_server: AdbServer, server_phone: SimulatedPhone
) -> None:
    with open_transport(None, opts=adb_server.opts()) as t:
        assert getattr(t, "via", None) == "adb-server"
        assert t.shell("getenforce", timeout=5).stdout == b"Enforcing\n"


def test_two_phones_on_the_server_need_a_serial(
    adb_server: AdbServer, server_phone: SimulatedPhone, profile: Profile
) -> None:
    with SimulatedPhone(profile, port=0) as second:
        _attach(adb_server, second)
        try:
            with pytest.raises(MultipleDevicesError) as exc:
                open_transport(None, via="adb-server", opts=adb_server.opts())
            assert set(exc.value.serials) == {server_phone.serial_tcp, second.serial_tcp}
        finally:
            adb_server.adb("disconnect", second.serial_tcp)


def test_unauthorized_on_the_server(
    adb_server: AdbServer,
    profile: Profile,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with SimulatedPhone(profile.with_changes(faults={"refuse_auth": True}), port=0) as phone:
        _attach(adb_server, phone, state="unauthorized")
        try:
            with pytest.raises(UnauthorizedError):
                open_transport(phone.serial_tcp, via="adb-server", opts=adb_server.opts())
            monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(adb_server.port))
            with pytest.raises(SystemExit) as listed:
                main(["devices", "--via", "adb-server"])
            out = " ".join(capsys.readouterr().out.split())
            assert listed.value.code == 0
            assert phone.serial_tcp in out and "unauthorized" in out and "tap Allow" in out
            with pytest.raises(SystemExit) as named:
                main(["devices", "--via", "adb-server", "--serial", phone.serial_tcp])
            assert named.value.code == 3
            assert "Allow USB debugging?" in " ".join(capsys.readouterr().err.split())
        finally:
            adb_server.adb("disconnect", phone.serial_tcp)


def test_devices_lists_the_model_from_the_server(
    adb_server: AdbServer,
    server_phone: SimulatedPhone,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(adb_server.port))
    with pytest.raises(SystemExit) as done:
        main(["devices", "--json"])
    assert done.value.code == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert {
        "serial": server_phone.serial_tcp,
        "model": "Testphone One",
        "state": "device",
    }.items() <= {k: rows[0][k] for k in ("serial", "model", "state")}.items()
