"""device.py: getenforce, date +%s (clock skew), which su / which sha256sum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from stalkerscan.evidence.device import (
    parse_device_time,
    parse_getenforce,
    parse_which,
    parse_which_sha256sum,
    parse_which_su,
)

from ._device_checks import never_raises_on_garbage


def test_getenforce_modes() -> None:
    assert parse_getenforce("Enforcing\n").mode == "enforcing"
    assert parse_getenforce("Permissive\r\n").mode == "permissive"
    assert parse_getenforce(b"\xff\xfeD\x00i\x00s\x00a\x00b\x00l\x00e\x00d\x00").mode == "disabled"


def test_getenforce_unknown_is_counted() -> None:
    r = parse_getenforce("/system/bin/sh: getenforce: not found\n")
    assert r.mode is None
    assert r.issues.unparsed_lines == 1
    assert parse_getenforce("").mode is None


def test_device_time_and_skew() -> None:
    t = parse_device_time("1707602400\n", host_epoch_seconds=1707602460.5)
    assert t.epoch_seconds == 1707602400
    assert t.skew_seconds == -60.5  # the phone is a minute behind
    assert parse_device_time("1707602400").skew_seconds is None


def test_device_time_garbage() -> None:
    t = parse_device_time("Sat Feb 10 22:00:00 GMT 2024\n", host_epoch_seconds=1.0)
    assert t.epoch_seconds is None and t.skew_seconds is None
    assert t.issues.unparsed_lines == 1


def test_which_su_present_and_absent() -> None:
    present = parse_which_su("/system/xbin/su\n")
    assert present.present and present.path == "/system/xbin/su" and present.name == "su"
    assert not parse_which_su("").present  # toybox: exit 1, no output
    absent = parse_which_su("which: no su in (/sbin:/system/bin:/system/xbin)\n")
    assert not absent.present and absent.issues.unparsed_lines == 0


def test_which_sha256sum() -> None:
    r = parse_which_sha256sum("/system/bin/sha256sum\r\n")
    assert r.present and r.path == "/system/bin/sha256sum"
    assert not parse_which_sha256sum("/system/bin/sh: which: not found\n").present


def test_which_other_name_is_not_taken() -> None:
    r = parse_which("/system/bin/sudo\n", "su")
    assert not r.present and r.issues.unparsed_lines == 1


@given(st.integers(0, 10**11), st.floats(0, 10**11, allow_nan=False))
def test_skew_is_difference(epoch: int, host: float) -> None:
    t = parse_device_time(f"{epoch}\n", host_epoch_seconds=host)
    assert t.skew_seconds == round(epoch - host, 3)


test_getenforce_garbage = never_raises_on_garbage(parse_getenforce)
test_time_garbage = never_raises_on_garbage(parse_device_time)
test_which_garbage = never_raises_on_garbage(parse_which_su)
test_which_sha256sum_garbage = never_raises_on_garbage(parse_which_sha256sum)

# Real output of each command on Android 7-16 (and a refusal), to cut and mutate below.
_REAL = [
    (parse_getenforce, "Enforcing\n"),
    (parse_getenforce, "Permissive\r\n"),
    (parse_getenforce, "/system/bin/sh: getenforce: inaccessible or not found\n"),
    (parse_device_time, "1763600000\n"),
    (parse_which_su, "/system/xbin/su\n"),
    (parse_which_su, "/sbin/su\n/system/bin/su\n"),
    (parse_which_sha256sum, "/system/bin/sha256sum\n"),
]


@given(
    st.sampled_from(_REAL),
    st.floats(0, 1),
    st.lists(st.tuples(st.floats(0, 1), st.text(max_size=4)), max_size=4),
)
def test_truncated_and_mutated_real_output_never_raises(
    case: tuple[Callable[[Any], object], str], cut: float, edits: list[tuple[float, str]]
) -> None:
    parse, text = case
    expected = type(parse(text))
    assert type(parse(text[: int(cut * len(text))])) is expected
    for where, insert in edits:
        i = int(where * len(text))
        text = text[:i] + insert + text[i + 1 :]
    assert type(parse(text)) is expected
    assert type(parse(text.encode("utf-16-le"))) is expected
