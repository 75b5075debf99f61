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


def test_entry_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.deviceidle as deviceidle

    many = "".join(f"user,org.example.p{i},{10000 + i}\n" for i in range(12))
    assert parse_deviceidle_whitelist(many).truncated is False
    monkeypatch.setattr(deviceidle, "MAX_ENTRIES", 5)
    d = parse_deviceidle_whitelist(many)
    assert len(d.entries) == 5 and d.truncated is True
    assert d.entries[-1].package == "org.example.p4"
    normal = (FIXTURES / "deviceidle" / "android14_whitelist.txt").read_bytes()
    monkeypatch.setattr(deviceidle, "MAX_ENTRIES", 30_000)
    assert parse_deviceidle_whitelist(normal).truncated is False


test_garbage_never_raises = never_raises_on_garbage(parse_deviceidle_whitelist)
test_mutations_never_raise = never_raises_on_mutations(parse_deviceidle_whitelist, FILES)
