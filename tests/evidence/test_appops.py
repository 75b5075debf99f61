"""appops: modes and last access per package on Android 7, 8, 9 (real), 10, 11, 14."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.evidence.appops import parse_appops

from ._device_checks import (
    FIXTURES,
    SAMPLE,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("appops", "dumpsys_appops.txt")
OPS = FIXTURES / "appops"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("appops", path, parse_appops(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_appops, path.read_bytes())


def _pkg(dump, name):  # type: ignore[no-untyped-def]
    return next(p for p in dump.packages() if p.package == name)


def test_real_android9() -> None:
    d = parse_appops((SAMPLE / "dumpsys_appops.txt").read_bytes())
    assert d.issues.unparsed_lines == 0
    android = _pkg(d, "android")
    fine = android.op("FINE_LOCATION")
    assert fine is not None and fine.mode == "allow"
    assert fine.last_access == "2019-08-15 14:35:11.698"
    usage = android.op("GET_USAGE_STATS")
    assert usage is not None and usage.mode == "default"
    assert usage.last_reject == "2019-08-15 14:35:08.481" and usage.last_access is None
    gms = _pkg(d, "com.google.android.gms")
    coarse = gms.op("COARSE_LOCATION")
    # Three states (top, fg, cch) on continuation lines: the latest wins.
    assert coarse is not None and coarse.last_access == "2019-08-15 15:09:07.634"
    assert coarse.last_access_ago_seconds == pytest.approx(3.002)
    assert gms.uid == 10008
    uid1001 = next(u for u in d.uids if u.uid == 1001)
    assert [(o.op, o.mode) for o in uid1001.uid_modes] == [("WRITE_SMS", "allow")]


def test_android7_numeric_modes_and_inline_times() -> None:
    d = parse_appops((OPS / "android7_numeric_modes.txt").read_bytes())
    helper = _pkg(d, "org.example.helper")
    assert helper.uid == 10123
    sms = helper.op("READ_SMS")
    assert sms is not None and (sms.mode, sms.last_access_ago_seconds) == ("allow", 3720.0)
    camera = helper.op("CAMERA")
    assert camera is not None and camera.mode == "ignore" and camera.last_reject_ago_seconds == 1200
    mic = helper.op("RECORD_AUDIO")
    assert mic is not None and mic.running
    chat = _pkg(d, "org.example.chat")
    assert [o.mode for o in chat.ops] == ["default", "deny"]
    assert d.holders("GET_USAGE_STATS") == ("org.example.helper",)


def test_android8_word_modes() -> None:
    d = parse_appops((OPS / "android8_word_modes.txt").read_bytes())
    helper = _pkg(d, "org.example.helper")
    assert helper.op("REQUEST_INSTALL_PACKAGES").mode == "allow"  # type: ignore[union-attr]
    assert helper.op("SYSTEM_ALERT_WINDOW").last_access_ago_seconds == 93600  # type: ignore[union-attr]
    assert d.holders("SYSTEM_ALERT_WINDOW") == ("org.example.helper",)


def test_android10_states_and_foreground_mode() -> None:
    d = parse_appops((OPS / "android10_states.txt").read_bytes())
    helper = _pkg(d, "org.example.helper")
    fine = helper.op("FINE_LOCATION")
    assert fine is not None and fine.mode == "foreground"
    assert fine.last_access == "2020-03-01 12:10:00.000"
    assert fine.last_reject == "2020-03-01 11:00:00.000"
    assert helper.op("RECORD_AUDIO").running  # type: ignore[union-attr]
    assert d.holders("FINE_LOCATION", ("allow", "foreground")) == ("org.example.helper",)
    # "foregroundOps:" entries are not uid modes.
    assert [o.op for o in d.uids[0].uid_modes] == ["LEGACY_STORAGE"]


def test_android11_attribution_tags() -> None:
    d = parse_appops((OPS / "android11_attribution.txt").read_bytes())
    helper = _pkg(d, "org.example.helper")
    coarse = helper.op("COARSE_LOCATION")
    assert coarse is not None and coarse.last_access == "2021-06-01 09:55:00.000"
    assert coarse.last_access_ago_seconds == 300
    assert helper.op("CAMERA").last_reject_ago_seconds == 7200  # type: ignore[union-attr]
    assert d.holders("MANAGE_EXTERNAL_STORAGE") == ("org.example.helper",)
    assert d.holders("REQUEST_INSTALL_PACKAGES") == ()
    work = _pkg(d, "org.example.workhelper")
    assert work.uid == 1010020


def test_android14_history_section_ignored() -> None:
    d = parse_appops((OPS / "android14_pixel.txt").read_bytes())
    assert [u.uid for u in d.uids] == [10200, 10201]
    tracker = _pkg(d, "org.example.tracker")
    assert tracker.op("ACCESS_NOTIFICATIONS").mode == "allow"  # type: ignore[union-attr]
    assert tracker.op("RECORD_AUDIO").last_reject == "2024-02-10 20:00:00.000"  # type: ignore[union-attr]
    assert d.issues.unparsed_lines == 0


def test_unknown_line_counted_and_empty() -> None:
    d = parse_appops("  Uid u0a1:\n    Package org.example.x:\n      ??? what\n")
    assert d.issues.unparsed_lines == 1
    assert parse_appops("").uids == ()
    assert parse_appops("Can't find service: appops").unavailable


test_garbage_never_raises = never_raises_on_garbage(parse_appops)
test_mutations_never_raise = never_raises_on_mutations(parse_appops, FILES)


def test_xiaomi_vendor_ops_kept_by_code() -> None:
    d = parse_appops((OPS / "android12_xiaomi_miui.txt").read_bytes())
    cleaner = _pkg(d, "org.example.cleaner")
    vendor = cleaner.op("MIUIOP(10021)")
    assert vendor is not None and vendor.last_access == "2022-05-01 08:59:00.000"
    assert cleaner.op("10034").mode == "ignore"  # type: ignore[union-attr]
    assert d.holders("REQUEST_INSTALL_PACKAGES") == ("org.example.cleaner",)
    assert d.issues.unparsed_lines == 0


def test_android16_second_user_and_restricted_settings() -> None:
    d = parse_appops((OPS / "android16_pixel.txt").read_bytes())
    assert [u.uid for u in d.uids] == [10250, 1110250]
    family = d.uids[0].packages[0]
    coarse = family.op("COARSE_LOCATION")
    assert coarse is not None and coarse.last_access_ago_seconds == 1800
    assert family.op("ACCESS_RESTRICTED_SETTINGS").mode == "allow"  # type: ignore[union-attr]
    assert d.holders("COARSE_LOCATION") == ("org.example.family",)


def _flood(uids: int, pkgs_per_uid: int, ops_per_pkg: int, distinct: bool = False) -> str:
    """Plausible Android 8 blocks, many of them (what a hostile phone could print)."""
    out = ["Current AppOps Service state:"]
    for u in range(uids):
        out.append(f"  Uid u0a{u}:")
        for p in range(pkgs_per_uid):
            out.append(f"    Package org.example.p{u}x{p}:")
            for o in range(ops_per_pkg):
                ago = f"+{u * 1000 + o}s" if distinct else "+5s"
                out.append(f"      OP{o}: mode=allow; time={ago} ago")
    return "\n".join(out) + "\n"


def test_normal_dump_is_not_truncated() -> None:
    d = parse_appops((OPS / "android10_states.txt").read_bytes())
    assert d.truncated is False
    assert parse_appops(_flood(3, 2, 2)).truncated is False


def test_uid_and_package_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.appops as appops

    monkeypatch.setattr(appops, "MAX_UIDS", 4)
    d = parse_appops(_flood(10, 1, 1))
    assert len(d.uids) == 4 and d.truncated is True
    assert [p.package for p in d.packages()][-1] == "org.example.p3x0"

    monkeypatch.setattr(appops, "MAX_UIDS", 1_000)
    monkeypatch.setattr(appops, "MAX_PACKAGES", 5)
    d = parse_appops(_flood(3, 3, 1))
    assert len(list(d.packages())) == 5 and d.truncated is True


def test_op_caps_and_shared_ops(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.appops as appops

    monkeypatch.setattr(appops, "MAX_OPS_PER_PACKAGE", 3)
    d = parse_appops(_flood(1, 2, 10))
    assert [len(p.ops) for p in d.packages()] == [3, 3] and d.truncated is True
    # Identical ops of different packages are one shared object (memory), equal in value.
    a, b = d.uids[0].packages
    assert a.ops[0] is b.ops[0] and a.ops[0].last_access_ago_seconds == 5

    monkeypatch.setattr(appops, "MAX_OPS_PER_PACKAGE", 400)
    monkeypatch.setattr(appops, "MAX_DISTINCT_OPS", 7)
    d = parse_appops(_flood(3, 1, 4, distinct=True))
    assert sum(len(p.ops) for p in d.packages()) == 7 and d.truncated is True

    monkeypatch.setattr(appops, "MAX_DISTINCT_OPS", 1_000)
    monkeypatch.setattr(appops, "MAX_OP_ENTRIES", 6)
    d = parse_appops(_flood(4, 1, 4))
    assert sum(len(p.ops) for p in d.packages()) == 6 and d.truncated is True
