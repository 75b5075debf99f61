"""The ADB message codec: round trips, typed rejection of garbage, and fuzzing."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stalkerscan.simulator import protocol as p


def test_round_trip_and_header_layout() -> None:
    raw = p.encode(p.A_OPEN, 7, 0, b"shell:echo hi\x00")
    assert raw[:4] == b"OPEN" and len(raw) == 24 + 14
    [msg] = p.decode_all(raw)
    assert (msg.name, msg.arg0, msg.arg1, msg.data) == ("OPEN", 7, 0, b"shell:echo hi\x00")


def test_checksum_is_byte_sum_for_small_and_large_payloads() -> None:
    for size in (0, 1, 4096, 4097, 100_000, 1 << 20):
        data = os.urandom(size)
        assert p.checksum(data) == sum(data) & 0xFFFFFFFF
    assert p.checksum(b"\xff" * (1 << 20)) == 255 * (1 << 20)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (p.encode(p.A_OKAY, 1, 2)[:20] + b"\0\0\0\0", "bad magic"),
        (p.encode(0x12345678, 0, 0), "unknown command"),
        (p.HEADER.pack(p.A_WRTE, 1, 2, (1 << 20) + 1, 0, p.A_WRTE ^ 0xFFFFFFFF), "exceeds"),
        (
            p.encode(p.A_WRTE, 1, 2, b"abc")[:16]
            + b"\1\0\0\0"
            + p.encode(p.A_WRTE, 1, 2)[20:24]
            + b"abc",
            "checksum",
        ),
    ],
)
def test_garbage_is_rejected_with_a_typed_error(raw: bytes, reason: str) -> None:
    with pytest.raises(p.ProtocolError, match=reason):
        p.PacketDecoder().feed(raw)


def test_zero_checksum_accepted_only_when_checks_are_off() -> None:
    raw = p.encode(p.A_WRTE, 1, 2, b"payload", with_checksum=False)
    with pytest.raises(p.ProtocolError):
        p.PacketDecoder(verify_checksum=True).feed(raw)
    [msg] = p.PacketDecoder(verify_checksum=False).feed(raw)
    assert msg.data == b"payload"


def test_decoder_limit_follows_negotiated_payload() -> None:
    raw = p.encode(p.A_WRTE, 1, 2, b"x" * 5000)
    with pytest.raises(p.ProtocolError, match="exceeds"):
        p.PacketDecoder(max_payload=4096).feed(raw)


def test_decode_all_refuses_trailing_bytes() -> None:
    with pytest.raises(p.ProtocolError, match="trailing"):
        p.decode_all(p.encode(p.A_OKAY, 1, 2) + b"OK")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=1, max_value=50))
def test_arbitrary_bytes_only_ever_raise_protocol_error(data: bytes, step: int) -> None:
    dec = p.PacketDecoder(max_payload=4096)
    try:
        for i in range(0, len(data), step):
            for msg in dec.feed(data[i : i + step]):
                assert msg.command in p.KNOWN_COMMANDS
    except p.ProtocolError:
        pass


messages = st.builds(
    p.Message,
    st.sampled_from(sorted(p.KNOWN_COMMANDS)),
    st.integers(0, 0xFFFFFFFF),
    st.integers(0, 0xFFFFFFFF),
    st.binary(max_size=300),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(messages, max_size=6), st.integers(min_value=1, max_value=64))
def test_messages_survive_any_split(msgs: list[p.Message], step: int) -> None:
    stream = b"".join(p.encode_message(m) for m in msgs)
    dec = p.PacketDecoder()
    got: list[p.Message] = []
    for i in range(0, len(stream), step):
        got.extend(dec.feed(stream[i : i + step]))
    assert got == msgs and dec.pending == 0


@settings(max_examples=200, deadline=None)
@given(messages, st.data())
def test_any_corrupted_payload_or_magic_byte_is_caught(msg: p.Message, data: st.DataObject) -> None:
    raw = bytearray(p.encode_message(msg))
    # Byte 20-23 is the magic, 24+ the payload: a flip there must be detected.
    pos = data.draw(st.integers(20, len(raw) - 1))
    raw[pos] ^= data.draw(st.integers(1, 255))
    with pytest.raises(p.ProtocolError):
        p.PacketDecoder().feed(bytes(raw))
