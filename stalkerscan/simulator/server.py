"""The simulated phone: the device side of the real ADB protocol over TCP, answering from a profile.

Python API (stable; tests, transports, benchmarks and the trainers' demo use it):

    from stalkerscan.simulator.server import SimulatedPhone

    with SimulatedPhone(profile, host="127.0.0.1", port=0, log_path=None) as phone:
        phone.port            # the TCP port the OS chose
        phone.serial_tcp      # "127.0.0.1:PORT", what `adb connect` / `--serial` take
        phone.command_log     # CommandLog: .entries() -> [LogEntry], .commands() -> [str], .clear()
        phone.stats           # PhoneStats: connections, shell_sessions, sync_sessions, bytes_in/out
        phone.events          # [(time, conn, text)]: AUTH decisions, faults, protocol errors
        phone.set_faults(drop_after_commands=3)   # change faults (validated) on the running phone
        phone.set_link(bulk_mb_s=35)              # change the latency model
    # or: phone.start() ... phone.stop();  phone.serve_forever() runs in the foreground.

`profile` is a `Profile` or a path to a profile folder / profile.yaml (ProfileError if
malformed); binding a busy port raises OSError. Services: `shell:CMD` (protocol v1: stdout and
stderr merged, no exit code), `shell,v2,OPTS:CMD` (stdout, stderr and exit code framed),
`exec:CMD` (merged, raw), `sync:` (STAT, LIST, RECV, QUIT); `shell:` / `shell,v2,...:` without a
command is an interactive shell. Anything else is refused with CLSE. The profile format, the
latency model and the faults are described in docs/profile-format.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from stalkerscan.simulator import protocol as p
from stalkerscan.simulator.adbkey import AdbPublicKey, KeyFormatError, parse_public_key
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.shell import ShellRun

# Shell protocol v2 packet ids (adb's shell_protocol.h).
SHELL_STDIN, SHELL_STDOUT, SHELL_STDERR, SHELL_EXIT = 0, 1, 2, 3
SHELL_CLOSE_STDIN, SHELL_WINDOW_SIZE = 4, 5


# --- command log and counters ----------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    """One service request the phone received."""

    time: float  # UNIX time
    conn: int  # connection number, from 1
    peer: str  # "127.0.0.1:54321"
    kind: str  # "shell" (v1), "shell_v2", "exec", "sync", "refused"
    service: str  # the service as opened, without the command ("shell,v2,TERM=xterm,raw")
    command: str  # the command line; for sync: "RECV /path", "STAT /path", "LIST /path"


class CommandLog:
    """Thread-safe record of every service request; optionally mirrored to a JSON-lines file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._entries: list[LogEntry] = []
        self._lock = threading.Lock()
        self._listeners: list[Callable[[LogEntry], None]] = []
        self._file = None
        if path is not None:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._file = os.fdopen(fd, "a", encoding="utf-8")

    def add(self, entry: LogEntry) -> None:
        """Record one entry."""
        with self._lock:
            self._entries.append(entry)
            if self._file is not None:
                self._file.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
                self._file.flush()
            listeners = list(self._listeners)
        for listener in listeners:
            listener(entry)

    def subscribe(self, listener: Callable[[LogEntry], None]) -> None:
        """Call `listener(entry)` for every new entry (from the connection's thread)."""
        with self._lock:
            self._listeners.append(listener)

    def entries(self) -> list[LogEntry]:
        """A copy of all entries so far."""
        with self._lock:
            return list(self._entries)

    def commands(self) -> list[str]:
        """The shell command lines received (shell v1, shell v2 and exec), in order."""
        return [e.command for e in self.entries() if e.kind in ("shell", "shell_v2", "exec")]

    def clear(self) -> None:
        """Forget the entries so far (the file keeps them)."""
        with self._lock:
            self._entries.clear()

    def close(self) -> None:
        """Close the JSON-lines file, if any."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self.entries())


class PhoneStats:
    """Counters a benchmark reads; `snapshot()` gives a consistent dict."""

    FIELDS = ("connections", "shell_sessions", "sync_sessions", "bytes_in", "bytes_out")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.connections = 0
        self.shell_sessions = 0
        self.sync_sessions = 0
        self.bytes_in = 0
        self.bytes_out = 0

    def add(self, name: str, n: int = 1) -> None:
        """Increment one counter."""
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def snapshot(self) -> dict[str, int]:
        """All counters at one instant."""
        with self._lock:
            return {f: getattr(self, f) for f in self.FIELDS}

    def reset(self) -> None:
        """Zero all counters."""
        with self._lock:
            for f in self.FIELDS:
                setattr(self, f, 0)


# --- latency ---------------------------------------------------------------------------------


class _Pacer:
    """A virtual clock of the phone's work: charges extend it, `settle` sleeps until it is due.

    Work charged while the phone already waits (for the host's OKAY, or computing a digest
    for real) starts from "now", so the host's own processing time is never counted twice,
    and the simulator's CPU time overlaps the modelled time instead of adding to it. Nothing
    charged means no sleep at all.
    """

    def __init__(self) -> None:
        self.due = 0.0

    def charge(self, seconds: float) -> None:
        if seconds > 0:
            self.due = max(self.due, time.perf_counter()) + seconds

    def settle(self) -> None:
        # Sleeps shorter than 1 ms are not worth a syscall: the debt stays on the clock and
        # is slept off with the next charge.
        delay = self.due - time.perf_counter()
        if delay >= 0.001:
            time.sleep(delay)


# --- connections and streams -----------------------------------------------------------------


class _Dropped(Exception):
    """The connection is gone (closed by the host, by a fault, or by stop())."""


class _Stream:
    """One open stream: the device's end with per-stream flow control."""

    def __init__(self, conn: _Connection, local_id: int, remote_id: int, service: str) -> None:
        self.conn = conn
        self.local_id = local_id
        self.remote_id = remote_id
        self.service = service
        self.cond = threading.Condition()
        self.can_write = True  # the host's OPEN means it is ready for the first WRTE
        self.closed = False  # the host sent CLSE, or the connection died
        self.sent_close = False
        self.inbox = bytearray()
        self.pacer = _Pacer()
        self.bytes_sent = 0  # payload bytes, for the drop_in_*_after_bytes faults
        self._out = bytearray()

    # -- reader-thread side --

    def on_okay(self) -> None:
        with self.cond:
            self.can_write = True
            self.cond.notify_all()

    def on_write(self, data: bytes) -> None:
        with self.cond:
            self.inbox += data
            self.cond.notify_all()

    def on_close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    # -- worker side --

    def read_exact(self, n: int) -> bytes | None:
        """Wait for `n` bytes from the host; None when the stream closes first."""
        with self.cond:
            while len(self.inbox) < n and not self.closed:
                self.cond.wait()
            if len(self.inbox) < n:
                return None
            data = bytes(self.inbox[:n])
            del self.inbox[:n]
            return data

    def read_some(self) -> bytes | None:
        """Wait for any bytes from the host; None when the stream closes first."""
        with self.cond:
            while not self.inbox and not self.closed:
                self.cond.wait()
            if not self.inbox:
                return None
            data = bytes(self.inbox)
            self.inbox.clear()
            return data

    def write(self, data: bytes, *, bulk: bool = True) -> None:
        """Queue bytes for the host; sends whole max-payload packets as they fill."""
        self._out += data
        limit = self.conn.max_payload
        while len(self._out) >= limit:
            self._send_packet(bytes(self._out[:limit]), bulk)
            del self._out[:limit]

    def flush(self, *, bulk: bool = True) -> None:
        """Send whatever is queued."""
        while self._out:
            piece = bytes(self._out[: self.conn.max_payload])
            del self._out[: len(piece)]
            self._send_packet(piece, bulk)

    def _send_packet(self, data: bytes, bulk: bool) -> None:
        faults = self.conn.phone.profile.faults
        slow = faults.slow_bytes_per_s
        if slow:
            step = max(1, int(slow / 20))  # about 20 packets a second
            for i in range(0, len(data), step):
                piece = data[i : i + step]
                self.pacer.charge(len(piece) / slow)
                self._send_one(piece, bulk)
        else:
            self._send_one(data, bulk)

    def _send_one(self, data: bytes, bulk: bool) -> None:
        link = self.conn.phone.profile.link
        if link.write_ms:
            self.pacer.charge(link.write_ms / 1000)
        if bulk and link.bulk_mb_s:
            self.pacer.charge(len(data) / (link.bulk_mb_s * 1e6))
        self.pacer.settle()
        with self.cond:
            while not self.can_write and not self.closed:
                self.cond.wait()
            if self.closed:
                raise _Dropped
            self.can_write = False
        self.conn.send(p.A_WRTE, self.local_id, self.remote_id, data)
        self.bytes_sent += len(data)

    def wait_acked(self) -> None:
        """Wait until the host acknowledged the last WRTE (or closed)."""
        with self.cond:
            while not self.can_write and not self.closed:
                self.cond.wait()

    def close(self) -> None:
        """Send CLSE once and forget the stream."""
        with self.cond:
            already = self.sent_close
            self.sent_close = True
        if not already and not self.conn.dead:
            with contextlib.suppress(_Dropped):
                self.conn.send(p.A_CLSE, self.local_id, self.remote_id)
        self.conn.forget(self.local_id)


class _Connection:
    """One TCP connection from a host: the reader loop plus one worker thread per stream."""

    def __init__(self, phone: SimulatedPhone, sock: socket.socket, number: int) -> None:
        self.phone = phone
        self.sock = sock
        self.number = number
        try:
            host, port = sock.getpeername()[:2]
            self.peer = f"{host}:{port}"
        except OSError:
            self.peer = "?"
        self.send_lock = threading.Lock()
        self.streams: dict[int, _Stream] = {}
        self.streams_lock = threading.Lock()
        self.next_id = 1
        self.dead = False
        self.online = False
        self.version = p.A_VERSION_MIN
        self.max_payload = min(4096, phone.profile.link.max_payload)
        self.token = b""
        self.decoder = p.PacketDecoder(max_payload=p.MAX_PAYLOAD, verify_checksum=True)

    # -- I/O --

    def send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        """Send one message; raise _Dropped when the connection is gone."""
        # Always fill in the checksum: adb-shell verifies it whatever the version.
        raw = p.encode(command, arg0, arg1, data)
        with self.send_lock:
            if self.dead:
                raise _Dropped
            try:
                self.sock.sendall(raw)
            except OSError:
                self.dead = True
                raise _Dropped from None
        self.phone.stats.add("bytes_out", len(raw))

    def drop(self) -> None:
        """Cut the TCP connection (faults, stop()); wakes every waiting worker."""
        self.dead = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        with self.streams_lock:
            streams = list(self.streams.values())
        for s in streams:
            s.on_close()

    def forget(self, local_id: int) -> None:
        """Remove a finished stream."""
        with self.streams_lock:
            self.streams.pop(local_id, None)

    def _recv(self) -> bytes:
        if hasattr(socket, "TCP_QUICKACK"):
            # Linux re-enables delayed ACKs after a while; without quick ACKs a client that
            # writes header and payload separately waits ~40 ms per packet (Nagle).
            with contextlib.suppress(OSError):
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return self.sock.recv(256 * 1024)

    def run(self) -> None:
        """Serve the connection until the host leaves, sends garbage, or a fault drops it."""
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while not self.dead:
                try:
                    data = self._recv()
                except OSError:
                    break
                if not data:
                    break
                self.phone.stats.add("bytes_in", len(data))
                if self.phone.profile.faults.never_answer_cnxn:
                    continue  # read and discard: the host waits for an answer that never comes
                try:
                    messages = self.decoder.feed(data)
                except p.ProtocolError as err:
                    self.phone._event(self.number, f"protocol error, connection closed: {err}")
                    break
                for msg in messages:
                    self._handle(msg)
                    if self.dead:
                        break
        except _Dropped:
            pass
        finally:
            self.drop()
            with contextlib.suppress(OSError):
                self.sock.close()

    # -- packet handling (reader thread) --

    def _handle(self, msg: p.Message) -> None:
        if msg.command == p.A_CNXN:
            self._on_cnxn(msg)
        elif msg.command == p.A_AUTH:
            self._on_auth(msg)
        elif not self.online:
            return  # adbd ignores everything else until the host is authorised
        elif msg.command == p.A_OPEN:
            self._on_open(msg)
        elif msg.command in (p.A_OKAY, p.A_WRTE, p.A_CLSE):
            with self.streams_lock:
                stream = self.streams.get(msg.arg1)
            if stream is None or (msg.arg0 != stream.remote_id and msg.command != p.A_CLSE):
                return  # unknown or stale stream: ignore, as adbd does
            if msg.command == p.A_OKAY:
                stream.on_okay()
            elif msg.command == p.A_WRTE:
                self.send(p.A_OKAY, stream.local_id, stream.remote_id)  # acknowledge every WRTE
                stream.on_write(msg.data)
            else:
                stream.on_close()
                stream.close()
        # SYNC and STLS are ignored (TLS is not advertised).

    def _on_cnxn(self, msg: p.Message) -> None:
        self.version = (
            min(p.A_VERSION, msg.arg0) if msg.arg0 >= p.A_VERSION_MIN else p.A_VERSION_MIN
        )
        self.max_payload = max(p.MIN_PAYLOAD, min(msg.arg1, self.phone.profile.link.max_payload))
        self.online = False
        auth = self.phone.profile.auth
        if auth.required or self.phone.profile.faults.refuse_auth:
            self._send_token()
        else:
            self._go_online()

    def _send_token(self) -> None:
        self.token = os.urandom(20)
        self.send(p.A_AUTH, p.AUTH_TOKEN, 0, self.token)

    def _go_online(self) -> None:
        self.online = True
        self.send(p.A_CNXN, self.version, self.max_payload, self.phone.profile.banner())
        # Real adb stops computing checksums once both sides speak 0x01000001.
        self.decoder.verify_checksum = self.version < p.A_VERSION_SKIP_CHECKSUM
        self.decoder.max_payload = max(self.max_payload, p.MIN_PAYLOAD)

    def _on_auth(self, msg: p.Message) -> None:
        if self.online or not self.token:
            return
        faults = self.phone.profile.faults
        if msg.arg0 == p.AUTH_SIGNATURE:
            key = (
                None if faults.refuse_auth else self.phone._key_for_signature(self.token, msg.data)
            )
            if key is not None:
                self.phone._event(self.number, "auth: known key accepted by signature")
                self._go_online()
            else:
                self.phone._event(self.number, "auth: signature refused, new token sent")
                self._send_token()
        elif msg.arg0 == p.AUTH_RSAPUBLICKEY:
            try:
                key = parse_public_key(msg.data)
            except KeyFormatError as err:
                self.phone._event(self.number, f"auth: malformed public key ({err})")
                return
            if faults.refuse_auth or not self.phone.profile.auth.accept_new_keys:
                # Like a phone whose "Allow USB debugging?" prompt nobody answers: no reply.
                self.phone._event(self.number, "auth: new key refused")
                return
            self.phone._remember_key(key)
            self.phone._event(self.number, "auth: new key accepted")
            self._go_online()

    def _on_open(self, msg: p.Message) -> None:
        service = msg.data.rstrip(b"\x00").decode("utf-8", errors="replace")
        remote_id = msg.arg0
        if remote_id == 0:
            return
        kind, options, command = _classify(service)
        phone = self.phone
        faults = phone.profile.faults
        phone.command_log.add(LogEntry(time.time(), self.number, self.peer, kind, options, command))
        if kind in ("shell", "shell_v2", "exec"):
            if phone._count_command_and_check_drop():
                phone._event(self.number, f"fault drop_after_commands: dropped at {command!r}")
                self.drop()
                return
            if faults.drop_on_command and re.search(faults.drop_on_command, command):
                phone._event(self.number, f"fault drop_on_command: dropped at {command!r}")
                self.drop()
                return
        if kind == "refused" and faults.close_refused_services:
            self.send(p.A_CLSE, 0, remote_id)
            return
        if kind in ("shell", "shell_v2", "exec"):
            phone.stats.add("shell_sessions")
        elif kind == "sync":
            phone.stats.add("sync_sessions")
        with self.streams_lock:
            local_id = self.next_id
            self.next_id += 1
            stream = _Stream(self, local_id, remote_id, service)
            self.streams[local_id] = stream
        worker = threading.Thread(
            target=self._serve_stream,
            args=(stream, kind, options, command),
            name=f"sim-stream-{self.number}-{local_id}",
            daemon=True,
        )
        worker.start()

    # -- services (one worker thread per stream) --

    def _serve_stream(self, stream: _Stream, kind: str, options: str, command: str) -> None:
        try:
            link = self.phone.profile.link
            if link.stream_open_ms:
                stream.pacer.charge(link.stream_open_ms / 1000)
                stream.pacer.settle()
            self.send(p.A_OKAY, stream.local_id, stream.remote_id)
            faults = self.phone.profile.faults
            if kind in ("shell", "shell_v2", "exec"):
                if faults.hang_on_command and re.search(faults.hang_on_command, command):
                    self.phone._event(self.number, f"fault hang_on_command: hanging on {command!r}")
                    stream.read_exact(1 << 62)  # returns only when the stream or connection closes
                    return
                self._serve_shell(stream, kind, options, command)
            elif kind == "sync":
                self._serve_sync(stream)
            # a refused service with close_refused_services false: opened, then closed at once
        except _Dropped:
            pass
        except Exception as err:  # a bug must not take the phone down, only this stream
            self.phone._event(self.number, f"internal error in {kind}: {err!r}")
        finally:
            stream.close()

    def _serve_shell(self, stream: _Stream, kind: str, options: str, command: str) -> None:
        phone = self.phone
        link = phone.profile.link
        faults = phone.profile.faults
        if link.shell_run_ms:
            stream.pacer.charge(link.shell_run_ms / 1000)

        def on_hash(nbytes: int) -> None:
            rate = phone.profile.link.hash_mb_s
            if rate:
                stream.pacer.charge(nbytes / (rate * 1e6))

        def on_run(ms: float) -> None:
            stream.pacer.charge(ms / 1000)

        run = ShellRun(phone.profile, command, on_hash=on_hash, on_run=on_run)
        limit = faults.drop_in_shell_after_bytes
        v2 = kind == "shell_v2"
        if command == "":  # adbd starts an interactive shell only for an empty command
            self._interactive(stream, kind, options)
            return
        for fd, data in run.chunks():
            if v2:
                for i in range(0, len(data), 1 << 20):
                    piece = data[i : i + (1 << 20)]
                    self._shell_write(stream, struct.pack("<BI", fd, len(piece)) + piece, limit)
            else:
                self._shell_write(stream, data, limit)
        if v2:
            code = run.exit_code or 0
            stream.write(struct.pack("<BIB", SHELL_EXIT, 1, code), bulk=False)
        stream.flush()
        stream.pacer.settle()
        stream.wait_acked()

    def _interactive(self, stream: _Stream, kind: str, options: str) -> None:
        """`adb shell` without a command: read lines from the host and run each one.

        With a pty (what adbd gives a terminal: `shell:` v1, or v2 with `pty`) the phone echoes
        keystrokes, edits the line (backspace, Ctrl-C, Ctrl-D), prints a prompt and turns `\n`
        into `\r\n`, and stderr joins stdout. Raw (`shell,v2,raw:`, stdin not a terminal) runs
        lines silently until stdin closes.
        """
        phone = self.phone
        v2 = kind == "shell_v2"
        opts = options.split(",")[1:]
        pty = "raw" not in opts if v2 else True
        device = phone.profile.properties.get("ro.product.device") or "localhost"
        prompt = f"{device}:/ $ ".encode()
        status = 0
        line = bytearray()
        escape = 0  # bytes of a terminal escape sequence (arrow keys) still to skip

        def out(fd: int, data: bytes) -> None:
            if pty:
                fd, data = SHELL_STDOUT, data.replace(b"\n", b"\r\n")
            if data:
                stream.write(struct.pack("<BI", fd, len(data)) + data if v2 else data)

        def term(data: bytes) -> None:  # echo and prompt: the terminal's own bytes, as they are
            stream.write(struct.pack("<BI", SHELL_STDOUT, len(data)) + data if v2 else data)

        def run_line() -> bool:
            nonlocal status
            text = line.decode("utf-8", errors="replace")
            line.clear()
            if text.strip():
                phone.command_log.add(
                    LogEntry(time.time(), self.number, self.peer, kind, options, text)
                )
                run = ShellRun(phone.profile, text, last_status=status)
                for fd, data in run.chunks():
                    out(fd, data)
                status = run.exit_code or 0
                if run.exited:
                    return False
            if pty:
                term(prompt)
            stream.flush()
            return True

        def read_input() -> bytes | None:
            if not v2:
                return stream.read_some()
            while True:
                head = stream.read_exact(5)
                if head is None:
                    return None
                ident, n = struct.unpack("<BI", head)
                body = stream.read_exact(n) if n else b""
                if body is None or ident == SHELL_CLOSE_STDIN:
                    return None
                if ident == SHELL_STDIN:
                    return body
                # window-size changes and anything else: ignored

        if pty:
            term(prompt)
            stream.flush()
        alive = True
        while alive:
            data = read_input()
            if data is None:
                break
            for b in data:
                if not pty:
                    if b == 0x0A:
                        alive = run_line()
                    else:
                        line.append(b)
                elif escape == 2:  # after ESC: `[` starts a CSI sequence, else it is over
                    escape = 1 if b == 0x5B else 0
                elif escape == 1:  # CSI parameters until a final byte (arrow keys: ESC [ A)
                    escape = 0 if 0x40 <= b <= 0x7E else 1
                elif b == 0x1B:
                    escape = 2
                elif b in (0x0D, 0x0A):
                    term(b"\r\n")
                    alive = run_line()
                elif b in (0x7F, 0x08):
                    if line:
                        line.pop()
                        term(b"\x08 \x08")
                elif b == 0x03:
                    line.clear()
                    term(b"^C\r\n" + prompt)
                elif b == 0x04 and not line:
                    alive = False
                elif b >= 0x20 or b == 0x09:
                    line.append(b)
                    term(bytes([b]))
                if not alive:
                    break
            stream.flush()
        if not pty and line and alive:
            run_line()  # the last line had no newline before stdin closed
        if v2:
            stream.write(struct.pack("<BIB", SHELL_EXIT, 1, status), bulk=False)
        stream.flush()
        stream.wait_acked()

    def _shell_write(self, stream: _Stream, data: bytes, limit: int | None) -> None:
        if limit is not None:
            queued = stream.bytes_sent + len(stream._out)
            if queued + len(data) > limit:
                stream.write(data[: max(0, limit - queued)])
                stream.flush()
                stream.wait_acked()
                self.phone._event(self.number, "fault drop_in_shell_after_bytes: dropped")
                self.drop()
                raise _Dropped
        stream.write(data)

    def _serve_sync(self, stream: _Stream) -> None:
        phone = self.phone
        while True:
            stream.flush()
            head = stream.read_exact(8)
            if head is None:
                return
            ident, length = p.SYNC_REQUEST.unpack(head)
            name = ident.decode("latin-1")
            if length > p.SYNC_PATH_MAX:
                self._sync_fail(stream, "path too long")
                return
            if ident == b"QUIT":
                return
            payload = stream.read_exact(length) if length else b""
            if payload is None:
                return
            path = payload.decode("utf-8", errors="surrogateescape")
            phone.command_log.add(
                LogEntry(time.time(), self.number, self.peer, "sync", "sync", f"{name} {path}")
            )
            if ident == b"STAT":
                st = phone.profile.stat(path) or (0, 0, 0)
                stream.write(
                    p.SYNC_STAT.pack(b"STAT", st[0], st[1] & 0xFFFFFFFF, st[2]), bulk=False
                )
            elif ident == b"LIST":
                for entry_name, mode, size, mtime in phone.profile.listdir(path) or []:
                    raw = entry_name.encode("utf-8", errors="surrogateescape")
                    stream.write(
                        p.SYNC_DENT.pack(b"DENT", mode, size & 0xFFFFFFFF, mtime, len(raw)) + raw
                    )
                for extra in phone.profile.faults.sync_list_extra_names:
                    # Hostile: names the directory cannot hold (`../x`, `a/b`, control bytes).
                    raw = extra.encode("utf-8", errors="surrogateescape")
                    entry = p.SYNC_DENT.pack(b"DENT", 0o100644, 0, 0, len(raw)) + raw
                    stream.write(entry)
                stream.write(p.SYNC_DENT.pack(b"DONE", 0, 0, 0, 0), bulk=False)
            elif ident == b"RECV":
                self._sync_recv(stream, path)
            else:
                # SEND (push) and the v2 requests: the simulated phone is read-only and does not
                # advertise stat_v2/ls_v2/sendrecv_v2.
                self._sync_fail(stream, f"{name} is not supported by the simulated phone")
                return

    def _sync_fail(self, stream: _Stream, message: str) -> None:
        raw = message.encode()
        stream.write(p.SYNC_REQUEST.pack(b"FAIL", len(raw)) + raw, bulk=False)
        stream.flush()
        stream.wait_acked()

    def _sync_recv(self, stream: _Stream, path: str) -> None:
        profile = self.phone.profile
        f = profile.files.get(path)
        if f is None:
            reason = "Is a directory" if profile.is_dir(path) else "No such file or directory"
            self._sync_fail(
                stream, f"open failed: {reason}" if reason[0] == "N" else f"read failed: {reason}"
            )
            return
        if not f.readable:
            self._sync_fail(stream, "open failed: Permission denied")
            return
        faults = profile.faults
        limit = faults.drop_in_sync_after_bytes
        sent = 0

        def chunks() -> Iterator[bytes]:
            yield from f.content.chunks()
            extra = faults.sync_extra_bytes or 0
            while extra > 0:  # hostile: more DATA than the file (and STAT) announced
                n = min(p.SYNC_DATA_MAX, extra)
                yield b"\xee" * n
                extra -= n

        for chunk in chunks():
            for i in range(0, len(chunk), p.SYNC_DATA_MAX):
                piece = chunk[i : i + p.SYNC_DATA_MAX]
                if limit is not None and sent + len(piece) > limit:
                    cut = piece[: limit - sent]
                    if cut:
                        stream.write(p.SYNC_REQUEST.pack(b"DATA", len(piece)) + cut)
                    stream.flush()
                    stream.wait_acked()
                    self.phone._event(self.number, "fault drop_in_sync_after_bytes: dropped")
                    self.drop()
                    raise _Dropped
                stream.write(p.SYNC_REQUEST.pack(b"DATA", len(piece)) + piece)
                sent += len(piece)
        stream.write(p.SYNC_REQUEST.pack(b"DONE", 0), bulk=False)
        stream.flush()
        stream.pacer.settle()


def _classify(service: str) -> tuple[str, str, str]:
    """(kind, service without command, command) of an OPEN payload."""
    if service.startswith("shell") and ":" in service:
        head, command = service.split(":", 1)
        options = head.split(",")
        if options[0] == "shell":
            # `shell,v2,TERM=xterm,raw:` – only v2 changes the framing; TERM and raw/pty are
            # accepted and ignored (output is always raw, as adbd does for a command).
            return ("shell_v2" if "v2" in options[1:] else "shell"), head, command
    if service.startswith("exec:"):
        return "exec", "exec", service[5:]
    if service in ("sync:", "sync"):
        return "sync", "sync", ""
    return "refused", service, ""


# --- the phone -------------------------------------------------------------------------------


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    phone: SimulatedPhone


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.server.phone._serve_connection(self.request)


class SimulatedPhone:
    """An adbd on a TCP port answering from a device profile (see the module docstring)."""

    def __init__(
        self,
        profile: Profile | str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log_path: str | Path | None = None,
    ) -> None:
        self.profile = profile if isinstance(profile, Profile) else Profile.load(profile)
        self.command_log = CommandLog(log_path)
        self.stats = PhoneStats()
        self.events: list[tuple[float, int, str]] = []
        self._lock = threading.Lock()
        self._accepted_keys: list[AdbPublicKey] = []
        self._known_keys = [parse_public_key(k) for k in self.profile.auth.known_keys]
        self._commands_opened = 0
        self._drop_done = False
        self._connections: set[_Connection] = set()
        self._conn_count = 0
        self._thread: threading.Thread | None = None
        self._serving = False
        self._server = _Server((host, port), _Handler, bind_and_activate=True)
        self._server.phone = self
        self.host = host
        self.port: int = self._server.server_address[1]

    # -- public API --

    @property
    def serial_tcp(self) -> str:
        """`HOST:PORT`, the serial adb and stalkerscan use for this phone."""
        return f"{self.host}:{self.port}"

    def start(self) -> SimulatedPhone:
        """Serve in a background thread; returns self."""
        if self._thread is None:
            self._serving = True  # before the thread runs, so that an early stop() waits for it
            self._thread = threading.Thread(
                target=self.serve_forever, name=f"simulated-phone-{self.port}", daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until `stop()` (or KeyboardInterrupt)."""
        self._serving = True
        try:
            self._server.serve_forever(poll_interval=0.02)
        finally:
            self._serving = False

    def stop(self) -> None:
        """Stop accepting, cut every connection, release the port; safe to call twice."""
        if self._serving:
            self._server.shutdown()
        with self._lock:
            conns = list(self._connections)
        for c in conns:
            c.drop()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.command_log.close()

    def set_faults(self, **faults: Any) -> None:
        """Replace the profile's faults with these (validated; unnamed knobs reset to default)."""
        self.profile = self.profile.with_changes(faults=faults)

    def set_link(self, **link: Any) -> None:
        """Replace the latency model with these knobs (validated; others reset to 0)."""
        self.profile = self.profile.with_changes(link=link)

    def __enter__(self) -> SimulatedPhone:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals used by connections --

    def _serve_connection(self, sock: socket.socket) -> None:
        with self._lock:
            self._conn_count += 1
            conn = _Connection(self, sock, self._conn_count)
            self._connections.add(conn)
        self.stats.add("connections")
        try:
            conn.run()
        finally:
            with self._lock:
                self._connections.discard(conn)

    def _event(self, conn: int, text: str) -> None:
        with self._lock:
            self.events.append((time.time(), conn, text))

    def _count_command_and_check_drop(self) -> bool:
        limit = self.profile.faults.drop_after_commands
        with self._lock:
            self._commands_opened += 1
            if limit is not None and not self._drop_done and self._commands_opened > limit:
                self._drop_done = True
                return True
        return False

    def _remember_key(self, key: AdbPublicKey) -> None:
        with self._lock:
            self._accepted_keys.append(key)

    def _key_for_signature(self, token: bytes, signature: bytes) -> AdbPublicKey | None:
        with self._lock:
            keys = self._known_keys + self._accepted_keys
        for key in keys:
            if key.verify(token, signature):
                return key
        return None
