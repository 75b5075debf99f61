"""`pm list users` parser: UserInfo forms of Android 7 to 16, vendor users, verbose form."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stalkerscan.evidence.users import AndroidUser, decode_user_flags, parse_pm_list_users

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dumpsys" / "users"
CASES = sorted(FIXTURES.glob("*.txt"))
REGEN = os.environ.get("STALKERSCAN_REGEN_GOLDEN") == "1"


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.name)
def test_golden_and_encodings(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    result = parse_pm_list_users(text)
    golden = source.with_suffix(".golden.json")
    data = result.model_dump(mode="json")
    if REGEN:
        golden.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert data == json.loads(golden.read_text(encoding="utf-8"))
    assert result.issues.unparsed_lines == 0 and result.users
    crlf = text.replace("\n", "\r\n")
    assert parse_pm_list_users(crlf) == result
    assert parse_pm_list_users(crlf.encode("utf-16-le")) == result


def test_android14_work_profile_and_null_owner_name() -> None:
    result = parse_pm_list_users((FIXTURES / "android14-pixel.txt").read_text())
    owner, work = result.users
    assert owner.id == 0 and owner.name is None and owner.running
    assert owner.flag_names == ("PRIMARY", "ADMIN", "INITIALIZED", "FULL", "SYSTEM", "MAIN")
    assert work.id == 10 and work.is_managed_profile and work.is_profile
    assert result.ids() == (0, 10)


def test_vendor_users_keep_unknown_bits() -> None:
    samsung = parse_pm_list_users((FIXTURES / "android7-samsung.txt").read_text())
    secure = samsung.users[1]
    assert secure.id == 150 and secure.name == "Secure Folder" and secure.is_managed_profile
    assert "0x10000000" in secure.flag_names
    xiaomi = parse_pm_list_users((FIXTURES / "android11-xiaomi.txt").read_text())
    assert [u.id for u in xiaomi.users] == [0, 10, 999]
    assert not xiaomi.users[1].running and xiaomi.users[2].is_profile


def test_verbose_form() -> None:
    result = parse_pm_list_users((FIXTURES / "android14-pixel-verbose.txt").read_text())
    owner, work = result.users
    assert owner.user_type == "full.SYSTEM" and "MAIN" in owner.flag_names and owner.flags & 0x4000
    assert work.user_type == "profile.MANAGED" and work.parent_id == 0 and work.running


def test_names_with_colons_and_braces() -> None:
    result = parse_pm_list_users("Users:\n\tUserInfo{10:Kid: {Sam}:410} running\n")
    (user,) = result.users
    assert user.name == "Kid: {Sam}" and user.flags == 0x410 and user.running


def test_name_is_marked_sensitive_in_schema() -> None:
    schema = AndroidUser.model_json_schema()
    assert schema["properties"]["name"]["sensitive"] is True


def test_errors_and_junk() -> None:
    result = parse_pm_list_users("Error: couldn't get users\n")
    assert result.users == () and result.error == "Error: couldn't get users"
    junk = parse_pm_list_users(
        "Users:\n\tUserInfo{x:y:z}\n\tUserInfo{0:A:13}\n\tUserInfo{0:B:13}\n"
    )
    assert junk.ids() == (0,) and junk.issues.unparsed_lines == 2
    assert decode_user_flags(0) == ()
