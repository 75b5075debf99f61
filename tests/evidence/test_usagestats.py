"""usagestats: packages seen in usage history and standby buckets (Android 7, 9 real, 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.evidence.usagestats import parse_usagestats

from ._device_checks import (
    FIXTURES,
    SAMPLE,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("usagestats", "dumpsys_usagestats.txt")
U = FIXTURES / "usagestats"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("usagestats", path, parse_usagestats(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_usagestats, path.read_bytes())


def _usage(dump, name, user=0):  # type: ignore[no-untyped-def]
    return next(p for p in dump.packages if p.package == name and p.user == user)


def test_real_android9() -> None:
    d = parse_usagestats((SAMPLE / "dumpsys_usagestats.txt").read_bytes())
    app = _usage(d, "com.jeanboy.app.training")
    assert app.last_used == "2019-08-15 15:09:11"
    assert app.in_events and app.in_interval_stats and app.launch_count == 3
    never = _usage(d, "com.android.providers.telephony")
    assert never.last_used is None  # "1970-01-01 ..." means never
    assert len(d.standby) == 108
    assert d.standby[0].bucket == 10 and d.standby[0].reason == "u-su"
    assert d.issues.unparsed_lines == 0


def test_android7_idle_states_and_removed_app_trace() -> None:
    d = parse_usagestats((U / "android7_idle.txt").read_bytes())
    removed = _usage(d, "org.example.removed")
    assert removed.last_used == "2017-08-02 08:15:00" and removed.launch_count is None
    idle = {b.package: b.idle for b in d.standby}
    assert idle == {"org.example.removed": False, "com.android.settings": True}
    assert "org.example.removed" in d.package_names(0)


def test_android14_two_users_latest_time() -> None:
    d = parse_usagestats((U / "android14_two_users.txt").read_bytes())
    tracker = _usage(d, "org.example.tracker")
    assert tracker.last_used == "2024-02-10 21:40:00"  # lastTimeComponentUsed is the latest
    assert tracker.launch_count == 4
    gone = _usage(d, "org.example.gone")
    assert gone.last_used == "2024-02-10 21:15:00"  # lastTimeFS (foreground service)
    assert _usage(d, "org.example.workhelper", 10).launch_count == 2
    assert {(b.package, b.user, b.bucket) for b in d.standby} == {
        ("org.example.tracker", 0, 5),
        ("org.example.gone", 0, 10),
        ("org.example.workhelper", 10, 40),
    }
    assert d.package_names(10) == ("org.example.workhelper",)


def test_bad_package_counted_and_empty() -> None:
    d = parse_usagestats('user=0\n      package=<script> lastTime="2020-01-01 00:00:00"\n')
    assert d.packages == () and d.issues.unparsed_lines == 1
    assert parse_usagestats("").packages == ()


test_garbage_never_raises = never_raises_on_garbage(parse_usagestats)
test_mutations_never_raise = never_raises_on_mutations(parse_usagestats, FILES)


def test_android11_removed_app_trace() -> None:
    d = parse_usagestats((U / "android11_events.txt").read_bytes())
    gone = _usage(d, "org.example.uninstalled")
    assert gone.last_used == "2021-03-02 08:01:00" and gone.launch_count == 1
    assert d.package_names(0) == ("org.example.uninstalled", "org.example.chat")


def _usage_dump(n: int) -> str:
    out = ["user=0", "  In-memory daily stats", "    packages"]
    out += [
        f'      package=org.example.p{i} totalTimeUsed="00:01" '
        f'lastTimeUsed="2026-01-0{1 + i % 9} 10:00:00" appLaunchCount={i}'
        for i in range(n)
    ]
    out += ["  App Standby States:"]
    out += [f"    package=org.example.p{i} u=0 bucket=10 reason=u-su" for i in range(n)]
    return "\n".join(out) + "\n"


def test_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.usagestats as usagestats

    assert parse_usagestats((U / "android14_two_users.txt").read_bytes()).truncated is False
    assert parse_usagestats(_usage_dump(10)).truncated is False
    monkeypatch.setattr(usagestats, "MAX_PACKAGES", 4)
    d = parse_usagestats(_usage_dump(10))
    assert len(d.packages) == 4 and len(d.standby) == 10 and d.truncated is True
    monkeypatch.setattr(usagestats, "MAX_PACKAGES", 20_000)
    monkeypatch.setattr(usagestats, "MAX_STANDBY", 6)
    d = parse_usagestats(_usage_dump(10))
    assert len(d.packages) == 10 and len(d.standby) == 6 and d.truncated is True
    # Entries already kept still take later lines (the cap refuses only new packages).
    monkeypatch.setattr(usagestats, "MAX_PACKAGES", 1)
    later = '      package=org.example.p0 lastTimeUsed="2026-02-01 10:00:00" appLaunchCount=9\n'
    d = parse_usagestats(_usage_dump(3).split("  App Standby")[0] + later)
    assert len(d.packages) == 1 and d.truncated is True
    assert d.packages[0].launch_count == 9 and d.packages[0].last_used == "2026-02-01 10:00:00"
