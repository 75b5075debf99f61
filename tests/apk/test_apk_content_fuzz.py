"""Parsers of hostile bytes never raise anything but ApkError, whatever the input."""

from __future__ import annotations

import contextlib
import struct
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stalkerscan.errors import ApkError
from stalkerscan.evidence.apk import analyse_apk
from stalkerscan.evidence.apk_content import (
    dex_strings,
    extract_hosts,
    hosts_in_strings,
    resource_strings,
    string_pool,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def dex_with_table(count: int, table: int, body: bytes) -> bytes:
    header = bytearray(b"dex\n035\x00" + bytes(0x70 - 8))
    struct.pack_into("<II", header, 0x38, count, table)
    return bytes(header) + body


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.binary(max_size=2000))
def test_dex_strings_survive_any_string_table(count: int, table: int, body: bytes) -> None:
    out = dex_strings(dex_with_table(count, table, body))
    assert isinstance(out, list)


@FAST
@given(st.binary(max_size=3000), st.integers(0, 100))
def test_string_pool_survives_anything(data: bytes, offset: int) -> None:
    assert isinstance(string_pool(data, offset), list)
    strings, exact = resource_strings(b"\x03\x00\x08\x00" + data)
    assert isinstance(strings, list) and isinstance(exact, bool)


@FAST
@given(st.lists(st.text(max_size=300), max_size=20))
def test_hosts_in_strings_survive_any_text(strings: list[str]) -> None:
    for ref in hosts_in_strings(strings, "x"):
        assert ref.host == ref.host.lower() and ref.host.isascii()


BENIGN = (
    Path(__file__).resolve().parents[2] / "stalkerscan/simulator/apks/benign.apk"
).read_bytes()


@FAST
@given(st.lists(st.tuples(st.integers(0, len(BENIGN) - 1), st.integers(0, 255)), max_size=12))
def test_damaged_apk_gives_apk_error_or_unparseable_never_a_crash(
    flips: list[tuple[int, int]],
) -> None:
    data = bytearray(BENIGN)
    for pos, value in flips:
        data[pos] = value
    with contextlib.suppress(ApkError):
        assert isinstance(extract_hosts(bytes(data)), list)
    info = analyse_apk(bytes(data))
    assert info.unparseable is None or info.unparseable.strip()
