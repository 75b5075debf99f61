"""The one place where adb-shell, adbutils, libusb and socket exceptions become our device errors.

Every transport wraps its library calls in `mapped(ctx)`. The messages are written for a support
worker at a desk, not for a developer: what happened, then what to do next. `docs/connecting.md`
lists the same messages; keep both in step.

Library exception classes are looked up in `sys.modules` rather than imported: if a library was
never imported, none of its exceptions can be in flight, and importing it here would make every
error path pay for it.
"""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from stalkerscan.device.wire import DeadlineExceeded, LinkClosed
from stalkerscan.errors import (
    DeviceBusyError,
    DeviceError,
    DeviceOfflineError,
    DevicePermissionError,
    DeviceProtocolError,
    DeviceTimeoutError,
    DisconnectedError,
    MultipleDevicesError,
    NoDeviceError,
    StalkerscanError,
    UnauthorizedError,
)

# -- the hints, in plain language ------------------------------------------------------------

HINT_NO_DEVICE_USB = (
    "Check that the phone is plugged in with a cable that carries data (some charging cables "
    "do not), that it is unlocked, and that USB debugging is on (Settings > System > Developer "
    "options > USB debugging). Then run `stalkerscan devices` again."
)
HINT_NO_DEVICE_TCP = (
    "Check the address and port. For wireless debugging, the phone and this computer must be on "
    "the same network and wireless debugging must be on; for the simulated phone, check that "
    "`stalkerscan simulate` is running and shows this port."
)
HINT_UNAUTHORIZED = (
    'Unlock the phone and look for the prompt "Allow USB debugging?"; tap Allow. Do not tick '
    '"Always allow from this computer": it stores this computer\'s key on the phone, a trace '
    "someone else could find later. If no prompt appears, unplug and replug the cable, or turn "
    "USB debugging off and on again."
)
HINT_BUSY = (
    "Another program holds the phone's USB connection, usually an adb server (Android Studio, "
    "scrcpy, or an earlier `adb` command). Free it with `adb kill-server`, then try again; or "
    "add `--via adb-server` to go through that server instead."
)
HINT_PERMISSION = (
    "This computer's user is not allowed to open USB phones. On Debian or Ubuntu install the "
    "package `android-sdk-platform-tools-common` (it adds the udev rules), then unplug and "
    "replug the phone."
)
HINT_OFFLINE = (
    "Unplug the phone and plug it in again. If it stays offline, turn USB debugging off and on "
    "again in Developer options, then accept the prompt on the phone."
)
HINT_TIMEOUT = (
    "The phone may be locked, busy or asleep. Unlock it and keep the screen on, then try again. "
    "If it keeps happening, unplug and replug the cable."
)
HINT_DISCONNECTED = (
    "Check the cable and keep the phone unlocked, then run the command again. What was already "
    "read has been kept."
)
HINT_NO_SERVER = (
    "No adb server is running on this computer. Start one with `adb start-server` (it needs the "
    "`adb` package), or leave out `--via adb-server` to talk to the phone directly."
)


@dataclass
class Ctx:
    """What the transport was doing when a library raised: the words of the error message."""

    target: str  # serial, "HOST:PORT", or "the phone"
    via: str  # "usb", "tcp", "adb-server"
    phase: str = "command"  # "connect", "auth", "command", "pull", "list"
    what: str | None = None  # the command or path, for the message
    timeout: float | None = None
    awaiting_user: bool = False  # the public key was sent: the phone shows its prompt
    adb_server_running: bool = False  # a USB access error then most likely means "busy"


@contextmanager
def mapped(ctx: Ctx) -> Iterator[Ctx]:
    """Run a block, turning any library or socket failure into a typed DeviceError."""
    try:
        yield ctx
    except StalkerscanError:
        raise
    except Exception as exc:
        err = translate(exc, ctx)
        if err is None:
            raise
        raise err from exc


def translate(exc: BaseException, ctx: Ctx) -> DeviceError | None:
    """The DeviceError that explains `exc` in `ctx`; None for a bug that must stay a traceback."""
    if isinstance(exc, DeviceError):
        return exc
    for probe in (_from_link, _from_usb, _from_adb_shell, _from_adbutils, _from_socket):
        err = probe(exc, ctx)
        if err is not None:
            return err
    return None


# -- builders (one message per failure mode) ---------------------------------------------------


def no_device(ctx: Ctx, detail: str | None = None) -> NoDeviceError:
    """Nothing reachable at `ctx.target`."""
    if ctx.via == "tcp":
        msg = f"Nothing answered at {ctx.target}" + (f" ({detail})." if detail else ".")
        return NoDeviceError(msg, HINT_NO_DEVICE_TCP)
    msg = "No phone was found on USB" + (f" ({detail})." if detail else ".")
    return NoDeviceError(msg, HINT_NO_DEVICE_USB)


def unauthorized(ctx: Ctx) -> UnauthorizedError:
    """The phone has not (yet) accepted this computer's key."""
    return UnauthorizedError(
        f"The phone {ctx.target} has not allowed this computer to connect "
        "(USB debugging was not authorised).",
        HINT_UNAUTHORIZED,
    )


def busy(ctx: Ctx) -> DeviceBusyError:
    """Another process has claimed the USB interface."""
    return DeviceBusyError(
        f"The phone {ctx.target} is in use by another program on this computer.", HINT_BUSY
    )


def offline(ctx: Ctx) -> DeviceOfflineError:
    """Listed but not answering ADB."""
    return DeviceOfflineError(f"The phone {ctx.target} is connected but offline.", HINT_OFFLINE)


def no_permission(ctx: Ctx) -> DevicePermissionError:
    """libusb may not open the device node."""
    return DevicePermissionError(
        f"This computer is not allowed to open the USB phone {ctx.target}.", HINT_PERMISSION
    )


def timed_out(ctx: Ctx) -> DeviceError:
    """No answer within the time budget; during AUTH this means the prompt was not accepted."""
    if ctx.awaiting_user:
        return unauthorized(ctx)
    limit = f" within {ctx.timeout:g} s" if ctx.timeout else ""
    if ctx.phase in ("connect", "auth"):
        return DeviceTimeoutError(
            f"The phone {ctx.target} did not answer the connection request{limit}.", HINT_TIMEOUT
        )
    doing = f" to {_short(ctx.what)}" if ctx.what else ""
    return DeviceTimeoutError(f"The phone {ctx.target} did not answer{doing}{limit}.", HINT_TIMEOUT)


def disconnected(ctx: Ctx) -> DeviceError:
    """The link dropped; before the handshake finished this is a refusal, not a disconnect."""
    if ctx.awaiting_user:
        return unauthorized(ctx)
    if ctx.phase in ("connect", "auth"):
        return DisconnectedError(
            f"The phone {ctx.target} closed the connection before it was set up.",
            HINT_OFFLINE if ctx.via != "tcp" else HINT_NO_DEVICE_TCP,
        )
    doing = f" while running {_short(ctx.what)}" if ctx.what else ""
    return DisconnectedError(
        f"The connection to the phone {ctx.target} was lost{doing}.", HINT_DISCONNECTED
    )


def protocol(ctx: Ctx, detail: str) -> DeviceProtocolError:
    """The phone spoke something that is not ADB."""
    return DeviceProtocolError(
        f"The phone {ctx.target} sent an answer that does not follow the ADB protocol ({detail}).",
        "Reconnect the phone and try again. If it keeps happening, note it in the case file: "
        "tampered software on the phone can cause this.",
    )


def _short(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# -- probes, one per library -----------------------------------------------------------------


def _from_link(exc: BaseException, ctx: Ctx) -> DeviceError | None:
    if isinstance(exc, DeadlineExceeded):
        return timed_out(ctx)
    if isinstance(exc, LinkClosed):
        return disconnected(ctx)
    return None


def _usb_error_kind(err: BaseException) -> str | None:
    usb1 = sys.modules.get("usb1")
    if usb1 is None or not isinstance(err, usb1.USBError):
        return None
    for name, kind in (
        ("USBErrorBusy", "busy"),
        ("USBErrorAccess", "access"),
        ("USBErrorNoDevice", "gone"),
        ("USBErrorNotFound", "gone"),
        ("USBErrorTimeout", "timeout"),
        ("USBErrorPipe", "gone"),
        ("USBErrorIO", "gone"),
    ):
        cls = getattr(usb1, name, None)
        if cls is not None and isinstance(err, cls):
            return kind
    return "other"


def _usb_kind_to_error(kind: str, ctx: Ctx) -> DeviceError:
    if kind == "busy":
        return busy(ctx)
    if kind == "access":
        # Linux gives EACCES for a missing udev rule and EBUSY for an interface another process
        # claimed; other systems report a claimed interface as an access error.
        return busy(ctx) if ctx.adb_server_running else no_permission(ctx)
    if kind == "timeout":
        return timed_out(ctx)
    if kind == "gone":
        return disconnected(ctx) if ctx.phase not in ("connect", "list") else no_device(ctx)
    return DisconnectedError(f"USB error while talking to the phone {ctx.target}.", HINT_OFFLINE)


def _from_usb(exc: BaseException, ctx: Ctx) -> DeviceError | None:
    kind = _usb_error_kind(exc)
    if kind is not None:
        return _usb_kind_to_error(kind, ctx)
    return None


def _from_adb_shell(exc: BaseException, ctx: Ctx) -> DeviceError | None:
    ex = sys.modules.get("adb_shell.exceptions")
    if ex is None:
        return None
    if isinstance(exc, ex.UsbReadFailedError | ex.UsbWriteFailedError):
        inner = getattr(exc, "usb_error", None)
        if inner is None and len(exc.args) > 1:
            inner = exc.args[1]
        kind = _usb_error_kind(inner) if isinstance(inner, BaseException) else None
        if kind is None:  # "This transport has been closed"
            return disconnected(ctx)
        return _usb_kind_to_error(kind, ctx)
    if isinstance(exc, ex.UsbDeviceNotFoundError):
        return no_device(ctx)
    if isinstance(exc, ex.AdbTimeoutError | ex.TcpTimeoutException):
        return timed_out(ctx)
    if isinstance(exc, ex.DeviceAuthError):
        return unauthorized(ctx)
    if isinstance(exc, ex.AdbConnectionError):
        return disconnected(ctx)
    if isinstance(exc, ex.InvalidChecksumError | ex.InvalidCommandError | ex.InvalidResponseError):
        return protocol(ctx, type(exc).__name__)
    if isinstance(exc, ex.AdbCommandFailureException):
        return protocol(ctx, "unexpected FAIL")
    return None


# Messages of the host adb server (adb/client/..., "error: device unauthorized." etc.).
_SERVER_MESSAGES: tuple[tuple[str, str], ...] = (
    ("unauthorized", "unauthorized"),
    ("still authorizing", "unauthorized"),
    ("offline", "offline"),
    ("insufficient permissions", "permission"),
    ("no permissions", "permission"),
    ("more than one", "multiple"),
    ("not found", "none"),
    ("no devices", "none"),
    ("no emulators", "none"),
    ("closed", "gone"),
)


def _from_adbutils(exc: BaseException, ctx: Ctx) -> DeviceError | None:
    errors = sys.modules.get("adbutils.errors")
    if errors is None or not isinstance(exc, errors.AdbError):
        return None
    if isinstance(exc, errors.AdbTimeout):
        return timed_out(ctx)
    if isinstance(exc, errors.AdbConnectionError):
        return DeviceError(f"Could not reach the adb server ({exc}).", HINT_NO_SERVER)
    text = str(exc).lower()
    for needle, kind in _SERVER_MESSAGES:
        if needle in text:
            return server_state_error(kind, ctx, str(exc))
    return DeviceError(f"The adb server refused the request: {str(exc)[:200]}.", HINT_OFFLINE)


def server_state_error(kind: str, ctx: Ctx, detail: str = "") -> DeviceError:
    """The error for a device state (or server message kind) reported by the adb server."""
    if kind == "unauthorized":
        return unauthorized(ctx)
    if kind == "offline":
        return offline(ctx)
    if kind == "permission":
        return no_permission(ctx)
    if kind == "multiple":
        return MultipleDevicesError([ctx.target])
    if kind == "gone":
        return disconnected(ctx)
    return no_device(ctx, detail[:200] or None)


def _from_socket(exc: BaseException, ctx: Ctx) -> DeviceError | None:
    if isinstance(exc, socket.gaierror):
        return no_device(ctx, "unknown host name")
    if isinstance(exc, TimeoutError):  # socket.timeout is an alias since Python 3.10
        return timed_out(ctx)
    if isinstance(exc, ConnectionRefusedError):
        return no_device(ctx, "connection refused")
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return disconnected(ctx)
    if isinstance(exc, OSError) and exc.errno in (
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EADDRNOTAVAIL,
    ):
        return no_device(ctx, "host unreachable")
    if isinstance(exc, OSError) and exc.errno in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
        return disconnected(ctx)
    return None
