"""The byte-level parsers both transports share, fed hostile and well-formed streams."""

from __future__ import annotations

import contextlib
import io
import struct
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stalkerscan.device.adbserver import parse_devices_l
from stalkerscan.device.adbshell import DeviceBanner
from stalkerscan.device.wire import (
    SYNC_DATA_MAX,
    LimitedSink,
    LinkClosed,
    MarkerStripper,
    StreamReader,
    read_file,
    read_shell_v2,
    read_stat_reply,
    with_exit_marker,
)
from stalkerscan.errors import DeviceError, DeviceProtocolError, RemoteFileError


def source(data: bytes, chunk: int = 7) -> Callable[[], bytes]:
    """A read_some() that hands out `data` in small pieces, then b""."""
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)]

    def read_some() -> bytes:
        return pieces.pop(0) if pieces else b""

    return read_some


def data_msg(payload: bytes) -> bytes:
    return b"DATA" + struct.pack("<I", len(payload)) + payload


DONE = b"DONE" + struct.pack("<I", 0)


def test_read_file_copies_chunks() -> None:
    sink = io.BytesIO()
    stream = data_msg(b"hello ") + data_msg(b"world") + DONE
    n = read_file(
        StreamReader(source(stream)), sink, remote_path="/x", announced_size=11, max_bytes=None
    )
    assert n == 11 and sink.getvalue() == b"hello world"


def test_more_than_announced_is_refused_before_writing() -> None:
    sink = io.BytesIO()
    stream = data_msg(b"a" * 10) + data_msg(b"b" * 10) + DONE
    with pytest.raises(DeviceProtocolError, match="more data"):
        read_file(
            StreamReader(source(stream)), sink, remote_path="/x", announced_size=15, max_bytes=None
        )
    assert sink.getvalue() == b"a" * 10  # never past the announced size


def test_fewer_than_announced_is_an_error() -> None:
    with pytest.raises(DeviceProtocolError, match="announced 20"):
        read_file(
            StreamReader(source(data_msg(b"a" * 10) + DONE)),
            io.BytesIO(),
            remote_path="/x",
            announced_size=20,
            max_bytes=None,
        )


def test_an_oversized_chunk_is_refused_without_reading_it() -> None:
    head = b"DATA" + struct.pack("<I", SYNC_DATA_MAX + 1)
    with pytest.raises(DeviceProtocolError, match="protocol allows"):
        read_file(
            StreamReader(source(head)),
            io.BytesIO(),
            remote_path="/x",
            announced_size=None,
            max_bytes=None,
        )


def test_fail_is_a_file_error_with_the_reason() -> None:
    reason = b"open failed: No such file or directory"
    stream = b"FAIL" + struct.pack("<I", len(reason)) + reason
    with pytest.raises(RemoteFileError, match="No such file"):
        read_file(
            StreamReader(source(stream)),
            io.BytesIO(),
            remote_path="/x",
            announced_size=None,
            max_bytes=None,
        )


def test_unknown_ids_and_short_streams_are_protocol_errors() -> None:
    with pytest.raises(DeviceProtocolError, match="unexpected message"):
        read_file(
            StreamReader(source(b"QQQQ\0\0\0\0")),
            io.BytesIO(),
            remote_path="/x",
            announced_size=None,
            max_bytes=None,
        )
    with pytest.raises(LinkClosed):
        read_file(
            StreamReader(source(b"DATA\x10\0\0\0abc")),
            io.BytesIO(),
            remote_path="/x",
            announced_size=None,
            max_bytes=None,
        )
    with pytest.raises(DeviceProtocolError):
        read_stat_reply(StreamReader(source(b"NOPE" + b"\0" * 12)))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=300))
def test_read_file_on_garbage_never_overflows(data: bytes, announced: int) -> None:
    sink = io.BytesIO()
    with contextlib.suppress(DeviceError, LinkClosed):  # an error is fine; too much is not
        read_file(
            StreamReader(source(data)),
            sink,
            remote_path="/x",
            announced_size=announced,
            max_bytes=None,
        )
    assert len(sink.getvalue()) <= announced


@pytest.mark.parametrize("chunk", [1, 3, 8, 1000])
@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_marker_is_stripped_whatever_the_chunking(chunk: int, ending: bytes) -> None:
    marker = "SSXabcX"
    out: list[bytes] = []
    stripper = MarkerStripper(marker, out.append)
    body = b"line one\nline two\n" * 5
    data = body + marker.encode() + b"127" + ending
    for i in range(0, len(data), chunk):
        stripper.feed(data[i : i + chunk])
    assert stripper.finish() == 127
    assert b"".join(out) == body


def test_missing_marker_keeps_all_output_and_no_status() -> None:
    out: list[bytes] = []
    stripper = MarkerStripper("SSXabcX", out.append)
    stripper.feed(b"cut off in the middle")
    assert stripper.finish() is None
    assert b"".join(out) == b"cut off in the middle"


def test_marker_command_passes_the_allowlist() -> None:
    from stalkerscan.device.allowlist import check_command
    from stalkerscan.device.wire import new_marker

    check_command(with_exit_marker("dumpsys role", new_marker()))


def v2(ident: int, data: bytes) -> bytes:
    return struct.pack("<BI", ident, len(data)) + data


def test_shell_v2_separates_streams_and_reads_the_exit_code() -> None:
    stream = v2(1, b"out1 ") + v2(2, b"err!") + v2(1, b"out2") + v2(3, b"\x7f")
    out: list[bytes] = []
    res = read_shell_v2(StreamReader(source(stream)), out.append, max_bytes=None)
    assert b"".join(out) == b"out1 out2" and res.stderr == b"err!" and res.exit_code == 127


def test_shell_v2_truncates_and_refuses_oversized_packets() -> None:
    out: list[bytes] = []
    res = read_shell_v2(
        StreamReader(source(v2(1, b"x" * 100) + v2(3, b"\0"))), out.append, max_bytes=40
    )
    assert res.truncated and b"".join(out) == b"x" * 40 and res.exit_code is None
    with pytest.raises(DeviceProtocolError):
        read_shell_v2(
            StreamReader(source(struct.pack("<BI", 1, 1 << 30))), out.append, max_bytes=None
        )


def test_limited_sink() -> None:
    got: list[bytes] = []
    sink = LimitedSink(got.append, 5)
    sink(b"abc")
    sink(b"defg")
    assert b"".join(got) == b"abcde" and sink.truncated and sink.size == 5


def test_banner_parsing() -> None:
    raw = (
        b"device::ro.product.name=p;ro.product.model=Fictional 7;ro.product.device=d;"
        b"features=shell_v2,cmd\0"
    )
    banner = DeviceBanner.parse(raw)
    assert banner.kind == "device" and banner.model == "Fictional 7"
    assert banner.features == frozenset({"shell_v2", "cmd"})
    assert DeviceBanner.parse(b"\xff\xfegarbage").model is None


def test_devices_l_parsing_with_no_permissions() -> None:
    text = (
        "R58M123 device usb:1-1 product:x model:Galaxy_S10 device:beyond1 transport_id:1\n"
        "emulator-5554 offline transport_id:2\n"
        "0123456789 no permissions (missing udev rules? user is in the plugdev group); "
        "see [http://developer.android.com/tools/device.html] usb:1-4 transport_id:3\n"
    )
    rows = parse_devices_l(text)
    assert [(r.serial, r.state, r.model) for r in rows] == [
        ("R58M123", "device", "Galaxy S10"),
        ("emulator-5554", "offline", None),
        ("0123456789", "no permissions", None),
    ]
    assert rows[2].details.get("usb") == "1-4"


def test_shell_v2_without_an_exit_packet_was_cut() -> None:
    out: list[bytes] = []
    with pytest.raises(LinkClosed):
        read_shell_v2(StreamReader(source(v2(1, b"partial"))), out.append, max_bytes=None)
    assert b"".join(out) == b"partial"
