"""From a `--serial` (or none) to an open Transport, and the list `stalkerscan devices` shows.

- `HOST:PORT` connects over TCP with adb-shell (emulator, wireless debugging, simulated phone).
- No serial, or a USB serial: phones attached over USB, opened with adb-shell and libusb; when a
  running adb server already holds the phone (libusb says busy), `via="auto"` goes through that
  server instead, and `via="adb-server"` always does.

Device sources are `DeviceLister` subclasses (USB and adb server); tests add their own.
Heavy libraries are imported inside the functions that need them.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from stalkerscan.device.base import DeviceInfo, Transport
from stalkerscan.device.failures import (
    HINT_NO_DEVICE_USB,
    Ctx,
    busy,
    no_device,
    server_state_error,
)
from stalkerscan.errors import (
    DeviceBusyError,
    DeviceError,
    DeviceOfflineError,
    DevicePermissionError,
    DeviceTimeoutError,
    DisconnectedError,
    MultipleDevicesError,
    NoDeviceError,
    UnauthorizedError,
    UsageError,
)

if TYPE_CHECKING:
    from stalkerscan.device.adbserver import ServerAddress
    from stalkerscan.device.adbshell import Timeouts, UsbBackend

VIAS = ("auto", "usb", "tcp", "adb-server")
DEFAULT_TIMEOUT = 10.0
DEFAULT_AUTH_TIMEOUT = 60.0

_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])"
_TCP_SERIAL = re.compile(rf"^(?P<host>{_HOST}):(?P<port>\d{{1,5}})$")
# USB serial numbers are printable ASCII without spaces in practice; refuse anything else early.
_USB_SERIAL = re.compile(r"^[\x21-\x7e]{1,128}$")


def parse_tcp_serial(serial: str) -> tuple[str, int] | None:
    """`("HOST", PORT)` for a `HOST:PORT` serial, None for anything else (a USB serial)."""
    m = _TCP_SERIAL.match(serial)
    if not m:
        return None
    port = int(m.group("port"))
    if not 0 < port < 65536:
        raise UsageError(f"The port in --serial {serial} is out of range (1-65535).")
    host = m.group("host")
    return (host[1:-1] if host.startswith("[") else host), port


@dataclass
class ConnectOptions:
    """How to connect: time limits, which host key, who to tell that the phone shows its prompt."""

    timeout: float = DEFAULT_TIMEOUT
    auth_timeout: float = DEFAULT_AUTH_TIMEOUT
    idle_timeout: float = 30.0
    use_adb_key: bool = False
    on_auth_prompt: Callable[[], None] | None = None
    server: ServerAddress | None = None

    def timeouts(self) -> Timeouts:
        """The adb-shell time limits."""
        from stalkerscan.device.adbshell import Timeouts

        return Timeouts(connect=self.timeout, auth=self.auth_timeout, idle=self.idle_timeout)

    def server_address(self) -> ServerAddress:
        """The adb server address (given, or from the environment)."""
        from stalkerscan.device.adbserver import ServerAddress

        return self.server or ServerAddress.from_env()


class DeviceLister(abc.ABC):
    """A source of phones: lists them with their state and opens one."""

    transport: str  # the DeviceInfo.transport value this lister produces

    @abc.abstractmethod
    def list(self, opts: ConnectOptions, *, probe: bool) -> list[DeviceInfo]:
        """The phones this source sees; `probe` may connect to learn state and model."""

    @abc.abstractmethod
    def open(self, info: DeviceInfo, opts: ConnectOptions) -> Transport:
        """A connected Transport to one listed phone (raises a DeviceError)."""


class UsbLister(DeviceLister):
    """USB phones through libusb and adb-shell (no adb server)."""

    transport = "usb"

    def __init__(self, backend: UsbBackend | None = None) -> None:
        self._backend = backend

    def backend(self) -> UsbBackend:
        """The libusb backend (created on first use: it imports adb_shell and usb1)."""
        if self._backend is None:
            from stalkerscan.device.adbshell import UsbBackend

            self._backend = UsbBackend()
        return self._backend

    def list(self, opts: ConnectOptions, *, probe: bool) -> list[DeviceInfo]:
        """USB phones; with `probe`, connect to each to learn its state and model."""
        from stalkerscan.device.failures import mapped

        ctx = Ctx(target="USB", via="usb", phase="list")
        with mapped(ctx):
            candidates = self.backend().candidates()
        out: list[DeviceInfo] = []
        for cand in candidates:
            info = DeviceInfo(
                serial=cand.serial,
                state="device" if cand.readable else "no permissions",
                transport="usb",
                details={"usb": cand.port_path},
            )
            if probe and cand.readable:
                info = self._probe(info, opts)
            out.append(info)
        return out

    def _probe(self, info: DeviceInfo, opts: ConnectOptions) -> DeviceInfo:
        try:
            with self.open(info, opts) as transport:
                return replace(info, model=_model_of(transport, opts))
        except UnauthorizedError:
            return replace(info, state="unauthorized")
        except DeviceBusyError:
            return replace(info, state="busy")
        except DevicePermissionError:
            return replace(info, state="no permissions")
        except (DeviceOfflineError, DeviceTimeoutError, DisconnectedError):
            return replace(info, state="offline")
        except DeviceError:  # unplugged meanwhile, protocol trouble: listed, not ready
            return replace(info, state="offline")

    def open(self, info: DeviceInfo, opts: ConnectOptions) -> Transport:
        """Open a listed USB phone with adb-shell (the key is created on first use)."""
        from stalkerscan.device.adbserver import server_running
        from stalkerscan.device.adbshell import AdbShellUsbTransport
        from stalkerscan.device.keys import load_host_key

        backend = self.backend()
        matches = [c for c in backend.candidates() if c.serial == info.serial]
        if not matches:
            raise no_device(Ctx(target=info.serial, via="usb"), "it was unplugged")
        transport = AdbShellUsbTransport(
            matches[0],
            backend,
            key=load_host_key(use_android_key=opts.use_adb_key),
            timeouts=opts.timeouts(),
            on_auth_prompt=opts.on_auth_prompt,
        )
        try:
            transport.connect()
        except DevicePermissionError as err:
            # Where libusb reports a claimed interface as "access denied", say "busy" when a
            # server that could hold it is running.
            if server_running(opts.server_address()):
                raise busy(Ctx(target=info.serial, via="usb")) from err
            raise
        return transport


class AdbServerLister(DeviceLister):
    """Phones the host adb server knows (empty when no server runs; never starts one)."""

    transport = "adb-server"

    def list(self, opts: ConnectOptions, *, probe: bool) -> list[DeviceInfo]:
        """The server's `devices -l` (model and state come from the server; no probe needed)."""
        from stalkerscan.device.adbserver import list_server_devices

        return list_server_devices(opts.server_address())

    def open(self, info: DeviceInfo, opts: ConnectOptions) -> Transport:
        """A Transport through the server, after checking the phone's state there."""
        from stalkerscan.device.adbserver import STATE_KINDS, AdbServerTransport

        if info.state != "device":
            ctx = Ctx(target=info.serial, via="adb-server")
            raise server_state_error(STATE_KINDS.get(info.state, "offline"), ctx, info.state)
        transport = AdbServerTransport(
            info.serial, address=opts.server_address(), idle_timeout=opts.idle_timeout
        )
        transport.connect(timeout=opts.timeout)
        return transport


def default_listers() -> list[DeviceLister]:
    """USB first, then the adb server."""
    return [UsbLister(), AdbServerLister()]


def _model_of(transport: Transport, opts: ConnectOptions) -> str | None:
    """The model from the CNXN banner, else from `getprop ro.product.model`."""
    banner = getattr(transport, "banner", None)
    model = getattr(banner, "model", None) or getattr(transport, "model", None)
    if model:
        return str(model)
    try:
        res = transport.shell("getprop ro.product.model", timeout=opts.timeout, max_bytes=256)
    except DeviceError:
        return None
    return res.stdout.decode("utf-8", "replace").strip() or None


def list_devices(
    *,
    listers: Sequence[DeviceLister] | None = None,
    opts: ConnectOptions | None = None,
    probe: bool = True,
) -> list[DeviceInfo]:
    """Every phone the listers see. A USB phone the adb server also lists appears once (the
    server's entry, which knows its state)."""
    opts = opts or ConnectOptions()
    listers = default_listers() if listers is None else listers
    found: list[DeviceInfo] = []
    for _, info in _gather(listers, opts, probe=probe):
        found.append(info)
    server_serials = {d.serial for d in found if d.transport == "adb-server"}
    return [d for d in found if d.transport == "adb-server" or d.serial not in server_serials]


def _gather(
    listers: Sequence[DeviceLister], opts: ConnectOptions, *, probe: bool
) -> list[tuple[DeviceLister, DeviceInfo]]:
    """Ask every lister; a lister that fails (no libusb, say) is skipped while another finds
    phones, and its error is raised only when nothing at all was found."""
    found: list[tuple[DeviceLister, DeviceInfo]] = []
    first_error: DeviceError | None = None
    for lister in listers:
        try:
            found.extend((lister, info) for info in lister.list(opts, probe=probe))
        except DeviceError as err:
            first_error = first_error or err
    if not found and first_error is not None:
        raise first_error
    return found


def describe(
    serial: str,
    *,
    via: str = "auto",
    opts: ConnectOptions | None = None,
    listers: Sequence[DeviceLister] | None = None,
) -> DeviceInfo:
    """Connect to one named phone and describe it; connection errors are raised, not listed."""
    opts = opts or ConnectOptions()
    with open_transport(serial, via=via, opts=opts, listers=listers) as transport:
        return DeviceInfo(
            serial=transport.serial,
            state="device",
            transport=str(getattr(transport, "via", via)),
            model=_model_of(transport, opts),
        )


def open_transport(
    serial: str | None,
    *,
    via: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    opts: ConnectOptions | None = None,
    listers: Sequence[DeviceLister] | None = None,
) -> Transport:
    """Open a connected Transport to the phone `serial` names (or the only attached phone)."""
    if via not in VIAS:
        raise UsageError(f"Unknown connection mode {via!r}; use one of {', '.join(VIAS)}.")
    opts = opts or ConnectOptions(timeout=timeout)
    tcp = parse_tcp_serial(serial) if serial else None
    if serial is not None and tcp is None and not _USB_SERIAL.match(serial):
        raise UsageError(f"--serial {serial!r} is neither a USB serial nor HOST:PORT.")

    if tcp is not None and via in ("auto", "tcp"):
        from stalkerscan.device.adbshell import AdbShellTcpTransport
        from stalkerscan.device.keys import load_host_key

        transport = AdbShellTcpTransport(
            tcp[0],
            tcp[1],
            key=load_host_key(use_android_key=opts.use_adb_key),
            timeouts=opts.timeouts(),
            on_auth_prompt=opts.on_auth_prompt,
        )
        transport.connect()
        return transport
    if via == "tcp":
        raise UsageError("--serial must be HOST:PORT to connect over TCP.")

    listers = default_listers() if listers is None else listers
    if via == "adb-server":
        listers = [lister for lister in listers if lister.transport == "adb-server"]
    elif via == "usb":
        listers = [lister for lister in listers if lister.transport == "usb"]
    found = _gather(listers, opts, probe=False)
    if via == "adb-server" and not found:
        from stalkerscan.device.adbserver import require_server

        require_server(opts.server_address())

    if serial is not None:
        found = [(lst, info) for lst, info in found if info.serial == serial]
        if not found:
            target = "USB" if via != "adb-server" else "the adb server"
            raise NoDeviceError(
                f"No phone with serial {serial} was found on {target}.",
                "Run `stalkerscan devices` to see the serials of the attached phones. "
                + HINT_NO_DEVICE_USB,
            )
    # The same phone seen by libusb and by the server: one phone, not two.
    serials: dict[str, list[tuple[DeviceLister, DeviceInfo]]] = {}
    for lister, info in found:
        serials.setdefault(info.serial, []).append((lister, info))
    if not serials:
        raise no_device(Ctx(target="USB", via="usb"))
    if len(serials) > 1:
        raise MultipleDevicesError(sorted(serials))
    (choices,) = serials.values()
    return _open_first(choices, opts, via)


def _open_first(
    choices: list[tuple[DeviceLister, DeviceInfo]], opts: ConnectOptions, via: str
) -> Transport:
    """Open one phone; in auto mode a busy USB phone is reached through the adb server."""
    usb = [(lst, info) for lst, info in choices if lst.transport == "usb"]
    server = [(lst, info) for lst, info in choices if lst.transport != "usb"]
    if usb:
        lister, info = usb[0]
        try:
            return lister.open(info, opts)
        except DeviceBusyError:
            if via != "auto" or not server:
                raise
    lister, info = server[0]
    return lister.open(info, opts)
