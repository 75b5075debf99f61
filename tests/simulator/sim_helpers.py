"""Constants and small helpers shared by the simulated phone's tests."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from stalkerscan.simulator import protocol as p

MINIMAL = Path(__file__).resolve().parents[2] / "fixtures" / "profiles" / "minimal"
NOTES_APK = "/data/app/~~Zm9vYmFy==/org.example.notes-QmFzZTY0==/base.apk"
WEATHER_APK = "/data/app/~~YmF6cXV4==/org.example.weather-V2VhdGhlcg==/base.apk"
BIG_APK = "/data/app/~~big==/org.example.big-Qg==/base.apk"
BIG_SIZE = 20 * 1024 * 1024


class RawClient:
    """A minimal host side of the ADB protocol, to test the phone packet by packet."""

    def __init__(self, port: int, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.decoder = p.PacketDecoder(max_payload=p.MAX_PAYLOAD, verify_checksum=True)
        self.pending: list[p.Message] = []

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(
        self, command: int, arg0: int, arg1: int, data: bytes = b"", *, checksum: bool = True
    ) -> None:
        self.sock.sendall(p.encode(command, arg0, arg1, data, with_checksum=checksum))

    def recv(self, timeout: float | None = None) -> p.Message | None:
        """The next message; None when the phone closed the connection."""
        old = self.sock.gettimeout()
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            while not self.pending:
                try:
                    data = self.sock.recv(1 << 20)
                except ConnectionResetError:
                    return None
                if not data:
                    return None
                self.pending.extend(self.decoder.feed(data))
            return self.pending.pop(0)
        finally:
            self.sock.settimeout(old)

    def silent_for(self, seconds: float) -> bool:
        """True when nothing (not even EOF) arrives within `seconds`."""
        try:
            msg = self.recv(timeout=seconds)
        except TimeoutError:
            return True
        if msg is not None:
            self.pending.insert(0, msg)
        return False

    def connect(
        self, version: int = p.A_VERSION_MIN, max_payload: int = p.MAX_PAYLOAD
    ) -> p.Message | None:
        self.send(p.A_CNXN, version, max_payload, b"host::features=shell_v2\x00")
        return self.recv()

    def open(self, local_id: int, service: str) -> p.Message | None:
        self.send(p.A_OPEN, local_id, 0, service.encode() + b"\x00")
        return self.recv()

    def read_stream(self, local_id: int, remote_id: int) -> tuple[bytes, list[int], bool]:
        """Acknowledge and collect WRTEs until CLSE; (data, packet sizes, closed cleanly)."""
        data = bytearray()
        sizes: list[int] = []
        while True:
            msg = self.recv()
            if msg is None:
                return bytes(data), sizes, False
            if msg.command == p.A_WRTE:
                data += msg.data
                sizes.append(len(msg.data))
                self.send(p.A_OKAY, local_id, remote_id)
            elif msg.command == p.A_CLSE:
                self.send(p.A_CLSE, local_id, remote_id)
                return bytes(data), sizes, True

    def shell(self, local_id: int, service: str) -> tuple[bytes, bool]:
        """Open a service, read it to the end: (output, closed cleanly)."""
        okay = self.open(local_id, service)
        assert okay is not None and okay.command == p.A_OKAY, okay
        data, _, clean = self.read_stream(local_id, okay.arg0)
        return data, clean

    def sync_request(self, local_id: int, remote_id: int, ident: bytes, path: str) -> None:
        raw = path.encode()
        self.send(p.A_WRTE, local_id, remote_id, p.SYNC_REQUEST.pack(ident, len(raw)) + raw)

    def read_until(
        self, local_id: int, remote_id: int, predicate: Callable[[bytes], object]
    ) -> bytes | None:
        """Acknowledge WRTEs into a buffer until `predicate(buffer)`; None on EOF."""
        buf = bytearray()
        while not predicate(bytes(buf)):
            msg = self.recv()
            if msg is None:
                return None
            if msg.command == p.A_WRTE:
                buf += msg.data
                self.send(p.A_OKAY, local_id, remote_id)
            elif msg.command == p.A_OKAY:
                continue
            elif msg.command == p.A_CLSE:
                return bytes(buf)
        return bytes(buf)


def parse_v2(data: bytes) -> tuple[bytes, bytes, int | None]:
    """Split shell protocol v2 output into (stdout, stderr, exit code)."""
    out, err, code = bytearray(), bytearray(), None
    i = 0
    while i + 5 <= len(data):
        ident = data[i]
        n = int.from_bytes(data[i + 1 : i + 5], "little")
        body = data[i + 5 : i + 5 + n]
        if ident == 1:
            out += body
        elif ident == 2:
            err += body
        elif ident == 3:
            code = body[0]
        i += 5 + n
    assert i == len(data), "trailing bytes in shell v2 output"
    return bytes(out), bytes(err), code


def parse_sync_recv(data: bytes) -> tuple[bytes, str] | None:
    """DATA chunks up to DONE -> (content, "DONE"), or (b"", FAIL message); None if incomplete."""
    out = bytearray()
    i = 0
    while i + 8 <= len(data):
        ident, n = p.SYNC_REQUEST.unpack(data[i : i + 8])
        if ident == b"DONE":
            return bytes(out), "DONE"
        if i + 8 + n > len(data):
            return None
        if ident == b"FAIL":
            return b"", data[i + 8 : i + 8 + n].decode()
        assert ident == b"DATA", ident
        out += data[i + 8 : i + 8 + n]
        i += 8 + n
    return None
