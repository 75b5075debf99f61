"""Many read-only commands in one shell session, split back into artifacts while streaming.

A batch is one command line:

    echo M:a:start; CMD_A 2>&1; echo M:a:rc:$?; echo M:b:start; CMD_B 2>&1; ...; echo M:end

where `M` is a random marker chosen per session. `MarkerSplitter` is the file-like sink the
transport streams into: it cuts the stream at the marker lines and hands each piece to the
artifact's writer, so a 200 MB `dumpsys package` is never held in memory.

A hostile phone may print marker-like lines. Without the random marker it cannot forge one;
even with it, a marker is only accepted in sequence: `start` of the next expected artifact,
`rc` of the current one, and an `rc` counts only once the following line is the next `start`
(or the end marker) — real output never sits between the two echo commands. An `rc` followed
by anything else was part of the output and is written back to the artifact.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

# Keep at most this many bytes of an unfinished line; longer lines are flushed as content.
# A marker line is far shorter (marker 27 bytes + artifact name + ":rc:NNN").
_LINE_KEEP = 512


def new_marker() -> str:
    """A fresh random marker (letters and digits only, so `echo` needs no quoting)."""
    return "ssk" + secrets.token_hex(12)


@dataclass(frozen=True)
class BatchItem:
    """One command of a batch: the artifact name (our own) and the exact command."""

    name: str
    command: str


def build_batch_command(marker: str, items: Sequence[BatchItem]) -> str:
    """The single command line that runs every item with its marker echoes."""
    if not re.fullmatch(r"[A-Za-z0-9]+", marker):
        raise ValueError("marker must be letters and digits")
    parts: list[str] = []
    for item in items:
        if not re.fullmatch(r"[A-Za-z0-9_]+", item.name):
            raise ValueError(f"artifact name {item.name!r} is not a safe word")
        parts.append(f"echo {marker}:{item.name}:start")
        parts.append(f"{item.command} 2>&1")
        parts.append(f"echo {marker}:{item.name}:rc:$?")
    parts.append(f"echo {marker}:end")
    return "; ".join(parts)


class ItemSink(Protocol):
    """Where one artifact's bytes go."""

    def write(self, data: bytes) -> int:
        """Take bytes of the artifact's output."""
        ...


class MarkerSplitter:
    """A write-only sink that splits a batch's output stream into its artifacts.

    `begin(i)` is called when item `i` starts and returns the sink for its bytes;
    `end(i, exit_code, complete)` when it is over (`complete=False`: the stream ended inside
    it). `stray_bytes` counts output that belonged to no item.
    """

    def __init__(
        self,
        marker: str,
        items: Sequence[BatchItem],
        begin: Callable[[int], ItemSink],
        end: Callable[[int, int | None, bool], None],
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        self._m = marker.encode("ascii")
        self._names = [item.name.encode("ascii") for item in items]
        self._rc_res = [
            re.compile(re.escape(self._m + b":" + n + b":rc:") + rb"(\d{1,3})$")
            for n in self._names
        ]
        self._begin = begin
        self._end = end
        self._on_bytes = on_bytes
        self._buf = bytearray()
        self._line_flushed = False  # part of the current line was already written as content
        self._idx = 0
        self._state = "before"  # before | inside | after_rc | done
        self._sink: ItemSink | None = None
        self._pending_rc: tuple[int, bytes] | None = None  # (exit code, the marker bytes)
        self.stray_bytes = 0
        self.bytes_seen = 0
        self.ended_cleanly = False
        self.closed = False

    # -- file-like surface the transport uses -------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Take a chunk of the stream (any size, any boundaries)."""
        chunk = bytes(data)
        self.bytes_seen += len(chunk)
        if self._on_bytes is not None:
            self._on_bytes(len(chunk))
        self._buf += chunk
        while True:
            if self._state == "inside":
                # Fast path: whole lines before any occurrence of the marker are plain output.
                pos = self._buf.find(self._m)
                cut = self._buf.rfind(b"\n", 0, len(self._buf) if pos < 0 else pos)
                if cut >= 0:
                    self._content(bytes(self._buf[: cut + 1]))
                    del self._buf[: cut + 1]
                    self._line_flushed = False
            nl = self._buf.find(b"\n")
            if nl < 0:
                break
            line = bytes(self._buf[: nl + 1])
            del self._buf[: nl + 1]
            self._line(line)
            self._line_flushed = False
        if len(self._buf) > _LINE_KEEP:
            cut = len(self._buf) - _LINE_KEEP
            if self._state == "after_rc":
                self._unconfirm_rc()
            self._content(bytes(self._buf[:cut]))
            del self._buf[:cut]
            self._line_flushed = True
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: every complete line was handed on."""

    def writable(self) -> bool:
        """Always writable."""
        return True

    # -- the end of the stream ----------------------------------------------------------------

    def finish(self) -> None:
        """The stream ended (normally or not): settle the current item."""
        if self.closed:
            return
        self.closed = True
        if self._buf:
            line = bytes(self._buf)
            self._buf.clear()
            self._line(line)
        if self._state == "after_rc" and self._pending_rc is not None:
            # The link dropped between an rc echo and the next start: the rc is real
            # unless more output followed, and none did.
            self._end(self._idx, self._pending_rc[0], True)
            self._idx += 1
        elif self._state == "inside":
            self._end(self._idx, None, False)
            self._idx += 1
        self._state = "done"

    @property
    def items_started(self) -> int:
        """How many items began (the rest were never reached)."""
        return self._idx + (1 if self._state in ("inside", "after_rc") else 0)

    # -- the state machine --------------------------------------------------------------------

    def _start_line(self, i: int) -> bytes:
        return self._m + b":" + self._names[i] + b":start"

    def _line(self, line: bytes) -> None:
        body = line.rstrip(b"\n").rstrip(b"\r")
        whole = not self._line_flushed
        if self._state == "before":
            if whole and self._names and body == self._start_line(0):
                self._open(0)
            else:
                self.stray_bytes += len(line)
        elif self._state == "inside":
            self._inside_line(line, body)
        elif self._state == "after_rc":
            if whole and self._is_next_start(body):
                self._confirm_rc_and_open_next()
            elif whole and body == self._m + b":end" and self._idx == len(self._names) - 1:
                self._confirm_rc_and_open_next()
                self.ended_cleanly = True
            else:
                self._unconfirm_rc()
                self._inside_line(line, body)
        else:  # "done": after the end marker, e.g. a transport's own status line
            self.stray_bytes += len(line)

    def _unconfirm_rc(self) -> None:
        """Output followed an rc line: that line was the phone's, not ours; give it back."""
        assert self._pending_rc is not None
        self._content(self._pending_rc[1])
        self._pending_rc = None
        self._state = "inside"

    def _inside_line(self, line: bytes, body: bytes) -> None:
        match = self._rc_res[self._idx].search(body)
        if match is not None:
            # The output may lack a final newline, so our echo lands at the end of its line.
            self._content(body[: match.start()])
            self._pending_rc = (int(match.group(1)), line[match.start() :])
            self._state = "after_rc"
            return
        self._content(line)

    def _is_next_start(self, body: bytes) -> bool:
        nxt = self._idx + 1
        return nxt < len(self._names) and body == self._start_line(nxt)

    def _confirm_rc_and_open_next(self) -> None:
        assert self._pending_rc is not None
        self._end(self._idx, self._pending_rc[0], True)
        self._pending_rc = None
        self._sink = None
        if self._idx + 1 < len(self._names):
            self._open(self._idx + 1)
        else:
            self._idx += 1
            self._state = "done"

    def _open(self, i: int) -> None:
        self._idx = i
        self._sink = self._begin(i)
        self._state = "inside"

    def _content(self, data: bytes) -> None:
        if not data:
            return
        if self._state in ("inside", "after_rc") and self._sink is not None:
            self._sink.write(data)
        else:
            self.stray_bytes += len(data)
