"""The USB transport: adb-shell's real UsbTransport and our UsbLink, over fake libusb objects
whose bulk transfers reach the simulated phone (no phone can be plugged into this machine)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

import pytest
import usb1
from devsupport import BIG_APK, BIG_SIZE, FakeUsbDevice, quick, usb_cable_backend

from stalkerscan.cli import main
from stalkerscan.device import connect
from stalkerscan.device.adbshell import AdbShellUsbTransport
from stalkerscan.device.connect import UsbLister, list_devices, open_transport
from stalkerscan.errors import (
    DeviceBusyError,
    DevicePermissionError,
    DeviceTimeoutError,
    DisconnectedError,
    MultipleDevicesError,
    UnauthorizedError,
)
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone

SERIAL = "SIMUSB0001"


@pytest.fixture
def cable(phone: SimulatedPhone) -> FakeUsbDevice:
    return FakeUsbDevice(phone.port)


def test_the_only_usb_phone_is_opened_and_used(
    cable: FakeUsbDevice, phone: SimulatedPhone, profile: Profile
) -> None:
    lister = UsbLister(usb_cable_backend({SERIAL: cable}))
    with open_transport(None, opts=quick(), listers=[lister]) as t:
        assert isinstance(t, AdbShellUsbTransport) and t.serial == SERIAL
        assert t.banner.model == "Testphone One"
        res = t.shell("which su", timeout=5)
        assert (res.stdout, res.exit_code) == (b"", 1)
        sink = io.BytesIO()
        assert t.pull(BIG_APK, sink, timeout=60) == BIG_SIZE
        assert hashlib.sha256(sink.getvalue()).hexdigest() == profile.files[BIG_APK].content.digest(
            "sha256"
        )
        assert t.stats.connections == 1 and t.stats.bytes_in >= BIG_SIZE
    assert cable.handles and not cable.handles[0].claimed  # the interface was released


def test_listing_probes_usb_phones_for_state_and_model(cable: FakeUsbDevice) -> None:
    rows = list_devices(listers=[UsbLister(usb_cable_backend({SERIAL: cable}))], opts=quick())
    assert [(r.serial, r.transport, r.state, r.model) for r in rows] == [
        (SERIAL, "usb", "device", "Testphone One")
    ]


def test_devices_command_shows_the_usb_phone(
    cable: FakeUsbDevice, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = usb_cable_backend({SERIAL: cable})
    monkeypatch.setattr(connect, "default_listers", lambda: [UsbLister(backend)])
    with pytest.raises(SystemExit) as done:
        main(["devices"])
    out = " ".join(capsys.readouterr().out.split())
    assert done.value.code == 0
    assert SERIAL in out and "usb" in out and "Testphone One" in out


def test_an_unauthorized_usb_phone_is_listed_as_such(profile: Profile) -> None:
    refusing = profile.with_changes(faults={"refuse_auth": True})
    with SimulatedPhone(refusing, port=0) as phone:
        backend = usb_cable_backend({SERIAL: FakeUsbDevice(phone.port)})
        rows = list_devices(listers=[UsbLister(backend)], opts=quick(auth_timeout=0.3))
        assert [(r.serial, r.state) for r in rows] == [(SERIAL, "unauthorized")]
        with pytest.raises(UnauthorizedError):
            open_transport(SERIAL, opts=quick(auth_timeout=0.3), listers=[UsbLister(backend)])


def test_two_usb_phones_need_a_serial(phone: SimulatedPhone) -> None:
    backend = usb_cable_backend(
        {"USB-A": FakeUsbDevice(phone.port), "USB-B": FakeUsbDevice(phone.port)}
    )
    with pytest.raises(MultipleDevicesError, match="USB-A, USB-B"):
        open_transport(None, opts=quick(), listers=[UsbLister(backend)])
    with open_transport("USB-B", opts=quick(), listers=[UsbLister(backend)]) as t:
        assert t.serial == "USB-B" and t.shell("getenforce", timeout=5).exit_code == 0


@pytest.mark.parametrize(
    ("device_kwargs", "error", "advice"),
    [
        ({"claim_error": usb1.USBErrorBusy()}, DeviceBusyError, "adb kill-server"),
        ({"open_error": usb1.USBErrorAccess()}, DevicePermissionError, "udev"),
    ],
    ids=["claimed-by-adb-server", "no-udev-permission"],
)
def test_libusb_errors_at_the_real_boundary(
    phone: SimulatedPhone,
    device_kwargs: dict[str, BaseException],
    error: type[Exception],
    advice: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = usb_cable_backend({SERIAL: FakeUsbDevice(phone.port, **device_kwargs)})
    with pytest.raises(error) as exc:
        open_transport(None, opts=quick(), listers=[UsbLister(backend)])
    assert advice in str(exc.value)
    monkeypatch.setattr(connect, "default_listers", lambda: [UsbLister(backend)])
    with pytest.raises(SystemExit) as done:
        main(["devices", "--serial", SERIAL])
    assert done.value.code == 3
    assert advice in " ".join(capsys.readouterr().err.split())


@pytest.fixture
def usb_transport(cable: FakeUsbDevice) -> Iterator[AdbShellUsbTransport]:
    lister = UsbLister(usb_cable_backend({SERIAL: cable}))
    t = open_transport(SERIAL, opts=quick(), listers=[lister])
    assert isinstance(t, AdbShellUsbTransport)
    with t:
        yield t


def test_pulled_cable_mid_command_is_disconnected(
    usb_transport: AdbShellUsbTransport, phone: SimulatedPhone
) -> None:
    phone.set_faults(drop_in_shell_after_bytes=100_000)
    sink = io.BytesIO()
    with pytest.raises(DisconnectedError):
        usb_transport.shell_to_file("dumpsys package", sink, timeout=10)
    assert len(sink.getvalue()) > 0
    phone.set_faults(drop_in_shell_after_bytes=None)
    assert usb_transport.shell("getenforce", timeout=5).exit_code == 0  # replugged: reconnects


def test_a_hanging_usb_command_times_out(
    usb_transport: AdbShellUsbTransport, phone: SimulatedPhone
) -> None:
    phone.set_faults(hang_on_command="dumpsys role")
    with pytest.raises(DeviceTimeoutError, match=r"within 0\.5 s"):
        usb_transport.shell("dumpsys role", timeout=0.5)
