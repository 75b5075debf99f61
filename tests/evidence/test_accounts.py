"""accounts: types and counts per user; masking removes every account name before saving."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stalkerscan.evidence.accounts import mask_account_dump, parse_accounts

from ._device_checks import (
    FIXTURES,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("account")
A = FIXTURES / "account"
NAMES = (
    "alex.example@gmail.com",
    "second.person@gmail.com",
    "+44 7700 900123",
    "Alex Example",
    "sam.fictional@example.com",
    "sam_f",
    "sam@work.example.org",
    "Sam Fictional",
    "robin.placeholder@example.net",
    "Robin Placeholder",
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden_of_masked(path: Path) -> None:
    masked = mask_account_dump(path.read_text(encoding="utf-8"))
    check_golden("account", path, parse_accounts(masked))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_accounts, path.read_bytes())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_masking_hides_names_keeps_types(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    masked = mask_account_dump(raw)
    for name in NAMES:
        assert name not in masked
    assert parse_accounts(masked) == parse_accounts(raw)
    assert mask_account_dump(masked) == masked  # idempotent: masking twice changes nothing


def test_android9_counts() -> None:
    d = parse_accounts(mask_account_dump((A / "android9_raw.txt").read_text()))
    (u,) = d.users
    assert u.declared_count == 3
    assert [(t.type, t.count) for t in u.types] == [("com.google", 2), ("org.example.chat", 1)]
    assert "org.example.helper.account" in d.authenticator_types


def test_android14_work_profile() -> None:
    d = parse_accounts(mask_account_dump((A / "android14_work_profile_raw.txt").read_text()))
    assert [(u.user, u.declared_count) for u in d.users] == [(0, 2), (10, 1)]
    # The visibility table repeats an account: it is not counted twice.
    assert [(t.type, t.count) for t in d.users[0].types] == [
        ("com.google", 1),
        ("org.example.social", 1),
    ]
    assert d.types() == ("com.google", "org.example.social")


def test_mask_is_stable_within_one_dump() -> None:
    text = (
        "    Account {name=a@example.com, type=com.google}\n"
        "    Account {name=a@example.com, type=com.google}\n"
        "    Account {name=b@example.com, type=com.google}\n"
    )
    lines = mask_account_dump(text).split("\n")
    assert lines[0] == lines[1] != lines[2]
    assert "<masked:1>" in lines[0] and "<masked:2>" in lines[2]


def test_cut_line_is_masked_to_the_end() -> None:
    masked = mask_account_dump("    Account {name=cut.off.person@exa")
    assert "cut.off" not in masked and "{name=<masked:" in masked


def test_name_with_newlines_is_masked_on_every_line() -> None:
    text = (
        "  Accounts: 1\n"
        "    Account {name=first part\nsecond part\nthird part, type=org.example.t}\n"
        "\n  Active Sessions: 0\n"
    )
    masked = mask_account_dump(text)
    assert "part" not in masked
    assert "type=org.example.t}" in masked and "Active Sessions: 0" in masked


def test_hostile_lines_stay_masked_and_fast() -> None:
    # Unclosed names repeated on long lines: the pattern would backtrack; masking stays linear.
    text = ("Account {name=secret" * 39 + "\n") * 2000 + ("x" * 700 + " name=other\n") * 50
    masked = mask_account_dump(text)
    assert "secret" not in masked and "other" not in masked


def _skeleton(names: list[str], types: list[str]) -> str:
    lines = ["User UserInfo{0:NAME0:c13}:", f"  Accounts: {len(names)}"]
    lines += [f"    Account {{name=NAME{i + 1}, type={t}}}" for i, t in enumerate(types)]
    lines += ["", "  Active Sessions: 0"]
    return "\n".join(lines) + "\n"


_NAME = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\n\r"),
    min_size=1,
    max_size=30,
)
_TYPE = st.from_regex(r"[a-z]{2,8}(\.[a-z]{2,8}){1,2}", fullmatch=True)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_NAME, _TYPE), min_size=1, max_size=5), _NAME)
def test_no_name_survives_masking(accounts: list[tuple[str, str]], user_name: str) -> None:
    types = [t for _, t in accounts]
    text = _skeleton([n for n, _ in accounts], types).replace("NAME0", user_name, 1)
    for i, (name, _) in enumerate(accounts):
        text = text.replace(f"NAME{i + 1},", f"{name},", 1)
    lines = mask_account_dump(text).split("\n")
    # Every line that held a name is now fully determined by the mask: nothing of a name is left.
    assert re.fullmatch(r"User UserInfo\{0:<masked:\d+>:c13\}:", lines[0]), lines[0]
    for line, type_ in zip(lines[2 : 2 + len(types)], types, strict=True):
        assert re.fullmatch(rf"    Account \{{name=<masked:\d+>, type={re.escape(type_)}\}}", line)
    parsed = parse_accounts("\n".join(lines))
    assert sum(t.count for u in parsed.users for t in u.types) == len(accounts)


test_garbage_never_raises = never_raises_on_garbage(parse_accounts)
test_mutations_never_raise = never_raises_on_mutations(parse_accounts, FILES)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_masking_never_raises(text: str) -> None:
    assert isinstance(mask_account_dump(text), str)


def _accounts(users: int, types: int, auths: int) -> str:
    out: list[str] = []
    for u in range(users):
        out += [f"User UserInfo{{{u}:<masked:1>:c13}}:", f"  Accounts: {types}"]
        out += [f"    Account {{name=<masked:2>, type=org.example.t{u}x{t}}}" for t in range(types)]
        out += ["", f"  RegisteredServicesCache: {auths} services"]
        out += [
            f"    ServiceInfo: AuthenticatorDescription {{type=org.example.a{u}x{a}}}, uid 1"
            for a in range(auths)
        ]
    return "\n".join(out) + "\n"


def test_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.accounts as accounts

    normal = (A / "android14_work_profile_raw.txt").read_text(encoding="utf-8")
    assert parse_accounts(mask_account_dump(normal)).truncated is False
    assert parse_accounts(_accounts(2, 3, 3)).truncated is False
    monkeypatch.setattr(accounts, "MAX_USERS", 2)
    d = parse_accounts(_accounts(4, 1, 0))
    assert [u.user for u in d.users] == [0, 1] and d.truncated is True
    assert d.issues.unparsed_lines == 0
    monkeypatch.setattr(accounts, "MAX_USERS", 256)
    monkeypatch.setattr(accounts, "MAX_TYPES", 4)
    d = parse_accounts(_accounts(2, 3, 0))
    assert [len(u.types) for u in d.users] == [3, 1] and d.truncated is True
    monkeypatch.setattr(accounts, "MAX_TYPES", 5_000)
    monkeypatch.setattr(accounts, "MAX_AUTHENTICATORS", 5)
    d = parse_accounts(_accounts(2, 1, 4))
    assert len(d.authenticator_types) == 5 and d.truncated is True


def test_many_authenticators_capped_at_the_default() -> None:
    # Each type used to be looked up in a list of the previous ones: 30 MB of them took 44 s.
    d = parse_accounts(_accounts(1, 1, 100_000))
    assert len(d.authenticator_types) == 5_000 and d.truncated is True
