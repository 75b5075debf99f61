"""deviceidle whitelist: kinds, packages, uids (Android 7 and 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.evidence.deviceidle import parse_deviceidle_whitelist

from ._device_checks import (
    FIXTURES,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("deviceidle")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("deviceidle", path, parse_deviceidle_whitelist(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_deviceidle_whitelist, path.read_bytes())


def test_android14_user_exemptions() -> None:
    d = parse_deviceidle_whitelist(
        (FIXTURES / "deviceidle" / "android14_whitelist.txt").read_bytes()
    )
    assert d.user_exempted() == (
        "org.example.tracker",
        "org.example.notes",
        "org.example.workhelper",
    )
    assert d.entries[0].kind == "system-excidle" and d.entries[0].uid == 2000
    assert {e.kind for e in d.entries} == {"system-excidle", "system", "user"}


def test_unknown_lines_counted() -> None:
    d = parse_deviceidle_whitelist("user,org.example.a,10001\nDeprecated: use cmd deviceidle\n")
    assert d.user_exempted() == ("org.example.a",)
    assert d.issues.unparsed_lines == 1
    assert parse_deviceidle_whitelist("").entries == ()
    assert parse_deviceidle_whitelist("Can't find service: deviceidle").unavailable


test_garbage_never_raises = never_raises_on_garbage(parse_deviceidle_whitelist)
test_mutations_never_raise = never_raises_on_mutations(parse_deviceidle_whitelist, FILES)
