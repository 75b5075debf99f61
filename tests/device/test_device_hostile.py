"""A hostile "phone" (a scripted adbd on a real socket) cannot make the transport hoard memory
or write more than announced: it gets a DeviceProtocolError instead."""

from __future__ import annotations

import contextlib
import io
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest
from devsupport import quick

from stalkerscan.device.connect import open_transport
from stalkerscan.errors import DeviceProtocolError
from stalkerscan.simulator import protocol as p

BANNER = b"device::ro.product.model=Hostile;features=cmd\0"


def _read_msg(conn: socket.socket) -> p.Message | None:
    head = b""
    while len(head) < 24:
        chunk = conn.recv(24 - len(head))
        if not chunk:
            return None
        head += chunk
    command, arg0, arg1, length, _, _ = struct.unpack("<6I", head)
    data = b""
    while len(data) < length:
        chunk = conn.recv(length - len(data))
        if not chunk:
            return None
        data += chunk
    return p.Message(command, arg0, arg1, data)


Script = Callable[[socket.socket, p.Message], None]


@contextlib.contextmanager
def hostile_device(on_open: Script) -> Iterator[str]:
    """Answer CNXN normally, then run `on_open` for the first OPEN."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = srv.accept()
            with conn:
                while (msg := _read_msg(conn)) is not None:
                    if msg.command == p.A_CNXN:
                        conn.sendall(p.encode(p.A_CNXN, p.A_VERSION_MIN, 4096, BANNER))
                    elif msg.command == p.A_OPEN:
                        on_open(conn, msg)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{srv.getsockname()[1]}"
    finally:
        srv.close()


def flood_unknown_streams(conn: socket.socket, msg: p.Message) -> None:
    conn.sendall(p.encode(p.A_OKAY, 1, msg.arg0))
    for i in range(400):  # packets for a stream id we never opened
        conn.sendall(p.encode(p.A_WRTE, 7, 1000 + i, b"x" * 100))


def announce_huge_payload(conn: socket.socket, msg: p.Message) -> None:
    conn.sendall(p.encode(p.A_OKAY, 1, msg.arg0))
    header = struct.pack("<6I", p.A_WRTE, 1, msg.arg0, 64 * 1024 * 1024, 0, p.A_WRTE ^ 0xFFFFFFFF)
    conn.sendall(header + b"y" * 4096)


def oversized_sync_file(conn: socket.socket, msg: p.Message) -> None:
    """Announce 10 bytes in STAT, then send 50 in RECV."""
    local, remote = 1, msg.arg0
    conn.sendall(p.encode(p.A_OKAY, local, remote))
    while (m := _read_msg(conn)) is not None:
        if m.command == p.A_WRTE:
            conn.sendall(p.encode(p.A_OKAY, local, remote))
            if m.data.startswith(b"STAT"):
                reply = b"STAT" + struct.pack("<III", 0o100644, 10, 0)
            else:
                reply = b"DATA" + struct.pack("<I", 50) + b"z" * 50 + b"DONE\0\0\0\0"
            conn.sendall(p.encode(p.A_WRTE, local, remote, reply))
        elif m.command == p.A_CLSE:
            conn.sendall(p.encode(p.A_CLSE, local, remote))
            return


@pytest.mark.parametrize("script", [flood_unknown_streams, announce_huge_payload])
def test_hostile_packets_are_refused(script: Script) -> None:
    with (
        hostile_device(script) as serial,
        open_transport(serial, opts=quick()) as t,
        pytest.raises(DeviceProtocolError, match="does not follow the ADB protocol"),
    ):
        t.shell("getenforce", timeout=5)


def test_a_file_longer_than_announced_is_cut_at_the_announced_size() -> None:
    sink = io.BytesIO()
    with (
        hostile_device(oversized_sync_file) as serial,
        open_transport(serial, opts=quick()) as t,
        pytest.raises(DeviceProtocolError, match="more data"),
    ):
        t.pull("/data/app/x/base.apk", sink, timeout=5)
    assert len(sink.getvalue()) <= 10
