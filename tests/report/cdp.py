"""A tiny Chrome DevTools Protocol client for the report tests (no extra dependency).

Starts headless Chromium with `--remote-debugging-port=0`, reads the DevTools WebSocket URL it
prints on stderr, and speaks just enough WebSocket (RFC 6455: masked client text frames,
unfragmented or continued server frames) to send commands and collect events.
"""

from __future__ import annotations

import base64
import json
import os
import re
import selectors
import shutil
import socket
import struct
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
)


def chromium_path() -> str | None:
    """The Chromium binary, or None when it is not installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class CDPError(Exception):
    """The browser did not answer as expected."""


class Browser:
    """One headless Chromium with a DevTools connection (use as a context manager)."""

    def __init__(self, profile_dir: Path, timeout: float = 30.0) -> None:
        self.timeout = timeout
        binary = chromium_path()
        if binary is None:
            raise CDPError("chromium not installed")
        self.proc = subprocess.Popen(
            [
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile_dir}",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.sock: socket.socket | None = None
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self._consumed: set[int] = set()
        self._buffer = b""
        try:
            self._connect(self._ws_url())
        except BaseException:
            self.close()
            raise

    def _ws_url(self) -> str:
        assert self.proc.stderr is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + self.timeout
        seen = b""
        while time.monotonic() < deadline:
            if not sel.select(timeout=deadline - time.monotonic()):
                break
            chunk = os.read(self.proc.stderr.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
            m = re.search(rb"DevTools listening on (ws://\S+)", seen)
            if m:
                return m.group(1).decode()
        raise CDPError(f"no DevTools URL from chromium: {seen[-500:]!r}")

    def _connect(self, url: str) -> None:
        parsed = urlparse(url)
        sock = socket.create_connection((parsed.hostname, parsed.port), timeout=self.timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parsed.path} HTTP/1.1\r\nHost: {parsed.hostname}:{parsed.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                raise CDPError("DevTools closed the connection during the handshake")
            head += chunk
        status, _, rest = head.partition(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n", 1)[0]:
            raise CDPError(f"WebSocket handshake refused: {status[:200]!r}")
        self._buffer = rest
        self.sock = sock

    def _recv_exact(self, n: int) -> bytes:
        assert self.sock is not None
        while len(self._buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self._buffer)))
            if not chunk:
                raise CDPError("DevTools connection closed")
            self._buffer += chunk
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def _recv_message(self) -> dict[str, Any]:
        payload = b""
        while True:
            b1, b2 = self._recv_exact(2)
            fin, opcode, length = b1 & 0x80, b1 & 0x0F, b2 & 0x7F
            if length == 126:
                (length,) = struct.unpack(">H", self._recv_exact(2))
            elif length == 127:
                (length,) = struct.unpack(">Q", self._recv_exact(8))
            data = self._recv_exact(length)
            if opcode == 0x8:
                raise CDPError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):  # ping/pong: not used by DevTools
                continue
            payload += data
            if fin:
                return dict(json.loads(payload.decode("utf-8")))

    def _send(self, message: dict[str, Any]) -> None:
        assert self.sock is not None
        data = json.dumps(message).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        elif len(data) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events seen meanwhile are kept)."""
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self._send(message)
        while True:
            reply = self._recv_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, session: str | None = None) -> dict[str, Any]:
        """Block until an event of `session` arrives that no earlier wait returned."""
        for event in self.events:
            if self._wanted(event, method, session):
                self._consumed.add(id(event))
                return event
        while True:
            event = self._recv_message()
            if "method" in event:
                self.events.append(event)
                if self._wanted(event, method, session):
                    self._consumed.add(id(event))
                    return event

    def _wanted(self, event: dict[str, Any], method: str, session: str | None) -> bool:
        return (
            event["method"] == method
            and id(event) not in self._consumed
            and (session is None or event.get("sessionId") == session)
        )

    def new_page(self) -> str:
        """A new page target, attached; returns the session id."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        return str(self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"])

    def close(self) -> None:
        """Stop the browser (only the process this object started)."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
