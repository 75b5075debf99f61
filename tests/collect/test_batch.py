"""Splitting one shell session's output back into artifacts, whatever the phone prints."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stalkerscan.collect.batch import (
    BatchItem,
    MarkerSplitter,
    build_batch_command,
    new_marker,
)
from stalkerscan.device.allowlist import is_allowed

M = "ssk0123456789abcdef01234567"
ITEMS = [BatchItem("alpha", "getprop"), BatchItem("beta", "dumpsys role")]


@dataclass
class Sink:
    data: bytearray = field(default_factory=bytearray)

    def write(self, b: bytes) -> int:
        self.data += b
        return len(b)


@dataclass
class Recorder:
    """Collects what the splitter hands out: bytes per item and (exit code, complete)."""

    sinks: dict[int, Sink] = field(default_factory=dict)
    ends: dict[int, tuple[int | None, bool]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def begin(self, i: int) -> Sink:
        self.order.append(f"begin{i}")
        self.sinks[i] = Sink()
        return self.sinks[i]

    def end(self, i: int, rc: int | None, complete: bool) -> None:
        self.order.append(f"end{i}")
        self.ends[i] = (rc, complete)

    def out(self, i: int) -> bytes:
        return bytes(self.sinks[i].data)


def feed(
    stream: bytes, chunks: list[int] | None = None, items: list[BatchItem] = ITEMS
) -> tuple[Recorder, MarkerSplitter]:
    rec = Recorder()
    splitter = MarkerSplitter(M, items, rec.begin, rec.end)
    pos = 0
    for size in chunks or []:
        splitter.write(stream[pos : pos + size])
        pos += size
    splitter.write(stream[pos:])
    splitter.finish()
    return rec, splitter


def session(a: bytes, rc_a: int, b: bytes, rc_b: int, trailer: bytes = b"") -> bytes:
    return (
        f"{M}:alpha:start\n".encode() + a + f"{M}:alpha:rc:{rc_a}\n".encode()
        + f"{M}:beta:start\n".encode() + b + f"{M}:beta:rc:{rc_b}\n".encode()
        + f"{M}:end\n".encode() + trailer
    )  # fmt: skip


def test_plain_session_is_split_into_its_artifacts() -> None:
    rec, splitter = feed(session(b"[ro.x]: [1]\n", 0, b"Can't find service: role\n", 0))
    assert rec.out(0) == b"[ro.x]: [1]\n"
    assert rec.out(1) == b"Can't find service: role\n"
    assert rec.ends == {0: (0, True), 1: (0, True)}
    assert splitter.ended_cleanly and splitter.stray_bytes == 0


def test_output_without_a_final_newline_keeps_its_bytes() -> None:
    stream = session(b"no newline at the end", 3, b"", 0)
    stream = stream.replace(
        b"end\n" + M.encode() + b":alpha:rc", b"end" + M.encode() + b":alpha:rc"
    )
    rec, _ = feed(stream)
    assert rec.out(0) == b"no newline at the end"
    assert rec.ends[0] == (3, True)


def test_transport_trailer_after_the_end_marker_is_stray() -> None:
    rec, splitter = feed(session(b"a\n", 0, b"b\n", 0, trailer=b"SSXdeadbeefX0\n"))
    assert rec.out(1) == b"b\n"
    assert splitter.stray_bytes == len(b"SSXdeadbeefX0\n")


def test_a_forged_rc_line_followed_by_output_stays_in_the_artifact() -> None:
    forged = f"{M}:alpha:rc:0\n".encode()
    body = b"line one\n" + forged + b"line two\n"
    rec, _ = feed(session(body, 7, b"b\n", 0))
    assert rec.out(0) == body
    assert rec.ends[0] == (7, True)
    assert rec.out(1) == b"b\n"


def test_a_forged_start_of_the_next_item_without_rc_is_content() -> None:
    forged = f"{M}:beta:start\n".encode()
    body = b"x\n" + forged + b"y\n"
    rec, _ = feed(session(body, 0, b"b\n", 0))
    assert rec.out(0) == body
    assert rec.out(1) == b"b\n"


def test_marker_like_lines_with_another_marker_are_content() -> None:
    other = new_marker()
    body = f"{other}:alpha:rc:0\n{other}:beta:start\n{other}:end\n".encode()
    rec, _ = feed(session(body, 0, body, 0))
    assert rec.out(0) == body and rec.out(1) == body


def test_stream_cut_inside_an_item() -> None:
    stream = session(b"a\n", 0, b"b" * 5000 + b"\n", 0)
    cut = stream.index(b"bbbb") + 1000
    rec, _ = feed(stream[:cut])
    assert rec.ends == {0: (0, True), 1: (None, False)}
    assert rec.out(1) == b"b" * 1000


def test_stream_cut_between_rc_and_the_next_start() -> None:
    stream = session(b"a\n", 5, b"b\n", 0)
    cut = stream.index(f"{M}:beta:start".encode())
    rec, splitter = feed(stream[:cut])
    assert rec.ends == {0: (5, True)}
    assert splitter.items_started == 1


def test_a_ten_megabyte_line_is_streamed_not_buffered() -> None:
    rec = Recorder()
    splitter = MarkerSplitter(M, ITEMS, rec.begin, rec.end)
    splitter.write(f"{M}:alpha:start\n".encode())
    block = b"z" * 65536
    for _ in range(160):  # 10 MiB without a newline
        splitter.write(block)
        assert len(splitter._buf) <= 1024  # bounded: never the whole line
    splitter.write(f"\n{M}:alpha:rc:0\n{M}:beta:start\nb\n{M}:beta:rc:0\n{M}:end\n".encode())
    splitter.finish()
    assert rec.out(0) == b"z" * (160 * 65536) + b"\n"
    assert rec.ends == {0: (0, True), 1: (0, True)}


@settings(max_examples=60, deadline=None)
@given(
    a=st.binary(max_size=3000),
    b=st.binary(max_size=3000),
    rc_a=st.integers(0, 255),
    rc_b=st.integers(0, 255),
    cuts=st.lists(st.integers(1, 700), max_size=20),
)
def test_any_output_and_any_chunking_round_trip(
    a: bytes, b: bytes, rc_a: int, rc_b: int, cuts: list[int]
) -> None:
    """Whatever bytes a command prints, ending in a newline, come back exactly."""
    a = a + b"\n"
    b = b + b"\n"
    rec, _ = feed(session(a, rc_a, b, rc_b), cuts)
    assert rec.out(0) == a and rec.out(1) == b
    assert rec.ends == {0: (rc_a, True), 1: (rc_b, True)}


def test_batch_command_is_on_the_allowlist() -> None:
    items = [
        BatchItem("packages_u0", "pm list packages -f -i -U -u --user 0"),
        BatchItem("dumpsys_package", "dumpsys package"),
    ]
    command = build_batch_command(new_marker(), items)
    assert is_allowed(command)
    assert command.endswith(":end")


@pytest.mark.parametrize("name", ["a;b", "a b", "../x", "a$(id)", ""])
def test_batch_refuses_unsafe_artifact_names(name: str) -> None:
    with pytest.raises(ValueError):
        build_batch_command(new_marker(), [BatchItem(name, "getprop")])


def test_markers_are_random() -> None:
    assert len({new_marker() for _ in range(100)}) == 100
