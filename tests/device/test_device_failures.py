"""Every failure mode: its typed error, its message and hint, and exit code 3 at the CLI."""

from __future__ import annotations

import io
import os
import socket
import time
from pathlib import Path

import pytest
import usb1
from adb_shell import exceptions as adb_exc
from devsupport import BIG_APK, DUMP_SIZE, FakeAdbServer, fake_usb_backend, free_port, quick

from stalkerscan.cli import main
from stalkerscan.device import connect
from stalkerscan.device.adbserver import ServerAddress
from stalkerscan.device.base import DeviceInfo, Transport
from stalkerscan.device.connect import (
    AdbServerLister,
    ConnectOptions,
    DeviceLister,
    UsbLister,
    open_transport,
)
from stalkerscan.errors import (
    DeviceBusyError,
    DeviceError,
    DeviceOfflineError,
    DevicePermissionError,
    DeviceTimeoutError,
    DisconnectedError,
    ExitCode,
    MultipleDevicesError,
    NoDeviceError,
    UnauthorizedError,
)
from stalkerscan.simulator.server import SimulatedPhone


def flat(text: str) -> str:
    """Rich wraps lines at 80 columns; compare with whitespace collapsed."""
    return " ".join(text.split())


def cli_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    code = exit_info.value.code
    assert isinstance(code, int)
    return code, flat(capsys.readouterr().err)


# -- no device -------------------------------------------------------------------------------


def test_nothing_listening_is_no_device(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # bound and released: nothing listens there
    with pytest.raises(NoDeviceError) as exc:
        open_transport(f"127.0.0.1:{port}", opts=quick())
    assert f"Nothing answered at 127.0.0.1:{port}" in exc.value.message
    assert "wireless debugging" in (exc.value.hint or "")
    code, err = cli_error(["devices", "--serial", f"127.0.0.1:{port}"], capsys)
    assert code == ExitCode.DEVICE
    assert "Nothing answered" in err and "connection refused" in err


def test_no_usb_phone_is_no_device(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = fake_usb_backend([], None)
    monkeypatch.setattr(connect, "default_listers", lambda: [UsbLister(backend), AdbServerLister()])
    with pytest.raises(NoDeviceError) as exc:
        open_transport(None)
    assert "cable that carries data" in (exc.value.hint or "")
    assert "USB debugging is on" in (exc.value.hint or "")
    code, err = cli_error(["devices"], capsys)
    assert code == 3 and "No phone was found on USB" in err


def test_an_unknown_usb_serial_is_no_device(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = fake_usb_backend(["AAA111"], None)
    with pytest.raises(NoDeviceError, match="No phone with serial BBB222"):
        open_transport("BBB222", listers=[UsbLister(backend)])


# -- several devices -------------------------------------------------------------------------


class TwoPhones(DeviceLister):
    """A lister that sees two phones (a fake of the real lister base)."""

    transport = "usb"

    def __init__(self) -> None:
        self.opened: list[str] = []

    def list(self, opts: ConnectOptions, *, probe: bool) -> list[DeviceInfo]:
        return [DeviceInfo("PHONE-A", "device", "usb"), DeviceInfo("PHONE-B", "device", "usb")]

    def open(self, info: DeviceInfo, opts: ConnectOptions) -> Transport:
        self.opened.append(info.serial)
        raise AssertionError("must not open a phone when the choice is ambiguous")


def test_several_phones_need_a_serial() -> None:
    lister = TwoPhones()
    with pytest.raises(MultipleDevicesError) as exc:
        open_transport(None, listers=[lister])
    assert exc.value.serials == ["PHONE-A", "PHONE-B"]
    assert "PHONE-A, PHONE-B" in exc.value.message
    assert "--serial" in (exc.value.hint or "")
    assert exc.value.exit_code == 3
    assert lister.opened == []


def test_several_phones_through_the_adb_server() -> None:
    devices = "AAA device usb:1-1 model:Phone_A transport_id:1\nBBB device usb:1-2 transport_id:2\n"
    with FakeAdbServer(devices) as server:
        opts = ConnectOptions(server=ServerAddress("127.0.0.1", server.port))
        with pytest.raises(MultipleDevicesError, match="AAA, BBB"):
            open_transport(None, via="adb-server", opts=opts)


def test_the_same_phone_on_usb_and_on_the_server_is_one_phone() -> None:
    backend = fake_usb_backend(["SAME1"], usb1.USBErrorBusy())
    devices = "SAME1 device usb:1-1 model:Fictional_Phone transport_id:1\n"
    with FakeAdbServer(devices) as server:
        opts = ConnectOptions(server=ServerAddress("127.0.0.1", server.port))
        listers = [UsbLister(backend), AdbServerLister()]
        rows = connect.list_devices(listers=listers, opts=opts, probe=False)
        assert [(r.serial, r.transport, r.model) for r in rows] == [
            ("SAME1", "adb-server", "Fictional Phone")
        ]


# -- busy, permission ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        usb1.USBErrorBusy(),
        adb_exc.UsbReadFailedError("Could not receive data", usb1.USBErrorBusy()),
    ],
    ids=["claim-busy", "read-busy"],
)
def test_usb_held_by_another_adb_server_is_busy(
    error: BaseException, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = fake_usb_backend(["FAKEUSB1"], error)
    monkeypatch.setattr(connect, "default_listers", lambda: [UsbLister(backend), AdbServerLister()])
    with pytest.raises(DeviceBusyError) as exc:
        open_transport(None)
    assert "adb kill-server" in (exc.value.hint or "")
    assert "--via adb-server" in (exc.value.hint or "")
    code, err = cli_error(["devices", "--serial", "FAKEUSB1"], capsys)
    assert code == 3
    assert "in use by another program" in err and "adb kill-server" in err


def test_busy_usb_falls_back_to_the_server_that_holds_it() -> None:
    backend = fake_usb_backend(["HELD1"], usb1.USBErrorBusy())
    services = {
        "shell,v2,raw:getenforce": (
            b"\x01" + (10).to_bytes(4, "little") + b"Enforcing\n" + b"\x03\x01\x00\x00\x00\x00"
        )
    }
    with FakeAdbServer("HELD1 device usb:1-1 transport_id:4\n", services=services) as server:
        opts = ConnectOptions(server=ServerAddress("127.0.0.1", server.port))
        with open_transport(None, opts=opts, listers=[UsbLister(backend), AdbServerLister()]) as t:
            assert getattr(t, "via", None) == "adb-server"
            res = t.shell("getenforce", timeout=5)
    assert backend.opened == ["HELD1"]
    assert res.stdout == b"Enforcing\n" and res.exit_code == 0


def test_usb_without_permission(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = fake_usb_backend(["usb:1-1"], usb1.USBErrorAccess(), readable=False)
    monkeypatch.setattr(connect, "default_listers", lambda: [UsbLister(backend)])
    rows = connect.list_devices(listers=[UsbLister(backend)], probe=True)
    assert [(r.serial, r.state) for r in rows] == [("usb:1-1", "no permissions")]
    with pytest.raises(DevicePermissionError) as exc:
        open_transport("usb:1-1", listers=[UsbLister(backend)])
    assert "android-sdk-platform-tools-common" in (exc.value.hint or "")
    code, err = cli_error(["devices", "--serial", "usb:1-1"], capsys)
    assert code == 3 and "udev" in err


# -- unauthorized and offline, as the adb server reports them ---------------------------------


@pytest.mark.parametrize(
    ("devices", "fail", "error", "advice"),
    [
        ("OFF1 offline transport_id:1\n", {}, DeviceOfflineError, "Unplug the phone"),
        ("UNA1 unauthorized transport_id:1\n", {}, UnauthorizedError, "Allow USB debugging?"),
        # Listed as ready, then gone offline: adbutils raises AdbError("device offline").
        (
            "OFF1 device transport_id:1\n",
            {"host-serial:OFF1:features": "device offline"},
            DeviceOfflineError,
            "Unplug the phone",
        ),
        (
            "UNA1 device transport_id:1\n",
            {"host-serial:UNA1:features": "device unauthorized.\nThis adb server's keys..."},
            UnauthorizedError,
            "Always allow",
        ),
    ],
    ids=["listed-offline", "listed-unauthorized", "adbutils-offline", "adbutils-unauthorized"],
)
def test_server_states_become_typed_errors(
    devices: str,
    fail: dict[str, str],
    error: type[DeviceError],
    advice: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    serial = devices.split()[0]
    with FakeAdbServer(devices, fail=fail) as server:
        monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
        with pytest.raises(error) as exc:
            open_transport(serial, via="adb-server")
        assert advice in (exc.value.hint or "")
        code, err = cli_error(["devices", "--via", "adb-server", "--serial", serial], capsys)
    assert code == 3 and advice in err


def test_listing_shows_states_with_advice(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    devices = (
        "READY1 device usb:1-1 product:fict model:Fictional_One transport_id:1\n"
        "OFF2 offline usb:1-2 transport_id:2\n"
        "NOPERM3 no permissions (missing udev rules? user is in the plugdev group); see "
        "[http://developer.android.com/tools/device.html] usb:1-3\n"
    )
    with FakeAdbServer(devices) as server:
        monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
        with pytest.raises(SystemExit) as exit_info:
            main(["devices", "--via", "adb-server"])
    out = flat(capsys.readouterr().out)
    assert exit_info.value.code == 0
    assert "READY1" in out and "Fictional One" in out
    assert "OFF2" in out and "offline" in out and "Unplug the phone" in out
    assert "NOPERM3" in out and "no permissions" in out and "udev" in out


def test_adb_server_mode_without_a_server(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DeviceError, match="No adb server answers"):
        open_transport(None, via="adb-server")
    code, err = cli_error(["devices", "--via", "adb-server"], capsys)
    assert code == 3 and "adb start-server" in err


# -- over the simulated phone: never answers, drops, hangs, trickles -------------------------


def test_a_phone_that_never_answers_times_out(phone: SimulatedPhone) -> None:
    phone.set_faults(never_answer_cnxn=True)
    start = time.monotonic()
    with pytest.raises(DeviceTimeoutError) as exc:
        open_transport(phone.serial_tcp, opts=quick(timeout=0.5))
    assert time.monotonic() - start < 3
    assert "did not answer the connection request" in exc.value.message
    assert "Unlock it" in (exc.value.hint or "")
    assert exc.value.exit_code == ExitCode.DEVICE == 3


def test_drop_mid_command_is_disconnected(transport: Transport, phone: SimulatedPhone) -> None:
    phone.set_faults(drop_on_command="dumpsys package")
    with pytest.raises(DisconnectedError) as exc:
        transport.shell("dumpsys package", timeout=5)
    assert "was lost while running 'dumpsys package" in exc.value.message
    assert "already read has been kept" in (exc.value.hint or "")
    assert exc.value.exit_code == ExitCode.DEVICE == 3


def test_drop_mid_stream_keeps_the_partial_output(
    transport: Transport, phone: SimulatedPhone
) -> None:
    phone.set_faults(drop_in_shell_after_bytes=100_000)
    sink = io.BytesIO()
    with pytest.raises(DisconnectedError):
        transport.shell_to_file("dumpsys package", sink, timeout=10)
    assert 0 < len(sink.getvalue()) < DUMP_SIZE
    # The next command opens a new connection (partial results stay with the caller).
    assert transport.shell("getenforce", timeout=5).stdout == b"Enforcing\n"
    assert transport.stats.connections == 2


def test_drop_mid_pull_is_disconnected(transport: Transport, phone: SimulatedPhone) -> None:
    phone.set_faults(drop_in_sync_after_bytes=1_000_000)
    sink = io.BytesIO()
    with pytest.raises(DisconnectedError):
        transport.pull(BIG_APK, sink, timeout=10)
    assert len(sink.getvalue()) < 1_000_000


def test_drop_after_some_commands(transport: Transport, phone: SimulatedPhone) -> None:
    phone.set_faults(drop_after_commands=2)
    transport.shell("getenforce", timeout=5)
    transport.shell("getenforce", timeout=5)
    with pytest.raises(DisconnectedError):
        transport.shell("date +%s", timeout=5)


def test_a_hanging_command_times_out_and_the_next_one_runs(
    transport: Transport, phone: SimulatedPhone
) -> None:
    phone.set_faults(hang_on_command="dumpsys role")
    start = time.monotonic()
    with pytest.raises(DeviceTimeoutError) as exc:
        transport.shell("dumpsys role", timeout=0.5)
    took = time.monotonic() - start
    assert 0.4 < took < 3
    assert "did not answer to 'dumpsys role' within 0.5 s" in exc.value.message
    assert exc.value.exit_code == ExitCode.DEVICE == 3
    assert transport.shell("getenforce", timeout=5).exit_code == 0


def test_a_trickling_phone_cannot_stretch_the_time_limit(
    transport: Transport, phone: SimulatedPhone
) -> None:
    phone.set_faults(slow_bytes_per_s=200_000)
    start = time.monotonic()
    with pytest.raises(DeviceTimeoutError):
        transport.shell_to_file("dumpsys package", io.BytesIO(), timeout=0.5)
    assert time.monotonic() - start < 3


def test_socket_errors_are_mapped_in_one_place() -> None:
    from stalkerscan.device.failures import Ctx, translate

    ctx = Ctx(target="127.0.0.1:9", via="tcp", phase="command", what="getprop")
    assert isinstance(translate(ConnectionResetError(), ctx), DisconnectedError)
    assert isinstance(
        translate(socket.gaierror(-2, "Name or service not known"), ctx), NoDeviceError
    )
    assert isinstance(translate(TimeoutError(), ctx), DeviceTimeoutError)
    assert isinstance(translate(adb_exc.TcpTimeoutException("x"), ctx), DeviceTimeoutError)
    assert isinstance(translate(adb_exc.InvalidChecksumError("x"), ctx), DeviceError)
    usb = Ctx(target="ABC", via="usb", phase="command")
    gone = adb_exc.UsbReadFailedError("read", usb1.USBErrorNoDevice())
    assert isinstance(translate(gone, usb), DisconnectedError)
    assert isinstance(translate(usb1.USBErrorBusy(), usb), DeviceBusyError)
    assert isinstance(translate(usb1.USBErrorAccess(), usb), DevicePermissionError)
    usb.adb_server_running = True
    assert isinstance(translate(usb1.USBErrorAccess(), usb), DeviceBusyError)
    # A bug stays a bug: not every exception becomes a device error.
    assert translate(KeyError("x"), ctx) is None


class NoLibusb(DeviceLister):
    """A USB lister on a computer without libusb (its real error, raised at list time)."""

    transport = "usb"

    def list(self, opts: ConnectOptions, *, probe: bool) -> list[DeviceInfo]:
        raise DeviceError("USB support is not available on this computer.", "Install libusb.")

    def open(self, info: DeviceInfo, opts: ConnectOptions) -> Transport:
        raise AssertionError("nothing to open")


def test_a_failing_lister_does_not_hide_phones_another_one_sees() -> None:
    with FakeAdbServer("SRV1 device model:Fictional transport_id:1\n") as server:
        opts = ConnectOptions(server=ServerAddress("127.0.0.1", server.port))
        rows = connect.list_devices(listers=[NoLibusb(), AdbServerLister()], opts=opts)
    assert [r.serial for r in rows] == ["SRV1"]
    with pytest.raises(DeviceError, match="USB support is not available"):
        connect.list_devices(listers=[NoLibusb(), AdbServerLister()])


def test_the_adb_server_is_never_started_by_us(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adbutils.errors import AdbError

    from stalkerscan.device.adbserver import _client

    # A fake `adb` first on PATH records any attempt to start a server.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    called = tmp_path / "adb-was-run"
    fake_adb = bin_dir / "adb"
    fake_adb.write_text(f"#!/bin/sh\ntouch {called}\n")
    fake_adb.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("ADBUTILS_ADB_PATH", raising=False)
    address = ServerAddress("127.0.0.1", free_port())
    with pytest.raises(AdbError):
        _client(address).make_connection(timeout=1)
    assert not called.exists()


def test_a_phone_that_never_answers_exits_3_through_the_cli(
    phone: SimulatedPhone, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI's own time limit (10 s) shortened: the same mapping, message and exit code."""
    import dataclasses

    from stalkerscan.commands import _options

    real = _options.connect_options
    monkeypatch.setattr(
        _options,
        "connect_options",
        lambda **kw: dataclasses.replace(real(**kw), timeout=0.5),
    )
    phone.set_faults(never_answer_cnxn=True)
    code, err = cli_error(["devices", "--serial", phone.serial_tcp], capsys)
    assert code == ExitCode.DEVICE == 3
    assert "did not answer the connection request" in err and "Unlock it" in err


def test_a_phone_lost_mid_command_exits_3_through_the_cli(
    phone: SimulatedPhone, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lost during the first command, before anything was read (later: exit 4, tests/collect)."""
    phone.set_faults(drop_on_command="getprop")
    out = tmp_path / "acq"
    code, err = cli_error(["collect", "--serial", phone.serial_tcp, "--out", str(out)], capsys)
    assert code == ExitCode.DEVICE == 3
    assert "was lost while running" in err and "Check the cable" in err
