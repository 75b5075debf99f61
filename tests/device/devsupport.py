"""Constants and helpers the transport tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

from stalkerscan.device.connect import ConnectOptions

BIG_APK = "/data/app/~~Ymln==/org.example.big-QmlnQXBr==/base.apk"
SMALL_APK = "/data/app/~~c21hbGw==/org.example.small-U21hbGw==/base.apk"
UNREADABLE = "/data/local/tmp/private.txt"
BIG_SIZE = 20 * 1024 * 1024
DUMP_SIZE = 3 * 1024 * 1024 + 123  # not a multiple of any chunk size

PROFILE = {
    "schema": 1,
    "name": "device-tests",
    "description": "Fictional phone for the transport tests",
    "serial": "SIM-DEVTEST-1",
    "banner": {"features": ["shell_v2", "cmd"]},
    "properties": {
        "ro.product.name": "testphone",
        "ro.product.model": "Testphone One",
        "ro.product.device": "testphone",
    },
    "commands": {
        "getenforce": {"text": "Enforcing\n"},
        "getprop ro.product.model": {"text": "Testphone One\n"},
        "date +%s": {"text": "1763600000\n"},
        "pm list users": {"text": "Users:\n\tUserInfo{0:Owner:c13} running\n"},
        "dumpsys package": {"generate": {"size": DUMP_SIZE, "seed": 3, "text": True}},
        "dumpsys role": {"text": "Role Manager Service\n"},
        "settings list global": {
            "stderr": "cmd: Failure calling service settings: Broken pipe (32)\n",
            "exit": 255,
        },
    },
    "files": {
        BIG_APK: {"generate": {"size": BIG_SIZE, "seed": 7}},
        SMALL_APK: {"text": "small fictional apk\n"},
        UNREADABLE: {"text": "not for you\n", "readable": False},
    },
}


def free_port() -> int:
    """A port the OS picks, outside adb's ranges (5037 and the emulator ports 5555-5585)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port != 5037 and not 5555 <= port <= 5585:
            return port


def quick(**kw: float) -> ConnectOptions:
    """Connect options with short time limits (tests must not wait for a human)."""
    return ConnectOptions(
        timeout=kw.get("timeout", 3.0),
        auth_timeout=kw.get("auth_timeout", 1.0),
        idle_timeout=kw.get("idle_timeout", 3.0),
    )


# -- a fake host adb server: the real wire protocol of adb's host services, canned answers ----


def string_block(text: str | bytes) -> bytes:
    """adb's length-prefixed string: 4 hex digits, then the bytes."""
    data = text.encode() if isinstance(text, str) else text
    return b"%04x" % len(data) + data


def v2_packet(ident: int, data: bytes) -> bytes:
    """One shell protocol v2 packet."""
    return struct.pack("<BI", ident, len(data)) + data


class FakeAdbServer:
    """Answers adb host requests over a real socket (adbutils is the real client).

    `devices` is the `host:devices-l` text; `fail` maps a request to a FAIL message;
    `services` maps a device service (`shell,v2,raw:CMD`, ...) to the bytes sent after OKAY.
    """

    def __init__(
        self,
        devices: str,
        *,
        features: str = "shell_v2,cmd",
        fail: dict[str, str] | None = None,
        services: dict[str, bytes] | None = None,
    ) -> None:
        self.devices = devices
        self.features = features
        self.fail = fail or {}
        self.services = services or {}
        self.requests: list[str] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", free_port()))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop accepting (threads serving a connection end with it)."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()

    def __enter__(self) -> FakeAdbServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_request(conn: socket.socket) -> str | None:
        head = b""
        while len(head) < 4:
            chunk = conn.recv(4 - len(head))
            if not chunk:
                return None
            head += chunk
        size = int(head, 16)
        body = b""
        while len(body) < size:
            chunk = conn.recv(size - len(body))
            if not chunk:
                return None
            body += chunk
        return body.decode()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            while True:
                req = self._read_request(conn)
                if req is None:
                    return
                self.requests.append(req)
                if req in self.fail:
                    conn.sendall(b"FAIL" + string_block(self.fail[req]))
                    return
                if req == "host:version":
                    conn.sendall(b"OKAY" + string_block("0029"))
                    return
                if req == "host:devices-l":
                    conn.sendall(b"OKAY" + string_block(self.devices))
                    return
                if req.startswith("host-serial:") and req.endswith(":features"):
                    conn.sendall(b"OKAY" + string_block(self.features))
                    return
                if req.startswith("host:tport:serial:"):
                    conn.sendall(b"OKAY" + struct.pack("<Q", 1))
                    continue  # the next request on this socket is the device service
                if req in self.services:
                    conn.sendall(b"OKAY" + self.services[req])
                    return
                conn.sendall(b"FAIL" + string_block(f"unknown request {req}"))
                return


# -- a fake USB boundary: the real adb-shell/usb1 exceptions, raised where libusb would --------


def fake_usb_backend(serials: list[str], error: BaseException | None, *, readable: bool = True):  # type: ignore[no-untyped-def]
    """A UsbBackend subclass listing `serials`; opening one raises `error` in connect()."""
    from adb_shell.transport.base_transport import BaseTransport

    from stalkerscan.device.adbshell import UsbBackend, UsbCandidate

    class FakeUsbLink(BaseTransport):  # type: ignore[misc]
        def __init__(self, err: BaseException | None) -> None:
            self.err = err

        def connect(self, transport_timeout_s: float | None) -> None:
            if self.err is not None:
                raise self.err

        def close(self) -> None:
            pass

        def bulk_read(self, numbytes: int, transport_timeout_s: float | None) -> bytes:
            raise self.err or OSError("no fake device behind this link")

        def bulk_write(self, data: bytes, transport_timeout_s: float | None) -> int:
            raise self.err or OSError("no fake device behind this link")

    class FakeUsbBackend(UsbBackend):
        def __init__(self) -> None:
            self.opened: list[str] = []

        def candidates(self) -> list[UsbCandidate]:
            return [UsbCandidate(s, f"1-{i + 1}", readable) for i, s in enumerate(serials)]

        def open_link(self, candidate, stats, budget, idle):  # type: ignore[no-untyped-def]
            self.opened.append(candidate.serial)
            return FakeUsbLink(error)

    return FakeUsbBackend()


# -- a USB cable made of TCP: fake libusb objects in front of the simulated phone --------------
#
# adb-shell's real UsbTransport (and our UsbLink on top of it) drive these exactly as they
# drive python-libusb1's USBDevice / USBDeviceHandle: open, claimInterface, bulkRead/bulkWrite
# with millisecond timeouts, libusb errors. Behind them is a TCP socket to the simulated phone.


class _FakeEndpoint:
    def __init__(self, address: int) -> None:
        self._address = address

    def getAddress(self) -> int:
        return self._address

    def getMaxPacketSize(self) -> int:
        return 512


class FakeUsbSetting:
    """The ADB interface setting (class ff/42/01) with one IN and one OUT endpoint."""

    def iterEndpoints(self) -> list[_FakeEndpoint]:
        return [_FakeEndpoint(0x81), _FakeEndpoint(0x01)]

    def getNumber(self) -> int:
        return 0


class FakeUsbHandle:
    """An open USB device: bulk transfers go over a TCP socket to the phone."""

    def __init__(self, port: int, claim_error: BaseException | None) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port))
        self._claim_error = claim_error
        self.claimed = False

    def kernelDriverActive(self, n: int) -> bool:
        return False

    def claimInterface(self, n: int) -> None:
        if self._claim_error is not None:
            raise self._claim_error
        self.claimed = True

    def releaseInterface(self, n: int) -> None:
        self.claimed = False

    def close(self) -> None:
        self._sock.close()

    def bulkRead(self, endpoint: int, length: int, timeout: int = 0) -> bytes:
        import usb1

        self._sock.settimeout(timeout / 1000 if timeout else None)
        try:
            data = self._sock.recv(length)
        except TimeoutError:
            raise usb1.USBErrorTimeout() from None
        except OSError:
            raise usb1.USBErrorNoDevice() from None
        if not data:
            raise usb1.USBErrorNoDevice()  # the cable was pulled
        return data

    def bulkWrite(self, endpoint: int, data: bytes, timeout: int = 0) -> int:
        import usb1

        try:
            self._sock.sendall(data)
        except OSError:
            raise usb1.USBErrorNoDevice() from None
        return len(data)


class FakeUsbDevice:
    """A USB device as libusb lists it; opening it may fail like libusb does."""

    def __init__(
        self,
        port: int,
        *,
        open_error: BaseException | None = None,
        claim_error: BaseException | None = None,
    ) -> None:
        self.port = port
        self.open_error = open_error
        self.claim_error = claim_error
        self.handles: list[FakeUsbHandle] = []

    def getSerialNumber(self) -> str:
        return "FAKE-USB-SERIAL"

    def getBusNumber(self) -> int:
        return 1

    def getPortNumberList(self) -> list[int]:
        return [1]

    def open(self) -> FakeUsbHandle:
        if self.open_error is not None:
            raise self.open_error
        handle = FakeUsbHandle(self.port, self.claim_error)
        self.handles.append(handle)
        return handle


def usb_cable_backend(phones: dict[str, FakeUsbDevice]):  # type: ignore[no-untyped-def]
    """The real UsbBackend (and so the real USB link classes), with a fake bus of `phones`."""
    from stalkerscan.device.adbshell import UsbBackend, UsbCandidate

    class FakeBus(UsbBackend):
        def candidates(self) -> list[UsbCandidate]:
            return [
                UsbCandidate(serial, f"1-{i + 1}", dev.open_error is None, (dev, FakeUsbSetting()))
                for i, (serial, dev) in enumerate(phones.items())
            ]

    return FakeBus()
