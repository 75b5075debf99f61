"""A Transport through the host's adb server (for machines where a running adb server already
owns the USB phone). The only module that imports adbutils.

adbutils opens the connection to the server and selects the device (`host:tport:serial:`); the
service bytes that follow (shell v2 framing, sync) are parsed here, by `wire.py`, because
adbutils' helpers buffer whole outputs in memory and have no byte limit or deadline.

Each command is one socket to the server (that is the adb server protocol); the server keeps
one link to the phone. `stats.connections` counts those server sockets.

Never let adbutils reach a server that is not running: its connection helper then runs
`adb start-server`, and a freshly started server grabs every USB phone. `server_running()`
is checked first.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from stalkerscan.device.base import DeviceInfo, RemoteStat, StreamResult, Transport
from stalkerscan.device.failures import (
    HINT_NO_SERVER,
    Ctx,
    mapped,
    no_device,
    server_state_error,
)
from stalkerscan.device.wire import (
    DeadlineExceeded,
    LimitedSink,
    LinkClosed,
    MarkerStripper,
    StreamReader,
    check_pullable,
    new_marker,
    read_file,
    read_shell_v2,
    read_stat_reply,
    sync_quit,
    sync_request,
    with_exit_marker,
)
from stalkerscan.errors import DeviceError

DEFAULT_SERVER_PORT = 5037
# adb server device states -> the failure kinds of `failures.server_state_error`.
STATE_KINDS = {
    "unauthorized": "unauthorized",
    "authorizing": "unauthorized",
    "offline": "offline",
    "connecting": "offline",
    "no permissions": "permission",
}


@dataclass(frozen=True)
class ServerAddress:
    """Where the adb server listens (`ANDROID_ADB_SERVER_HOST` / `ANDROID_ADB_SERVER_PORT`)."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_SERVER_PORT

    @classmethod
    def from_env(cls) -> ServerAddress:
        """The address adb itself would use, from the environment."""
        host = os.environ.get("ANDROID_ADB_SERVER_HOST") or "127.0.0.1"
        try:
            port = int(os.environ.get("ANDROID_ADB_SERVER_PORT") or DEFAULT_SERVER_PORT)
        except ValueError:
            port = DEFAULT_SERVER_PORT
        return cls(host, port)


def server_running(address: ServerAddress | None = None, timeout: float = 0.3) -> bool:
    """True when something accepts connections at the adb server's address (never starts one)."""
    address = address or ServerAddress.from_env()
    try:
        with socket.create_connection((address.host, address.port), timeout=timeout):
            return True
    except OSError:
        return False


def require_server(address: ServerAddress) -> None:
    """Raise a DeviceError with the fix when no adb server is running."""
    if not server_running(address):
        raise DeviceError(
            f"No adb server answers at {address.host}:{address.port}.", HINT_NO_SERVER
        )


def _client(address: ServerAddress) -> Any:
    """An adbutils client that never starts a server (adbutils would run `adb start-server`
    when the server is gone, and a fresh server grabs every USB phone)."""
    import adbutils
    from adbutils.errors import AdbConnectionError

    class _NoStartConnection(adbutils.AdbConnection):
        def _safe_connect(self) -> Any:
            return self._create_socket()  # AdbConnectionError / AdbTimeout, never a new server

    class _NoStartClient(adbutils.AdbClient):
        def make_connection(self, timeout: float | None = None) -> Any:
            try:
                conn = _NoStartConnection(self.host, self.port)
            except TimeoutError as err:
                raise AdbConnectionError("connect to adb server timeout") from err
            if timeout:
                conn.conn.settimeout(timeout)
            return conn

    return _NoStartClient(host=address.host, port=address.port, socket_timeout=10)


def parse_devices_l(output: str) -> list[DeviceInfo]:
    """Parse `host:devices-l` output: `SERIAL STATE [usb:..] product:.. model:.. transport_id:..`.

    A device without udev permissions is listed as `no permissions (explanation...); see [URL]`,
    a state with spaces; it is recognised before the generic split.
    """
    devices: list[DeviceInfo] = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        serial, rest = parts[0], line.split(None, 1)[1]
        if rest.startswith("no permissions"):
            state = "no permissions"
            tags = [t for t in parts[2:] if ":" in t and not t.startswith(("[", "(", "http"))]
        else:
            state = parts[1]
            tags = parts[2:]
        details: dict[str, str] = {}
        for tag in tags:
            key, sep, value = tag.partition(":")
            if sep and key in ("usb", "product", "model", "device", "transport_id"):
                details[key] = value
        model = details.get("model", "").replace("_", " ") or None
        devices.append(
            DeviceInfo(
                serial=serial, state=state, transport="adb-server", model=model, details=details
            )
        )
    return devices


def list_server_devices(address: ServerAddress | None = None) -> list[DeviceInfo]:
    """Phones the adb server knows, with their state; [] when no server is running."""
    address = address or ServerAddress.from_env()
    if not server_running(address):
        return []
    ctx = Ctx(target=f"adb server {address.host}:{address.port}", via="adb-server", phase="list")
    with mapped(ctx):
        client = _client(address)
        with client.make_connection(timeout=10) as c:
            c.send_command("host:devices-l")
            c.check_okay()
            return parse_devices_l(c.read_string_block())


class AdbServerTransport(Transport):
    """Shell and sync through the host adb server (shell v2 when the phone offers it)."""

    via = "adb-server"

    def __init__(
        self, serial: str, *, address: ServerAddress | None = None, idle_timeout: float = 30.0
    ) -> None:
        super().__init__(serial)
        self.address = address or ServerAddress.from_env()
        self.idle_timeout = idle_timeout
        self.features: frozenset[str] | None = None
        self.model: str | None = None
        self._device: Any = None

    def connect(self, timeout: float = 10.0) -> None:
        """Check the server and the phone's state, and read its features; raises a DeviceError."""
        require_server(self.address)
        ctx = Ctx(target=self.serial, via="adb-server", phase="connect", timeout=timeout)
        known = {d.serial: d for d in list_server_devices(self.address)}
        info = known.get(self.serial)
        if info is None:
            raise no_device(ctx, "the adb server does not list it")
        if info.state != "device":
            raise server_state_error(STATE_KINDS.get(info.state, "offline"), ctx, info.state)
        self.model = info.model
        with mapped(ctx):
            client = _client(self.address)
            self._device = client.device(serial=self.serial)
            self.features = frozenset(f for f in self._device.get_features().split(",") if f)
            self.stats.connections += 1

    def close(self) -> None:
        """Nothing stays open between commands; safe to call twice."""
        self._device = None

    # -- plumbing ------------------------------------------------------------------------------

    def _service(self, service: str, ctx: Ctx) -> Any:
        """A server connection switched to `service` on our phone (an adbutils AdbConnection)."""
        if self._device is None:
            self.connect()
        with mapped(ctx):
            conn = self._device.open_transport(timeout=self.idle_timeout)
            self.stats.connections += 1
            try:
                conn.send_command(service)
                conn.check_okay()
            except BaseException:
                conn.close()
                raise
        return conn

    def _reader(self, sock: socket.socket, deadline: float) -> Callable[[], bytes]:
        def read_some() -> bytes:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded
            sock.settimeout(min(self.idle_timeout, left))
            try:
                data = sock.recv(256 * 1024)
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise DeadlineExceeded from None
                raise
            self.stats.bytes_in += len(data)
            return data

        return read_some

    def _send(self, sock: socket.socket, data: bytes) -> None:
        sock.sendall(data)
        self.stats.bytes_out += len(data)

    # -- shell ---------------------------------------------------------------------------------

    def _run(
        self, command: str, sink: LimitedSink, timeout: float
    ) -> tuple[bytes, int | None, float]:
        start = time.monotonic()
        deadline = start + timeout
        ctx = Ctx(target=self.serial, via="adb-server", what=command, timeout=timeout)
        if self.features is None:
            self.connect()
        v2 = self.features is not None and "shell_v2" in self.features
        marker = new_marker()
        service = f"shell,v2,raw:{command}" if v2 else f"shell:{with_exit_marker(command, marker)}"
        conn = self._service(service, ctx)
        stripper = MarkerStripper(marker, sink)
        try:
            with mapped(ctx):
                reader = StreamReader(self._reader(conn.conn, deadline))
                if v2:
                    out = read_shell_v2(reader, sink, max_bytes=sink.max_bytes)
                    sink.truncated = sink.truncated or out.truncated
                    return out.stderr, out.exit_code, time.monotonic() - start
                while not sink.full:
                    data = reader.read_available()
                    if not data:
                        code = stripper.finish()
                        if code is None:  # the shell ended before its last echo: cut
                            raise LinkClosed
                        return b"", code, time.monotonic() - start
                    stripper.feed(data)
                return b"", None, time.monotonic() - start
        except DeviceError:
            if not v2:
                stripper.flush_unparsed()
            raise
        finally:
            conn.close()

    def _shell_to_file(
        self, command: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> StreamResult:
        limited = LimitedSink(sink.write, max_bytes)
        stderr, exit_code, took = self._run(command, limited, timeout)
        return StreamResult(
            size=limited.size,
            stderr=stderr,
            exit_code=exit_code,
            truncated=limited.truncated,
            duration_s=took,
        )

    # -- sync ----------------------------------------------------------------------------------

    def _pull(
        self, remote_path: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> int:
        ctx = Ctx(
            target=self.serial, via="adb-server", phase="pull", what=remote_path, timeout=timeout
        )
        conn = self._service("sync:", ctx)
        try:
            with mapped(ctx):
                sock = conn.conn
                reader = StreamReader(self._reader(sock, time.monotonic() + timeout))
                self._send(sock, sync_request(b"STAT", remote_path))
                st = read_stat_reply(reader)
                check_pullable(remote_path, st.mode, st.size, max_bytes)
                self._send(sock, sync_request(b"RECV", remote_path))
                n = read_file(
                    reader,
                    sink,
                    remote_path=remote_path,
                    announced_size=st.size,
                    max_bytes=max_bytes,
                )
                self._send(sock, sync_quit())
                return n
        finally:
            conn.close()

    def _stat(self, remote_path: str, *, timeout: float) -> RemoteStat | None:
        ctx = Ctx(
            target=self.serial, via="adb-server", phase="pull", what=remote_path, timeout=timeout
        )
        conn = self._service("sync:", ctx)
        try:
            with mapped(ctx):
                sock = conn.conn
                self._send(sock, sync_request(b"STAT", remote_path))
                st = read_stat_reply(StreamReader(self._reader(sock, time.monotonic() + timeout)))
                self._send(sock, sync_quit())
        finally:
            conn.close()
        if st.mode == 0 and st.size == 0 and st.mtime == 0:
            return None
        return RemoteStat(mode=st.mode, size=st.size, mtime=st.mtime)

    def getprop_model(self, timeout: float = 10.0) -> str | None:
        """The phone's `ro.product.model` (through the read-only gate)."""
        res = self.shell("getprop ro.product.model", timeout=timeout, max_bytes=256)
        text = res.stdout.decode("utf-8", "replace").strip()
        return text or None
