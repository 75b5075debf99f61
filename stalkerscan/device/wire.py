"""Byte-level helpers both transports share: sync file transfer, shell v2 framing, exit markers.

Nothing here imports an ADB library. A transport hands these helpers a `read_some()` function
that returns the next bytes of one ADB stream (b"" at its end); the helpers parse the stream
with hard limits, because the phone is untrusted: a DATA chunk larger than the protocol allows,
a file larger than its STAT size, or an unknown message id stops the transfer with
`DeviceProtocolError` instead of filling memory or the disk.
"""

from __future__ import annotations

import re
import secrets
import stat as stat_mod
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from stalkerscan.errors import DeviceProtocolError, RemoteFileError

ReadSome = Callable[[], bytes]

# Sync DATA chunks are at most 64 KiB (SYNC_DATA_MAX in AOSP adb/file_sync_protocol.h).
SYNC_DATA_MAX = 64 * 1024
# A FAIL reason is a short sentence; anything longer is not a real adbd.
SYNC_FAIL_MAX = 4096
# A shell v2 packet carries at most one read() of adbd's buffer; 1 MiB is generous.
SHELL_V2_PACKET_MAX = 1024 * 1024


class LinkClosed(Exception):
    """The device closed the connection (EOF on the socket or USB pipe)."""


class DeadlineExceeded(Exception):
    """The command's total time budget ran out while waiting for the device."""


def sync_request(command: bytes, path: str) -> bytes:
    """One sync request: 4-byte id, little-endian length, UTF-8 path."""
    data = path.encode("utf-8")
    return command + struct.pack("<I", len(data)) + data


def sync_quit() -> bytes:
    """The QUIT request that ends a sync session politely."""
    return b"QUIT" + struct.pack("<I", 0)


class StreamReader:
    """Exact reads over a `read_some` source, raising LinkClosed on a short stream."""

    def __init__(self, read_some: ReadSome) -> None:
        self._read_some = read_some
        self._buf = bytearray()

    def read_exact(self, n: int, what: str) -> bytes:
        """Return exactly `n` bytes; LinkClosed when the stream ends first (`what` was cut)."""
        while len(self._buf) < n:
            chunk = self._read_some()
            if not chunk:
                # A stream that stops mid-message was cut (cable, adbd or server restart).
                raise LinkClosed(what)
            self._buf += chunk
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def read_available(self) -> bytes:
        """Return what is buffered, or the next chunk from the source (b"" at the end)."""
        if self._buf:
            out = bytes(self._buf)
            self._buf.clear()
            return out
        return self._read_some()


@dataclass(frozen=True)
class SyncStat:
    """A sync STAT reply (all zero when the file does not exist or cannot be read)."""

    mode: int
    size: int
    mtime: int


def read_stat_reply(reader: StreamReader) -> SyncStat:
    """Parse the 16-byte STAT reply."""
    head = reader.read_exact(16, "a file status reply")
    ident, mode, size, mtime = struct.unpack("<4sIII", head)
    if ident != b"STAT":
        raise DeviceProtocolError(
            f"The phone answered a file status request with {_show_id(ident)}.",
            "The phone's answer does not follow the ADB protocol; reconnect it and try again.",
        )
    return SyncStat(mode, size, mtime)


def read_file(
    reader: StreamReader,
    sink: BinaryIO,
    *,
    remote_path: str,
    announced_size: int | None,
    max_bytes: int | None,
) -> int:
    """Copy a RECV reply (DATA... DONE) into `sink`; never write past the announced or allowed size.

    A phone that sends more bytes than its own STAT announced is misbehaving (or hostile): the
    transfer stops before the extra bytes are written, with DeviceProtocolError.
    """
    written = 0
    while True:
        head = reader.read_exact(8, "a file transfer")
        ident, length = struct.unpack("<4sI", head)
        if ident == b"DATA":
            if length > SYNC_DATA_MAX:
                raise DeviceProtocolError(
                    f"The phone sent a file chunk of {length} bytes; the protocol allows "
                    f"{SYNC_DATA_MAX}.",
                    "The transfer was stopped. Reconnect the phone and try again.",
                )
            if announced_size is not None and written + length > announced_size:
                raise DeviceProtocolError(
                    f"The phone sent more data for {remote_path!r} than the "
                    f"{announced_size} bytes it announced.",
                    "The transfer was stopped and the partial copy must not be used.",
                )
            if max_bytes is not None and written + length > max_bytes:
                raise RemoteFileError(
                    f"{remote_path!r} is larger than the {max_bytes}-byte limit; "
                    "it was not copied in full.",
                    "Raise the size limit if this file must be examined.",
                )
            data = reader.read_exact(length, "a file chunk")
            sink.write(data)
            written += length
        elif ident == b"DONE":
            if announced_size is not None and written != announced_size:
                raise DeviceProtocolError(
                    f"The phone sent {written} bytes of {remote_path!r} but announced "
                    f"{announced_size}.",
                    "The file may have changed while it was copied; try again.",
                )
            return written
        elif ident == b"FAIL":
            if length > SYNC_FAIL_MAX:
                raise DeviceProtocolError("The phone sent an oversized error message.")
            reason = reader.read_exact(length, "an error message").decode("utf-8", "replace")
            raise RemoteFileError(
                f"The phone could not send {remote_path!r}: {reason}.",
                "The file may have been removed or may not be readable over ADB.",
            )
        else:
            raise DeviceProtocolError(
                f"The phone sent an unexpected message {_show_id(ident)} during a file transfer.",
                "The transfer was stopped. Reconnect the phone and try again.",
            )


def check_pullable(remote_path: str, mode: int, size: int, max_bytes: int | None) -> None:
    """Refuse (RemoteFileError) a missing, non-regular or over-limit file before any data moves."""
    if mode == 0:
        raise RemoteFileError(
            f"The file {remote_path!r} does not exist on the phone or cannot be read.",
            "It may have been removed since it was listed; run the scan again.",
        )
    if not stat_mod.S_ISREG(mode):
        raise RemoteFileError(f"{remote_path!r} on the phone is not a regular file.")
    if max_bytes is not None and size > max_bytes:
        raise RemoteFileError(
            f"{remote_path!r} is {size} bytes, over the {max_bytes}-byte limit; it was not copied.",
            "Raise the size limit if this file must be examined.",
        )


def _show_id(ident: bytes) -> str:
    return repr(ident.decode("latin-1"))


# -- shell protocol v2 ------------------------------------------------------------------------

SHELL_V2_STDOUT = 1
SHELL_V2_STDERR = 2
SHELL_V2_EXIT = 3


@dataclass
class ShellV2Outcome:
    """What a shell v2 session produced, apart from the stdout already handed to the sink."""

    stdout_bytes: int = 0
    stderr: bytes = b""
    exit_code: int | None = None
    truncated: bool = False


def read_shell_v2(
    reader: StreamReader,
    on_stdout: Callable[[bytes], None],
    *,
    max_bytes: int | None,
    max_stderr: int = 64 * 1024,
) -> ShellV2Outcome:
    """Decode shell v2 packets ([id u8][len u32le][data]) until the exit packet or the limit.

    Returns with `truncated=True` as soon as stdout reaches `max_bytes`; the caller must then
    close the stream (the rest is not read).
    """
    out = ShellV2Outcome()
    stderr = bytearray()
    while True:
        # adbd always ends a v2 session with an exit packet: a stream that ends before it was
        # cut (LinkClosed from the reader); the output so far stays with the caller.
        head = reader.read_exact(5, "a shell reply")
        ident, length = struct.unpack("<BI", head)
        if length > SHELL_V2_PACKET_MAX:
            raise DeviceProtocolError(
                f"The phone sent a shell packet of {length} bytes; at most "
                f"{SHELL_V2_PACKET_MAX} were expected.",
                "The command was stopped. Reconnect the phone and try again.",
            )
        data = reader.read_exact(length, "a shell reply") if length else b""
        if ident == SHELL_V2_STDOUT:
            if max_bytes is not None and out.stdout_bytes + len(data) > max_bytes:
                keep = max_bytes - out.stdout_bytes
                if keep > 0:
                    on_stdout(data[:keep])
                    out.stdout_bytes += keep
                out.truncated = True
                out.stderr = bytes(stderr)
                return out
            if data:
                on_stdout(data)
                out.stdout_bytes += len(data)
        elif ident == SHELL_V2_STDERR:
            room = max_stderr - len(stderr)
            if room > 0:
                stderr += data[:room]
        elif ident == SHELL_V2_EXIT:
            out.exit_code = data[0] if data else None
            out.stderr = bytes(stderr)
            return out
        # Other ids (stdin, close-stdin, window size) are host-to-device only; ignore them.


# -- exit status for shell protocol v1 ---------------------------------------------------------


def new_marker() -> str:
    """A fresh random marker word (letters and digits only: it passes the allowlist's echo rule)."""
    return "SSX" + secrets.token_hex(8) + "X"


def with_exit_marker(command: str, marker: str) -> str:
    """`command` followed by `; echo MARKER$?`, which prints the exit status at the very end."""
    return f"{command} ; echo {marker}$?"


class MarkerStripper:
    """Streams shell v1 output to `on_data` while holding back the tail that may hold the marker.

    Pre-7 Android runs `shell:` in a PTY, so the marker line may end in CRLF; both are accepted.
    """

    def __init__(self, marker: str, on_data: Callable[[bytes], None]) -> None:
        self._marker = marker.encode("ascii")
        self._on_data = on_data
        self._hold = bytearray()
        self._keep = len(self._marker) + 8  # marker + up to 3 digits + CR LF, with room
        self.passed = 0

    def feed(self, data: bytes) -> None:
        """Accept more output; pass on everything that cannot be part of the marker line."""
        self._hold += data
        if len(self._hold) > self._keep:
            cut = len(self._hold) - self._keep
            self._emit(bytes(self._hold[:cut]))
            del self._hold[:cut]

    def finish(self) -> int | None:
        """End of output: strip the marker line and return the exit code (None if absent).

        The echo always runs after the command, so an absent marker means the session was cut.
        """
        tail = bytes(self._hold)
        self._hold.clear()
        pos = tail.rfind(self._marker)
        if pos < 0:
            self._emit(tail)
            return None
        m = re.fullmatch(rb"(\d{1,3})\r?\n?", tail[pos + len(self._marker) :])
        if not m:
            self._emit(tail)
            return None
        self._emit(tail[:pos])
        return int(m.group(1))

    def flush_unparsed(self) -> None:
        """Pass on the held-back tail as output (the stream was cut before the marker)."""
        tail = bytes(self._hold)
        self._hold.clear()
        self._emit(tail)

    def _emit(self, data: bytes) -> None:
        if data:
            self.passed += len(data)
            self._on_data(data)


class LimitedSink:
    """A byte sink that stops at `max_bytes` and remembers whether it had to cut."""

    def __init__(self, write: Callable[[bytes], object], max_bytes: int | None) -> None:
        self._write = write
        self.max_bytes = max_bytes
        self.size = 0
        self.truncated = False

    def __call__(self, data: bytes) -> None:
        """Write `data`, or as much of it as the limit allows."""
        if self.max_bytes is not None and self.size + len(data) > self.max_bytes:
            data = data[: max(0, self.max_bytes - self.size)]
            self.truncated = True
        if data:
            self._write(data)
            self.size += len(data)

    @property
    def full(self) -> bool:
        """True once the limit was hit (reading more is pointless)."""
        return self.truncated
