"""The one interface every transport implements, and the read-only gate in front of it.

A transport runs shell commands and pulls files. Every command goes through
`stalkerscan.device.allowlist.check_command` in `Transport.shell` / `Transport.shell_to_file`
before the concrete transport sees it, so no subclass can send a command that is not read-only.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import BinaryIO


@dataclass(frozen=True)
class ShellResult:
    """What one shell session returned.

    `exit_code` is None when the transport cannot know it (adb shell protocol v1 without a
    marker); `truncated` is True when output was cut at the caller's byte limit.
    """

    stdout: bytes
    stderr: bytes = b""
    exit_code: int | None = None
    truncated: bool = False
    duration_s: float = 0.0


@dataclass(frozen=True)
class StreamResult:
    """What a shell session streamed into a file: size, exit code and stderr."""

    size: int
    stderr: bytes = b""
    exit_code: int | None = None
    truncated: bool = False
    duration_s: float = 0.0


@dataclass(frozen=True)
class RemoteStat:
    """`sync` STAT of a file on the phone."""

    mode: int
    size: int
    mtime: int


@dataclass(frozen=True)
class DeviceInfo:
    """One attached phone as `stalkerscan devices` shows it."""

    serial: str
    state: str  # "device", "unauthorized", "offline", "no permissions", ...
    transport: str  # "usb", "tcp", "adb-server"
    model: str | None = None
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class TransportStats:
    """Counters a benchmark reads: sessions opened, TCP/USB connections, bytes moved."""

    shell_sessions: int = 0
    sync_sessions: int = 0
    connections: int = 0
    bytes_in: int = 0
    bytes_out: int = 0


class Transport(abc.ABC):
    """A connection to one phone. Subclasses implement the `_`-prefixed methods only."""

    serial: str

    def __init__(self, serial: str) -> None:
        self.serial = serial
        self.stats = TransportStats()

    # The public methods below are the gate; a subclass that redefined one could send a command
    # the allowlist never saw, so defining them in a subclass is refused when the class is made.
    GATED_METHODS = ("shell", "shell_to_file", "pull", "stat")

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        bypass = [name for name in Transport.GATED_METHODS if name in cls.__dict__]
        if bypass:
            raise TypeError(
                f"{cls.__name__} redefines {', '.join(bypass)} of Transport, which would bypass "
                "the read-only allowlist; implement the _-prefixed methods instead."
            )

    @property
    def max_payload(self) -> int | None:
        """The negotiated ADB max payload in bytes, or None when this transport cannot tell.

        A command line must fit in one ADB OPEN packet, so batching uses it (old phones: 4 KiB).
        """
        return None

    # -- the read-only gate -------------------------------------------------------------------

    def shell(self, command: str, *, timeout: float, max_bytes: int | None = None) -> ShellResult:
        """Run one read-only shell command and return its output (raises CommandRefused)."""
        from stalkerscan.device.allowlist import check_command

        check_command(command)
        self.stats.shell_sessions += 1
        return self._shell(command, timeout=timeout, max_bytes=max_bytes)

    def shell_to_file(
        self, command: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None = None
    ) -> StreamResult:
        """Run one read-only shell command, streaming stdout into `sink` (raises CommandRefused)."""
        from stalkerscan.device.allowlist import check_command

        check_command(command)
        self.stats.shell_sessions += 1
        return self._shell_to_file(command, sink, timeout=timeout, max_bytes=max_bytes)

    def pull(
        self, remote_path: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None = None
    ) -> int:
        """Stream one file from the phone into `sink`; return the byte count.

        Reading a file changes nothing on the phone; `remote_path` must still be an absolute
        path without `..` (checked by `check_remote_path`).
        """
        from stalkerscan.device.allowlist import check_remote_path

        check_remote_path(remote_path)
        self.stats.sync_sessions += 1
        return self._pull(remote_path, sink, timeout=timeout, max_bytes=max_bytes)

    def stat(self, remote_path: str, *, timeout: float) -> RemoteStat | None:
        """`sync` STAT; None when the file does not exist or cannot be read."""
        from stalkerscan.device.allowlist import check_remote_path

        check_remote_path(remote_path)
        self.stats.sync_sessions += 1
        return self._stat(remote_path, timeout=timeout)

    # -- what a concrete transport implements -------------------------------------------------

    def _shell(self, command: str, *, timeout: float, max_bytes: int | None) -> ShellResult:
        """Run a command and keep its output in memory (default: `_shell_to_file` into a
        buffer; `_shell_to_file` applies `max_bytes`)."""
        import io

        buf = io.BytesIO()
        res = self._shell_to_file(command, buf, timeout=timeout, max_bytes=max_bytes)
        return ShellResult(
            stdout=buf.getvalue(),
            stderr=res.stderr,
            exit_code=res.exit_code,
            truncated=res.truncated,
            duration_s=res.duration_s,
        )

    @abc.abstractmethod
    def _shell_to_file(
        self, command: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> StreamResult: ...

    @abc.abstractmethod
    def _pull(
        self, remote_path: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> int: ...

    @abc.abstractmethod
    def _stat(self, remote_path: str, *, timeout: float) -> RemoteStat | None: ...

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection; safe to call twice."""

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
