"""role: holders per user (Android 10, 14), several holders, unavailable on Android 9."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.evidence.role import ROLE_ASSISTANT, ROLE_SMS, parse_role

from ._device_checks import (
    FIXTURES,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("role")
R = FIXTURES / "role"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("role", path, parse_role(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_role, path.read_bytes())


def test_android9_unavailable() -> None:
    d = parse_role((R / "android9_unavailable.txt").read_bytes())
    assert d.unavailable == "Can't find service: role"
    assert d.roles == ()


def test_android10_single_user() -> None:
    d = parse_role((R / "android10_single_user.txt").read_bytes())
    assert d.holders_of(ROLE_SMS) == ("org.example.sms",)
    assert d.holders_of("android.app.role.CALL_REDIRECTION") == ()
    assert len(d.roles) == 6 and d.issues.unparsed_lines == 0


def test_android14_two_users_and_lists() -> None:
    d = parse_role((R / "android14_two_users.txt").read_bytes())
    assert d.holders_of(ROLE_ASSISTANT) == ("org.example.assistant",)
    assert d.holders_of(ROLE_SMS, user=10) == ("org.example.worksms",)
    assert d.holders_of(ROLE_SMS, user=None) == (
        "com.google.android.apps.messaging",
        "org.example.worksms",
    )
    assert d.holders_of("android.app.role.SYSTEM_GALLERY") == (
        "com.google.android.apps.photos",
        "org.example.gallery",
    )


def test_odd_lines_counted() -> None:
    d = parse_role(
        "user_states={\n  user_id=0\n  roles={\n    name=x\n    holders=bad value!\n  }\n}\n"
    )
    assert d.roles[0].holders == ()
    assert d.issues.unparsed_lines == 1
    assert parse_role("").roles == ()


test_garbage_never_raises = never_raises_on_garbage(parse_role)
test_mutations_never_raise = never_raises_on_mutations(parse_role, FILES)


def test_android16_private_space_user() -> None:
    d = parse_role((R / "android16_private_space.txt").read_bytes())
    assert d.holders_of("android.app.role.DIALER") == ("org.example.dialer",)
    assert d.holders_of("android.app.role.BROWSER", user=11) == ("com.android.chrome",)
    assert d.holders_of("android.app.role.BROWSER", user=0) == ()
    assert d.issues.unparsed_lines == 0


def _roles(n: int, holders: int) -> str:
    out = ["user_states={", "  user_id=0", "  roles=["]
    for r in range(n):
        out += ["    {", f"      name=org.example.role.R{r}", "      holders=["]
        out += [f"        org.example.h{r}x{h}" for h in range(holders)]
        out += ["      ]", "    }"]
    return "\n".join([*out, "  ]", "}"]) + "\n"


def test_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.role as role

    assert parse_role((R / "android14_two_users.txt").read_bytes()).truncated is False
    assert parse_role(_roles(6, 3)).truncated is False
    monkeypatch.setattr(role, "MAX_ROLES", 4)
    d = parse_role(_roles(6, 1))
    assert len(d.roles) == 4 and d.truncated is True
    monkeypatch.setattr(role, "MAX_ROLES", 5_000)
    monkeypatch.setattr(role, "MAX_HOLDERS_PER_ROLE", 2)
    d = parse_role(_roles(2, 5))
    assert [len(r.holders) for r in d.roles] == [2, 2] and d.truncated is True
    assert d.roles[0].holders == ("org.example.h0x0", "org.example.h0x1")
    monkeypatch.setattr(role, "MAX_HOLDERS_PER_ROLE", 1_000)
    monkeypatch.setattr(role, "MAX_HOLDERS", 7)
    d = parse_role(_roles(3, 3))
    assert sum(len(r.holders) for r in d.roles) == 7 and d.truncated is True
