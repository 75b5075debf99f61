"""Regression: an app's first install time on Android 12+ comes from the users that have it.

Android 12+ prints `firstInstallTime` under every user, also users without the app, where 0
(1970-01-01 in the phone's time zone) means "not known". The work-profile scenario's covert
app showed "1970-01-01" (or "unknown (factory image)") because the join took the earliest
per-user time, which was the main user's 0.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from stalkerscan.evidence.build import first_install_time
from stalkerscan.evidence.package import PackageInfo, parse_dumpsys_package

HEADER = "Packages:\n  Package [org.example.workspy] (4f2c1a0):\n    userId=10234\n"


def user(uid: int, installed: bool, first: str) -> str:
    return (
        f"    User {uid}: ceDataInode=0 deDataInode=0 installed={str(installed).lower()} "
        "hidden=false suspended=false distractionFlags=0 stopped=false notLaunched=false "
        "enabled=0 instant=false virtual=false\n"
        f"      firstInstallTime={first}\n"
    )


def info_of(text: str) -> PackageInfo:
    dump = parse_dumpsys_package(text)
    info = dump.package("org.example.workspy")
    assert info is not None and info.first_install_time is None  # Android 12+: per user only
    return info


def test_work_profile_app_gets_the_work_profiles_time_not_1970() -> None:
    text = HEADER + user(0, False, "1970-01-01 00:00:00") + user(10, True, "2026-11-02 21:14:05")
    assert first_install_time(info_of(text)) == datetime(2026, 11, 2, 21, 14, 5)


@pytest.mark.parametrize(
    "zero", ["1970-01-01 00:00:00", "1970-01-01 01:00:00", "1969-12-31 19:00:00"]
)
def test_a_zero_time_is_unknown_never_a_date(zero: str) -> None:
    """0 printed in any time zone, for every user: unknown (None), not 1970."""
    text = HEADER + user(0, True, zero) + user(10, True, zero)
    assert first_install_time(info_of(text)) is None


def test_earliest_of_the_users_that_have_the_app() -> None:
    text = (
        HEADER
        + user(0, True, "2026-03-01 10:00:00")
        + user(10, True, "2025-12-24 08:30:00")
        + user(11, False, "2020-01-01 00:00:00")  # not installed there: not its install time
    )
    assert first_install_time(info_of(text)) == datetime(2025, 12, 24, 8, 30, 0)
