"""Transports over adb-shell (pure-Python ADB): TCP (emulators, wireless debugging, the simulated
phone) and USB (libusb). The only module that imports adb_shell and usb1.

What adb-shell gives and what this module adds:

- adb-shell speaks shell protocol v1 only: no exit status, and stdout and stderr arrive merged
  on one stream. The exit status is recovered by appending `; echo <random marker>$?` to the
  command and stripping that last line; `ShellResult.stderr` is always empty here (what the
  command printed on stderr is in `stdout`).
- One connection per Transport, reused by every command. After a timeout, a drop or a protocol
  error the connection is closed and the next command opens a new one (counted in `stats`).
- A hard time budget per command (`timeout`), enforced in the socket/USB layer so a phone that
  trickles bytes cannot stretch it; an idle limit per read (`idle_timeout`).
- TCP_NODELAY: adb-shell writes header and payload in two send() calls; with Nagle's algorithm
  and a delayed-ACK peer that costs ~44 ms per command (see NOTES-ADB-APK.md).
- Bounds against a hostile phone: packets larger than the negotiated payload, sync chunks over
  64 KiB, and files larger than their STAT size stop the transfer (`wire.py`).

adb-shell's public API cannot stream a pull into a caller's sink, stop a shell at a byte limit,
or notice a service the phone refuses (it waits for a timeout), so this module drives its
stream primitives (`_io_manager`, `_read_until`, ...), pinned to adb-shell 0.4.x; the tests
over real sockets catch a change.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import adb_shell.constants as C
from adb_shell.adb_device import AdbDevice, _AdbIOManager
from adb_shell.adb_message import AdbMessage, checksum, unpack
from adb_shell.exceptions import InvalidChecksumError, InvalidCommandError, TcpTimeoutException
from adb_shell.hidden_helpers import _AdbTransactionInfo
from adb_shell.transport.base_transport import BaseTransport
from adb_shell.transport.tcp_transport import TcpTransport as _AdbShellTcp

from stalkerscan.device.base import RemoteStat, StreamResult, Transport, TransportStats
from stalkerscan.device.failures import Ctx, mapped
from stalkerscan.device.keys import HostKey
from stalkerscan.device.wire import (
    DeadlineExceeded,
    LimitedSink,
    LinkClosed,
    MarkerStripper,
    StreamReader,
    check_pullable,
    new_marker,
    read_file,
    read_stat_reply,
    sync_request,
    with_exit_marker,
)
from stalkerscan.errors import DeviceError, DeviceProtocolError, RemoteFileError

# The CNXN banner we send. adb-shell would send this computer's host name; a neutral word keeps
# the support service's machine name out of the phone's logs.
HOST_BANNER = "localhost"
BANNER_MAX = 4096
# Packets adb-shell parks for streams nobody reads (wrong ids). A real adbd leaves at most a
# few (late packets of a stream we closed early); a phone that floods them is refused.
PARKED_PACKETS_MAX = 256


@dataclass(frozen=True)
class Timeouts:
    """Time limits in seconds: open the link, wait for the user to tap Allow, idle per read."""

    connect: float = 10.0
    auth: float = 60.0
    idle: float = 30.0


@dataclass
class DeviceBanner:
    """What the phone said about itself in its CNXN banner."""

    kind: str = ""  # "device", "recovery", ...
    props: dict[str, str] = field(default_factory=dict)
    features: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, raw: bytes) -> DeviceBanner:
        """Parse `device::ro.product.name=..;ro.product.model=..;features=a,b` (NULs stripped)."""
        text = raw[:BANNER_MAX].rstrip(b"\x00").decode("utf-8", "replace")
        kind, _, rest = text.partition("::")
        props: dict[str, str] = {}
        features: frozenset[str] = frozenset()
        for item in rest.split(";"):
            key, sep, value = item.partition("=")
            if not sep:
                continue
            if key == "features":
                features = frozenset(f for f in value.split(",") if f)
            else:
                props[key] = value
        return cls(kind=kind, props=props, features=features)

    @property
    def model(self) -> str | None:
        """`ro.product.model` if the phone sent it."""
        return self.props.get("ro.product.model") or None


# -- the link layer: adb-shell's BaseTransport with a deadline, EOF detection and counters ---


class _Budget:
    """A per-operation deadline shared by the link and the transport."""

    def __init__(self) -> None:
        self.deadline: float | None = None

    def wait(self, idle: float | None) -> float | None:
        """How long one read may block: the idle limit, cut to what is left of the deadline."""
        if self.deadline is None:
            return idle
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded
        return left if idle is None else min(idle, left)

    def expired(self) -> bool:
        """True when the deadline has passed."""
        return self.deadline is not None and time.monotonic() >= self.deadline


class TcpLink(_AdbShellTcp):
    """adb-shell's TCP transport with TCP_NODELAY, a deadline, EOF detection and byte counters."""

    def __init__(self, host: str, port: int, stats: TransportStats, budget: _Budget) -> None:
        super().__init__(host, port)
        self.stats = stats
        self.budget = budget

    def connect(self, transport_timeout_s: float | None) -> None:
        """Open the socket (Nagle off, non-blocking: reads and writes wait in select)."""
        sock = socket.create_connection((self._host, self._port), timeout=transport_timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self._connection = sock
        self.stats.connections += 1

    def bulk_read(self, numbytes: int, transport_timeout_s: float | None) -> bytes:
        """Read up to `numbytes`; LinkClosed on EOF, DeadlineExceeded when the budget is spent."""
        conn = self._connection
        if conn is None:
            raise LinkClosed
        readable, _, _ = select.select([conn], [], [], self.budget.wait(transport_timeout_s))
        if not readable:
            if self.budget.expired():
                raise DeadlineExceeded
            raise TcpTimeoutException(f"no data from {self._host}:{self._port}")
        data: bytes = conn.recv(numbytes)
        if not data:
            raise LinkClosed
        self.stats.bytes_in += len(data)
        return data

    def bulk_write(self, data: bytes, transport_timeout_s: float | None) -> int:
        """Write all of `data` (adb-shell ignores short writes, so this loop must not)."""
        conn = self._connection
        if conn is None:
            raise LinkClosed
        view = memoryview(data)
        sent = 0
        while sent < len(view):
            _, writable, _ = select.select([], [conn], [], self.budget.wait(transport_timeout_s))
            if not writable:
                if self.budget.expired():
                    raise DeadlineExceeded
                raise TcpTimeoutException(f"cannot send to {self._host}:{self._port}")
            sent += conn.send(view[sent:])
        self.stats.bytes_out += sent
        return sent


class _GuardedIO(_AdbIOManager):
    """adb-shell's packet reader with a payload bound, and a copy of the CNXN banner."""

    def __init__(self, transport: BaseTransport) -> None:
        super().__init__(transport)
        self.banner = b""
        self.max_payload = C.MAX_ADB_DATA

    def _read_expected_packet_from_device(self, expected_cmds: Any, adb_info: Any) -> Any:
        cmd, arg0, arg1, data = super()._read_expected_packet_from_device(expected_cmds, adb_info)
        if cmd == C.CNXN:
            self.banner = bytes(data[:BANNER_MAX])
            # arg1 of the device's CNXN is its max payload; never accept more than we offered.
            self.max_payload = max(256, min(int(arg1), C.MAX_ADB_DATA))
        return cmd, arg0, arg1, data

    def _read_packet_from_device(self, adb_info: Any) -> Any:
        # Same as adb-shell's, plus a bound on the announced payload length: a hostile phone
        # could otherwise announce 4 GiB and have it buffered in memory.
        if self._parked() > PARKED_PACKETS_MAX:
            raise InvalidCommandError("too many packets for streams that are not open")
        msg = self._read_bytes_from_device(C.MESSAGE_SIZE, adb_info)
        cmd, arg0, arg1, data_length, data_checksum = unpack(msg)
        command = C.WIRE_TO_ID.get(cmd)
        if not command:
            raise InvalidCommandError(f"Unknown command: {cmd:#x}")
        if data_length > C.MAX_ADB_DATA:
            raise InvalidCommandError(f"payload of {data_length} bytes announced")
        if data_length == 0:
            return command, arg0, arg1, b""
        data = self._read_bytes_from_device(data_length, adb_info)
        if checksum(data) != data_checksum:
            raise InvalidChecksumError("payload checksum mismatch")
        return command, arg0, arg1, data

    def _parked(self) -> int:
        try:
            queues = self._packet_store._dict.values()
            return sum(q.qsize() for inner in queues for q in inner.values())
        except AttributeError:  # adb-shell changed its store; the time budget still bounds it
            return 0


class _ServiceRefused(Exception):
    """The phone answered OPEN with CLSE (service unknown or refused)."""


class _Stream:
    """One open ADB stream on an adb-shell connection (a shell or a sync session)."""

    def __init__(self, dev: AdbDevice, io_mgr: _GuardedIO, info: Any) -> None:
        self._dev = dev
        self._io = io_mgr
        self.info = info
        self.closed = False

    def read_some(self) -> bytes:
        """The next non-empty WRTE payload (acknowledged); b"" once the phone closed the stream."""
        while not self.closed:
            cmd, data = self._dev._read_until([C.CLSE, C.WRTE], self.info)
            if cmd == C.CLSE:
                self.closed = True
                self._io.send(
                    AdbMessage(C.CLSE, self.info.local_id, self.info.remote_id), self.info
                )
                return b""
            if data:
                return bytes(data)
        return b""

    def write(self, data: bytes) -> None:
        """Send one WRTE and wait for its OKAY (one packet in flight, as adbd expects)."""
        self._io.send(AdbMessage(C.WRTE, self.info.local_id, self.info.remote_id, data), self.info)
        cmd, _ = self._dev._read_until([C.OKAY, C.CLSE], self.info)
        if cmd == C.CLSE:
            self.closed = True
            raise LinkClosed

    def close(self) -> None:
        """Close our side and wait for the phone's CLSE (its in-flight data is dropped)."""
        if self.closed:
            return
        self.closed = True
        self._io.send(AdbMessage(C.CLSE, self.info.local_id, self.info.remote_id), self.info)
        self._dev._read_until([C.CLSE], self.info)


# -- the transport ---------------------------------------------------------------------------


class AdbShellTransport(Transport):
    """A Transport over one adb-shell connection; subclasses say how to open the link."""

    via = "adb-shell"

    def __init__(
        self,
        serial: str,
        *,
        key: HostKey,
        timeouts: Timeouts | None = None,
        on_auth_prompt: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(serial)
        self.key = key
        self.timeouts = timeouts or Timeouts()
        self.on_auth_prompt = on_auth_prompt
        self.banner = DeviceBanner()
        self._budget = _Budget()
        self._dev: AdbDevice | None = None
        self._io: _GuardedIO | None = None

    # -- what a subclass provides -------------------------------------------------------------

    def _make_link(self) -> BaseTransport:
        raise NotImplementedError

    # -- connection ----------------------------------------------------------------------------

    @property
    def max_payload(self) -> int | None:
        """The max payload the phone's CNXN negotiated; None before the first connection."""
        return self._io.max_payload if self._io is not None else None

    @property
    def connected(self) -> bool:
        """True while a connection is open."""
        return self._dev is not None

    def connect(self) -> None:
        """Open the connection now (CNXN, AUTH with the host key); raises a DeviceError."""
        if self._dev is not None:
            return
        t = self.timeouts
        ctx = Ctx(target=self.serial, via=self.via, phase="connect", timeout=t.connect)
        with mapped(ctx):
            link = self._make_link()
        dev = AdbDevice(link, default_transport_timeout_s=t.idle, banner=HOST_BANNER)
        io_mgr = _GuardedIO(link)
        dev._io_manager = io_mgr  # our reader: payload bound and banner capture

        def prompt_shown(_: object) -> None:
            # adb-shell calls this just before it sends the public key: the phone now shows
            # "Allow USB debugging?" and the user needs time to unlock it and tap Allow.
            ctx.awaiting_user = True
            ctx.timeout = t.auth
            self._budget.deadline = time.monotonic() + t.auth
            if self.on_auth_prompt is not None:
                self.on_auth_prompt()

        self._budget.deadline = time.monotonic() + t.connect
        try:
            with mapped(ctx):
                dev.connect(
                    rsa_keys=[self.key],
                    transport_timeout_s=t.connect,
                    auth_timeout_s=t.auth,
                    read_timeout_s=t.connect,
                    auth_callback=prompt_shown,
                )
        except BaseException:
            self._safe_close_link(dev)
            raise
        finally:
            self._budget.deadline = None
        self.banner = DeviceBanner.parse(io_mgr.banner)
        self._dev, self._io = dev, io_mgr

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        dev, self._dev, self._io = self._dev, None, None
        if dev is not None:
            self._safe_close_link(dev)

    @staticmethod
    def _safe_close_link(dev: AdbDevice) -> None:
        with contextlib.suppress(Exception):  # closing a broken link may fail; nothing to say
            dev.close()

    # -- one operation -------------------------------------------------------------------------

    def _operate(
        self, phase: str, what: str, timeout: float, body: Callable[[_Budget], Any]
    ) -> Any:
        """Run `body` under the deadline; map failures; drop the link unless only a file failed."""
        self.connect()
        ctx = Ctx(target=self.serial, via=self.via, phase=phase, what=what, timeout=timeout)
        self._budget.deadline = time.monotonic() + timeout
        try:
            with mapped(ctx):
                return body(self._budget)
        except RemoteFileError:
            raise
        except BaseException:  # a failure, a bug or Ctrl-C mid-stream: the link's state is unknown
            self.close()  # the next command reconnects
            raise
        finally:
            self._budget.deadline = None

    def _open(self, destination: bytes, timeout: float) -> _Stream:
        dev, io_mgr = self._dev, self._io
        assert dev is not None and io_mgr is not None
        with dev._local_id_lock:
            dev._local_id = dev._local_id + 1 if dev._local_id < 2**31 else 1
            local_id = dev._local_id
        info = _AdbTransactionInfo(
            local_id, None, min(self.timeouts.idle, timeout), timeout, timeout
        )
        io_mgr.send(AdbMessage(C.OPEN, local_id, 0, destination + b"\0"), info)
        cmd, remote_id, _, _ = io_mgr.read([C.OKAY, C.CLSE], info)
        if cmd == C.CLSE:
            raise _ServiceRefused(destination.split(b":", 1)[0].decode("ascii", "replace"))
        info.remote_id = remote_id
        return _Stream(dev, io_mgr, info)

    def _close_quietly(self, stream: _Stream) -> None:
        """Close a stream after an early stop; a phone that does not answer costs the link."""
        try:
            stream.close()
        except Exception:
            self.close()

    # -- shell -----------------------------------------------------------------------------------

    def _run_shell(
        self, command: str, on_data: Callable[[bytes], None], timeout: float, sink: LimitedSink
    ) -> tuple[int | None, float]:
        start = time.monotonic()
        marker = new_marker()
        stripper = MarkerStripper(marker, on_data)

        def body(_: _Budget) -> int | None:
            try:
                stream = self._open(b"shell:" + with_exit_marker(command, marker).encode(), timeout)
            except _ServiceRefused as err:
                raise DeviceProtocolError(
                    f"The phone {self.serial} refused to open a shell ({err}).",
                    "Unplug and replug the phone, then try again.",
                ) from err
            try:
                while True:
                    data = stream.read_some()
                    if not data:
                        break
                    stripper.feed(data)
                    if sink.full:
                        self._close_quietly(stream)
                        return None
            except BaseException:
                stripper.flush_unparsed()  # partial output is kept for the caller
                raise
            code = stripper.finish()
            if code is None:
                raise LinkClosed  # the shell ended before its last echo: the session was cut
            return code

        exit_code = self._operate("command", command, timeout, body)
        return exit_code, time.monotonic() - start

    def _shell_to_file(
        self, command: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> StreamResult:
        limited = LimitedSink(sink.write, max_bytes)
        exit_code, took = self._run_shell(command, limited, timeout, limited)
        return StreamResult(
            size=limited.size,
            stderr=b"",
            exit_code=exit_code,
            truncated=limited.truncated,
            duration_s=took,
        )

    # -- sync ----------------------------------------------------------------------------------

    def _open_sync(self, timeout: float) -> _Stream:
        try:
            return self._open(b"sync:", timeout)
        except _ServiceRefused as err:
            raise DeviceProtocolError(
                f"The phone {self.serial} refused the file service.",
                "Unplug and replug the phone, then try again.",
            ) from err

    def _pull(
        self, remote_path: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> int:
        def body(_: _Budget) -> int:
            stream = self._open_sync(timeout)
            try:
                reader = StreamReader(stream.read_some)
                stream.write(sync_request(b"STAT", remote_path))
                st = read_stat_reply(reader)
                check_pullable(remote_path, st.mode, st.size, max_bytes)
                stream.write(sync_request(b"RECV", remote_path))
                return read_file(
                    reader,
                    sink,
                    remote_path=remote_path,
                    announced_size=st.size,
                    max_bytes=max_bytes,
                )
            finally:
                if not stream.closed:
                    self._close_quietly(stream)

        n: int = self._operate("pull", remote_path, timeout, body)
        return n

    def _stat(self, remote_path: str, *, timeout: float) -> RemoteStat | None:
        def body(_: _Budget) -> RemoteStat | None:
            stream = self._open_sync(timeout)
            try:
                stream.write(sync_request(b"STAT", remote_path))
                st = read_stat_reply(StreamReader(stream.read_some))
            finally:
                if not stream.closed:
                    self._close_quietly(stream)
            if st.mode == 0 and st.size == 0 and st.mtime == 0:
                return None
            return RemoteStat(mode=st.mode, size=st.size, mtime=st.mtime)

        result: RemoteStat | None = self._operate("pull", remote_path, timeout, body)
        return result


class AdbShellTcpTransport(AdbShellTransport):
    """adb-shell over TCP: `HOST:PORT` (emulator, wireless debugging, the simulated phone)."""

    via = "tcp"

    def __init__(self, host: str, port: int, **kwargs: Any) -> None:
        super().__init__(f"{host}:{port}", **kwargs)
        self.host = host
        self.port = port

    def _make_link(self) -> BaseTransport:
        return TcpLink(self.host, self.port, self.stats, self._budget)


# -- USB ---------------------------------------------------------------------------------------


@dataclass
class UsbCandidate:
    """One USB device that offers an ADB interface."""

    serial: str  # the USB serial number, or "usb:BUS-PORTS" when it cannot be read
    port_path: str
    readable: bool  # False: libusb may not open it (missing udev rule)
    handle: Any = None  # backend-specific (usb1 device and interface setting)


class UsbBackend:
    """Finds ADB interfaces with libusb and opens links to them (tests substitute a subclass)."""

    def candidates(self) -> list[UsbCandidate]:
        """Every attached USB device with an ADB interface (class ff, subclass 42, protocol 1)."""
        try:
            import usb1
            from adb_shell.transport.usb_transport import UsbTransport, interface_matcher
        except (ImportError, OSError) as err:  # libusb-1.0 itself is missing or unloadable
            raise DeviceError(
                f"USB support is not available on this computer ({err}).",
                "Install libusb (on Debian or Ubuntu: `apt-get install libusb-1.0-0`), or go "
                "through an adb server with --via adb-server.",
            ) from err

        matcher = interface_matcher(C.CLASS, C.SUBCLASS, C.PROTOCOL)
        found: list[UsbCandidate] = []
        for device in UsbTransport.USB1_CTX.getDeviceIterator(skip_on_error=True):
            setting = matcher(device)
            if setting is None:
                continue
            ports = [device.getBusNumber(), *device.getPortNumberList()]
            port_path = "-".join(str(p) for p in ports)
            try:
                serial = device.getSerialNumber() or f"usb:{port_path}"
                readable = True
            except usb1.USBError:
                serial, readable = f"usb:{port_path}", False
            found.append(UsbCandidate(serial, port_path, readable, (device, setting)))
        return found

    def open_link(
        self, candidate: UsbCandidate, stats: TransportStats, budget: _Budget, idle: float
    ) -> BaseTransport:
        """A link to one candidate; libusb errors (busy, access) surface on connect."""
        device, setting = candidate.handle
        return _usb_link_class()(device, setting, stats, budget, candidate.serial, idle)


def _usb_link_class() -> type:
    from adb_shell.exceptions import UsbReadFailedError
    from adb_shell.transport.usb_transport import UsbTransport

    class UsbLink(UsbTransport):
        """adb-shell's USB transport with the command deadline and byte counters."""

        def __init__(
            self,
            device: Any,
            setting: Any,
            stats: TransportStats,
            budget: _Budget,
            usb_info: str,
            idle: float,
        ) -> None:
            super().__init__(device, setting, usb_info=usb_info, default_transport_timeout_s=idle)
            self.stats = stats
            self.budget = budget

        def connect(self, transport_timeout_s: float | None = None) -> None:
            super().connect(transport_timeout_s)
            self.stats.connections += 1

        def bulk_read(self, numbytes: int, transport_timeout_s: float | None = None) -> bytes:
            try:
                data: bytes = super().bulk_read(numbytes, self.budget.wait(transport_timeout_s))
            except UsbReadFailedError:
                if self.budget.expired():
                    raise DeadlineExceeded from None
                raise
            self.stats.bytes_in += len(data)
            return data

        def bulk_write(self, data: bytes, transport_timeout_s: float | None = None) -> int:
            n: int = super().bulk_write(data, self.budget.wait(transport_timeout_s))
            self.stats.bytes_out += n
            return n

    return UsbLink


class AdbShellUsbTransport(AdbShellTransport):
    """adb-shell over USB (libusb), without an adb server."""

    via = "usb"

    def __init__(self, candidate: UsbCandidate, backend: UsbBackend, **kwargs: Any) -> None:
        super().__init__(candidate.serial, **kwargs)
        self.candidate = candidate
        self.backend = backend

    def _make_link(self) -> BaseTransport:
        return self.backend.open_link(self.candidate, self.stats, self._budget, self.timeouts.idle)
