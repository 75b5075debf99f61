"""The adb-shell TCP transport against the simulated phone, over a real socket."""

from __future__ import annotations

import hashlib
import io
import socket
from pathlib import Path

import pytest
from devsupport import BIG_APK, BIG_SIZE, DUMP_SIZE, SMALL_APK, UNREADABLE, quick

from stalkerscan.device.adbshell import AdbShellTcpTransport
from stalkerscan.device.connect import open_transport
from stalkerscan.errors import RemoteFileError
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone


def test_open_gives_a_connected_tcp_transport_with_the_banner(
    transport: AdbShellTcpTransport, phone: SimulatedPhone
) -> None:
    assert isinstance(transport, AdbShellTcpTransport)
    assert transport.serial == phone.serial_tcp
    assert transport.banner.model == "Testphone One"
    assert "shell_v2" in transport.banner.features


@pytest.mark.parametrize(
    ("command", "stdout", "exit_code"),
    [
        ("getenforce", b"Enforcing\n", 0),
        ("which su", b"", 1),
        # Not in the profile: the phone's shell says "not found", status 127.
        ("dumpsys account", None, 127),
        # stderr arrives merged into stdout on shell protocol v1.
        ("settings list global", b"cmd: Failure calling service settings: Broken pipe (32)\n", 255),
    ],
)
def test_shell_returns_output_and_the_real_exit_code(
    transport: AdbShellTcpTransport, command: str, stdout: bytes | None, exit_code: int
) -> None:
    res = transport.shell(command, timeout=5)
    assert res.exit_code == exit_code
    assert res.stderr == b""
    assert not res.truncated
    if stdout is not None:
        assert res.stdout == stdout
    else:
        assert b"not found" in res.stdout
    # The marker line is never part of the output.
    assert b"SSX" not in res.stdout


def test_exit_code_of_a_compound_command(transport: AdbShellTcpTransport) -> None:
    res = transport.shell("which su || echo absent", timeout=5)
    assert res.stdout == b"absent\n"
    assert res.exit_code == 0


def test_shell_stops_at_max_bytes(transport: AdbShellTcpTransport, profile: Profile) -> None:
    res = transport.shell("dumpsys package", timeout=10, max_bytes=1000)
    expected = profile.commands["dumpsys package"].stdout
    assert expected is not None
    assert res.truncated
    assert res.exit_code is None  # the marker was never read
    assert res.stdout == expected.read_all()[:1000]
    # The connection is still good after the early close.
    assert transport.shell("getenforce", timeout=5).stdout == b"Enforcing\n"


def test_large_output_streams_to_a_file_intact(
    transport: AdbShellTcpTransport, profile: Profile, tmp_path: Path
) -> None:
    out = tmp_path / "dumpsys_package.txt"
    with out.open("wb") as sink:
        res = transport.shell_to_file("dumpsys package", sink, timeout=30)
    expected = profile.commands["dumpsys package"].stdout
    assert expected is not None
    assert res.size == DUMP_SIZE == out.stat().st_size
    assert res.exit_code == 0 and not res.truncated
    assert hashlib.sha256(out.read_bytes()).hexdigest() == expected.digest("sha256")


def test_streamed_output_is_cut_at_max_bytes(
    transport: AdbShellTcpTransport, profile: Profile, tmp_path: Path
) -> None:
    out = tmp_path / "cut.txt"
    with out.open("wb") as sink:
        res = transport.shell_to_file("dumpsys package", sink, timeout=30, max_bytes=200_000)
    expected = profile.commands["dumpsys package"].stdout
    assert expected is not None
    assert res.truncated and res.size == 200_000
    assert out.read_bytes() == expected.read_all()[:200_000]
    assert transport.shell("getenforce", timeout=5).exit_code == 0


def test_pull_of_20_mb_is_intact(transport: AdbShellTcpTransport, profile: Profile) -> None:
    sink = io.BytesIO()
    n = transport.pull(BIG_APK, sink, timeout=60)
    assert n == BIG_SIZE == len(sink.getvalue())
    assert hashlib.sha256(sink.getvalue()).hexdigest() == profile.files[BIG_APK].content.digest(
        "sha256"
    )
    assert transport.stats.bytes_in >= BIG_SIZE


def test_pull_of_a_missing_file_is_a_clear_error(transport: AdbShellTcpTransport) -> None:
    sink = io.BytesIO()
    with pytest.raises(RemoteFileError, match="does not exist") as exc:
        transport.pull("/data/app/nothing-here/base.apk", sink, timeout=5)
    assert "/data/app/nothing-here/base.apk" in exc.value.message
    assert sink.getvalue() == b""
    # Only the file failed: the same connection goes on.
    assert transport.shell("getenforce", timeout=5).exit_code == 0
    assert transport.stats.connections == 1


def test_pull_of_an_unreadable_file_says_why(transport: AdbShellTcpTransport) -> None:
    with pytest.raises(RemoteFileError, match="Permission denied"):
        transport.pull(UNREADABLE, io.BytesIO(), timeout=5)


def test_pull_over_the_limit_copies_nothing(transport: AdbShellTcpTransport) -> None:
    sink = io.BytesIO()
    with pytest.raises(RemoteFileError, match="over the 1000-byte limit"):
        transport.pull(BIG_APK, sink, timeout=5, max_bytes=1000)
    assert sink.getvalue() == b""


def test_stat(transport: AdbShellTcpTransport) -> None:
    st = transport.stat(SMALL_APK, timeout=5)
    assert st is not None and st.size == len(b"small fictional apk\n")
    assert transport.stat("/data/app/none/base.apk", timeout=5) is None


def test_one_connection_serves_every_command(
    transport: AdbShellTcpTransport, phone: SimulatedPhone
) -> None:
    for _ in range(20):
        transport.shell("getenforce", timeout=5)
    transport.stat(SMALL_APK, timeout=5)
    transport.pull(SMALL_APK, io.BytesIO(), timeout=5)
    assert transport.stats.connections == 1
    assert transport.stats.shell_sessions == 20 and transport.stats.sync_sessions == 2
    assert phone.stats.snapshot()["connections"] == 1


def test_nagle_is_off(transport: AdbShellTcpTransport) -> None:
    # Without TCP_NODELAY every command costs ~44 ms against a delayed-ACK peer.
    sock = transport._dev._io_manager._transport._connection  # type: ignore[union-attr]
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_close_is_idempotent_and_a_closed_transport_reconnects(phone: SimulatedPhone) -> None:
    t = open_transport(phone.serial_tcp, opts=quick())
    t.close()
    t.close()
    assert t.shell("getenforce", timeout=5).exit_code == 0
    assert t.stats.connections == 2
    t.close()


def test_max_payload_is_what_the_phone_negotiated(profile: Profile) -> None:
    """An old phone offers 4 KiB in its CNXN; batching reads it through the public property."""
    old_phone = profile.with_changes(link={"max_payload": 4096})
    with SimulatedPhone(old_phone, port=0) as phone:
        with open_transport(phone.serial_tcp, opts=quick()) as t:
            assert t.max_payload == 4096
        # Closed: the transport no longer knows.
        assert t.max_payload is None
    with (
        SimulatedPhone(profile, port=0) as phone,
        open_transport(phone.serial_tcp, opts=quick()) as t,
    ):
        assert t.max_payload == 1024 * 1024
