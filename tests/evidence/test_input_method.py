"""input_method: installed, enabled and current keyboards; the secure-setting helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.evidence.input_method import (
    parse_default_input_method,
    parse_enabled_input_methods,
    parse_input_method,
)

from ._device_checks import (
    FIXTURES,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("input_method")
IME = FIXTURES / "input_method"
LATIN = "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("input_method", path, parse_input_method(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_input_method, path.read_bytes())


def test_android9_third_party_keyboard_in_use() -> None:
    d = parse_input_method((IME / "android9_gboard.txt").read_bytes())
    assert d.installed == (LATIN, "org.example.keys/org.example.keys.KeyService")
    assert d.current == "org.example.keys/org.example.keys.KeyService"
    assert d.per_user[0].user == 0
    assert d.enabled() == d.installed


def test_android15_per_user() -> None:
    d = parse_input_method((IME / "android15_per_user.txt").read_bytes())
    assert d.current == LATIN
    assert [(u.user, u.enabled) for u in d.per_user] == [
        (0, (LATIN,)),
        (10, ("org.example.workkeys/org.example.workkeys.WorkIme",)),
    ]


def test_setting_helpers() -> None:
    assert parse_enabled_input_methods(f"{LATIN};-921088104;529847764:org.example.k/.Ime") == (
        LATIN,
        "org.example.k/org.example.k.Ime",
    )
    assert parse_enabled_input_methods("") == ()
    assert parse_enabled_input_methods(None) == ()
    assert parse_default_input_method("org.example.k/.Ime") == "org.example.k/org.example.k.Ime"
    assert parse_default_input_method("null-ish value") is None
    assert parse_default_input_method(None) is None


def test_empty_and_unavailable() -> None:
    d = parse_input_method("")
    assert d.current is None and d.installed == ()
    assert parse_input_method("Can't find service: input_method").unavailable


def test_bad_id_counted() -> None:
    assert parse_input_method("    mId=???\n").issues.unparsed_lines == 1


test_garbage_never_raises = never_raises_on_garbage(parse_input_method)
test_mutations_never_raise = never_raises_on_mutations(parse_input_method, FILES)


def test_android7_samsung_current_from_cur_method_id() -> None:
    d = parse_input_method((IME / "android7_samsung.txt").read_bytes())
    assert d.current == "com.sec.android.inputmethod/com.sec.android.inputmethod.SamsungKeypad"
    assert "org.example.keylogger/org.example.keylogger.Board" in d.enabled()
    assert d.issues.unparsed_lines == 0


def _imes(ids: int, users: int, enabled: int) -> str:
    out = ["Current Input Method Manager state:"]
    for i in range(ids):
        out += [f"  InputMethod #{i}:", f"    mId=org.example.k{i}/.Ime mIsVrOnly=false"]
    for u in range(users):
        joined = ":".join(f"org.example.k{u}x{e}/.Ime" for e in range(enabled))
        out += [
            "  mSettings:",
            f"    mCurrentUserId={u}",
            f"    mEnabledInputMethodsStrCache={joined}",
        ]
    return "\n".join(out) + "\n"


def test_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.input_method as input_method

    assert parse_input_method((IME / "android15_per_user.txt").read_bytes()).truncated is False
    assert parse_input_method(_imes(3, 2, 2)).truncated is False
    monkeypatch.setattr(input_method, "MAX_INPUT_METHODS", 2)
    d = parse_input_method(_imes(5, 1, 1))
    assert d.installed == ("org.example.k0/org.example.k0.Ime", "org.example.k1/org.example.k1.Ime")
    assert d.truncated is True
    monkeypatch.setattr(input_method, "MAX_INPUT_METHODS", 2_000)
    monkeypatch.setattr(input_method, "MAX_USER_STATES", 3)
    d = parse_input_method(_imes(1, 5, 1))
    assert [u.user for u in d.per_user] == [0, 1, 2] and d.truncated is True
    monkeypatch.setattr(input_method, "MAX_USER_STATES", 256)
    monkeypatch.setattr(input_method, "MAX_ENABLED", 5)
    d = parse_input_method(_imes(1, 2, 4))
    assert [len(u.enabled) for u in d.per_user] == [4, 1] and d.truncated is True
