"""device_policy: owners and admins on Android 7, 9 (real), 11, 14 and a Samsung 16 build."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.evidence.device_policy import parse_device_policy

from ._device_checks import (
    FIXTURES,
    SAMPLE,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("device_policy", "dumpsys_device_policy.txt")
D = FIXTURES / "device_policy"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("device_policy", path, parse_device_policy(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_device_policy, path.read_bytes())


def test_real_android9_one_admin() -> None:
    d = parse_device_policy((SAMPLE / "dumpsys_device_policy.txt").read_bytes())
    assert d.device_owner is None and d.profile_owners == ()
    assert len(d.admins) == 1
    a = d.admins[0]
    assert (
        a.component
        == "com.google.android.gms/com.google.android.gms.mdm.receivers.MdmDeviceAdminReceiver"
    )
    assert (a.user, a.uid, a.test_only) == (0, 10008, False)
    assert a.policies == ("wipe-data", "reset-password", "force-lock", "disable-keyguard-features")
    assert d.issues.unparsed_lines == 0


def test_android7_device_owner_and_two_admins() -> None:
    d = parse_device_policy((D / "android7_admin.txt").read_bytes())
    assert d.device_owner is not None
    assert d.device_owner.component == "org.example.mdm/org.example.mdm.AdminReceiver"
    assert (d.device_owner.user, d.device_owner.name) == (0, "Example MDM")
    assert d.admin_packages() == ("org.example.mdm", "org.example.helper")
    helper = d.admins[1]
    assert helper.component == "org.example.helper/org.example.helper.receivers.GuardReceiver"
    assert helper.policies == ("force-lock", "wipe-data")
    assert d.admins[0].organization_name == "Example Org"


def test_android11_profile_owner_of_work_profile() -> None:
    d = parse_device_policy((D / "android11_work_profile.txt").read_bytes())
    assert d.device_owner is None
    (po,) = d.profile_owners
    assert (po.kind, po.user, po.package, po.organization_owned) == (
        "profile",
        10,
        "org.example.work",
        True,
    )
    assert [(a.user, a.package) for a in d.admins] == [
        (0, "org.example.helper"),
        (10, "org.example.work"),
    ]
    assert d.admins[1].uid == 1010160


def test_android14_device_owner_policy_engine_skipped() -> None:
    d = parse_device_policy((D / "android14_device_owner.txt").read_bytes())
    assert d.device_owner is not None
    assert d.device_owner.package == "org.example.kiosk"
    assert d.device_owner.name is None  # "name=" printed empty
    assert d.admins[0].organization_name == "Example Kiosk Ltd"
    assert "set-global-proxy" in d.admins[0].policies
    assert d.issues.unparsed_lines == 0


def test_samsung16_no_admin() -> None:
    d = parse_device_policy((D / "android16_samsung_empty.txt").read_bytes())
    assert d.admins == () and d.device_owner is None and d.issues.unparsed_lines == 0


def test_unavailable_and_empty() -> None:
    assert parse_device_policy("Can't find service: device_policy\n").unavailable is not None
    empty = parse_device_policy("")
    assert empty.admins == () and empty.unavailable is None


def test_unknown_line_inside_admin_is_counted() -> None:
    text = (
        "  Enabled Device Admins (User 0, provisioningState: 0):\n"
        "    org.example.a/.R:\n"
        "      uid=10001\n"
        "      something vendor specific here\n"
    )
    d = parse_device_policy(text)
    assert d.admins[0].uid == 10001
    assert d.issues.unparsed_lines == 1


test_garbage_never_raises = never_raises_on_garbage(parse_device_policy)
test_mutations_never_raise = never_raises_on_mutations(parse_device_policy, FILES)


def _admins(owners: int, admins: int, policies: int) -> str:
    out = ["Current Device Policy Manager state:"]
    for o in range(owners):
        out += [
            f"  Profile Owner (User {10 + o}): ",
            f"    admin=ComponentInfo{{org.example.o{o}/.R}}",
        ]
        out += [f"    extra{i}=x" for i in range(5)]  # fields the result does not use
    out += ["  Enabled Device Admins (User 0, provisioningState: 3):"]
    for a in range(admins):
        out += [f"    org.example.a{a}/.Receiver:", "      uid=10100", "      policies:"]
        out += [f"        policy-{p}" for p in range(policies)]
    return "\n".join(out) + "\n"


def test_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.device_policy as device_policy

    assert parse_device_policy((D / "android7_admin.txt").read_bytes()).truncated is False
    assert parse_device_policy(_admins(2, 3, 3)).truncated is False
    monkeypatch.setattr(device_policy, "MAX_ADMINS", 2)
    d = parse_device_policy(_admins(0, 5, 1))
    assert d.admin_packages() == ("org.example.a0", "org.example.a1") and d.truncated is True
    assert d.issues.unparsed_lines == 0
    monkeypatch.setattr(device_policy, "MAX_ADMINS", 2_000)
    monkeypatch.setattr(device_policy, "MAX_PROFILE_OWNERS", 3)
    d = parse_device_policy(_admins(5, 0, 0))
    assert [o.user for o in d.profile_owners] == [10, 11, 12] and d.truncated is True
    assert d.profile_owners[0].package == "org.example.o0"
    monkeypatch.setattr(device_policy, "MAX_PROFILE_OWNERS", 256)
    monkeypatch.setattr(device_policy, "MAX_POLICIES_PER_ADMIN", 4)
    d = parse_device_policy(_admins(0, 2, 9))
    assert [len(a.policies) for a in d.admins] == [4, 4] and d.truncated is True
