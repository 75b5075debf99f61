"""Table-driven tests of the heuristics and device rules: each rule has a positive case and a
benign look-alike that must stay silent (the true negatives of issue 6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from stalkerscan.evidence.device import WhichResult
from stalkerscan.evidence.getprop import parse_getprop
from stalkerscan.evidence.settings import parse_settings
from stalkerscan.match.device import DeviceMatcher
from stalkerscan.match.heuristics import AppHeuristics
from stalkerscan.result import Severity

from .conftest import PLAY, SIDELOAD, app, context, evidence

A11Y = ("0:{p}/{p}.Svc",)
RECENT = datetime(2026, 11, 18, 9, 30)


def a11y(pkg: str, user: int = 0) -> tuple[str, ...]:
    return (f"{user}:{pkg}/{pkg}.Svc",)


def listener(pkg: str, user: int = 0) -> tuple[str, ...]:
    return (f"{user}:{pkg}/{pkg}.Listener",)


P = "org.example.app"
HEURISTIC_CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    # Screen reader shipped with the phone, updated from Play: accessibility is its job.
    (
        "talkback",
        {
            "package": "com.google.android.marvin.talkback",
            "system": True,
            "updated_system": True,
            "accessibility": a11y("com.google.android.marvin.talkback"),
            "launcher_users": (),
        },
        set(),
    ),
    # Password manager from Play with accessibility, notification access and admin: no flag.
    (
        "play app with powers",
        {
            "accessibility": a11y(P),
            "notification_listeners": listener(P),
            "device_admin_users": (0,),
        },
        set(),
    ),
    ("sideloaded, no powers", {"installer": SIDELOAD}, set()),
    (
        "sideloaded + accessibility",
        {"installer": SIDELOAD, "accessibility": a11y(P)},
        {"SS-APP-SIDELOAD-POWER"},
    ),
    (
        "adb install + usage access",
        {"installer": None, "appops": {"GET_USAGE_STATS": "allow"}},
        {"SS-APP-SIDELOAD-POWER"},
    ),
    (
        "sideloaded + background location",
        {
            "installer": SIDELOAD,
            "granted_permissions": (
                "android.permission.ACCESS_FINE_LOCATION",
                "android.permission.ACCESS_BACKGROUND_LOCATION",
            ),
        },
        {"SS-APP-SIDELOAD-POWER"},
    ),
    (
        "sideloaded + two strong powers",
        {"installer": SIDELOAD, "accessibility": a11y(P), "notification_listeners": listener(P)},
        {"SS-APP-COVERT"},
    ),
    (
        "sideloaded + accessibility + hidden",
        {"installer": SIDELOAD, "accessibility": a11y(P), "launcher_users": ()},
        {"SS-APP-COVERT", "SS-APP-HIDDEN"},
    ),
    (
        "sideloaded + admin + system label",
        {"installer": SIDELOAD, "device_admin_users": (0,), "label": "System Update"},
        {"SS-APP-COVERT", "SS-APP-POSING"},
    ),
    # `pm install -i com.android.vending` over ADB: Android 11+ records the shell as initiator.
    (
        "store name faked over ADB",
        {"initiating": "com.android.shell", "accessibility": a11y(P)},
        {"SS-APP-SIDELOAD-POWER"},
    ),
    ("from Play, initiated by Play", {"initiating": PLAY, "accessibility": a11y(P)}, set()),
    ("hidden, no powers, from Play", {"launcher_users": ()}, set()),
    ("hidden sideloaded", {"installer": SIDELOAD, "launcher_users": ()}, {"SS-APP-HIDDEN"}),
    (
        "launcher list not read",
        {"installer": SIDELOAD, "launcher_users": (), "launcher_known_users": ()},
        set(),
    ),
    (
        "sideloaded recently",
        {"installer": SIDELOAD, "first_install_time": RECENT},
        {"SS-APP-RECENT"},
    ),
    ("Play app updated recently", {"last_update_time": RECENT}, set()),
    (
        "system-like package, sideloaded",
        {"package": "com.android.systemhelper", "installer": SIDELOAD},
        {"SS-APP-POSING"},
    ),
    ("Google app from Play", {"package": "com.google.android.apps.docs"}, set()),
    ("keyboard from Play", {"input_method_users": (0,), "default_input_method_users": (0,)}, set()),
    ("sideloaded keyboard", {"installer": SIDELOAD, "input_method_users": (0,)}, {"SS-APP-IME"}),
    ("VPN from Play", {"vpn_active": True}, {"SS-APP-VPN"}),
    (
        "parental control from Play",
        {"package": "com.example.kidsguard", "appops": {"GET_USAGE_STATS": "allow"}},
        {"SS-DUAL-PURPOSE"},
    ),
    (
        "'transparent' is not 'parent'",
        {"package": "com.example.transparentclock", "appops": {"FINE_LOCATION": "allow"}},
        set(),
    ),
    ("family-named app without tracking powers", {"package": "com.example.familyphotos"}, set()),
    (
        "F-Droid app with accessibility",
        {"installer": "org.fdroid.fdroid", "accessibility": a11y(P)},
        set(),
    ),
    (
        "Galaxy Store app with admin",
        {"installer": "com.sec.android.app.samsungapps", "device_admin_users": (0,)},
        set(),
    ),
    (
        "uninstalled-but-kept app",
        {"users": (), "kept_users": (0,), "installer": SIDELOAD, "accessibility": a11y(P)},
        set(),
    ),
]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [(f, e) for _, f, e in HEURISTIC_CASES],
    ids=[n for n, _, _ in HEURISTIC_CASES],
)
def test_heuristic_rules(fields: dict[str, Any], expected: set[str]) -> None:
    fields = dict(fields)
    record = app(fields.pop("package", P), **fields)
    found = list(AppHeuristics().match(context(evidence(record))))
    assert {f.rule for f in found} == expected
    for f in found:
        assert f.package == record.package and f.reasons, f.rule


def test_covert_severity_and_reasons() -> None:
    record = app(
        P,
        installer=SIDELOAD,
        accessibility=a11y(P),
        notification_listeners=listener(P),
        battery_exempt=True,
        first_install_time=RECENT,
    )
    (f,) = [
        f for f in AppHeuristics().match(context(evidence(record))) if f.rule == "SS-APP-COVERT"
    ]
    assert f.severity == Severity.HIGH
    codes = [r.code for r in f.reasons]
    assert codes[0] == "installer_not_store"
    assert {
        "power_screen_content_and_typing",
        "power_read_notifications",
        "battery_exempt",
        "recently_installed",
    } <= set(codes)
    assert {"screen_content_and_typing", "read_notifications", "never_sleeps"} <= set(
        f.capabilities
    )


def test_faked_store_installer_names_the_shell() -> None:
    rec = app(P, initiating="com.android.shell", notification_listeners=listener(P))
    (f,) = AppHeuristics().match(context(evidence(rec)))
    assert f.reasons[0].params == {
        "installer": "com.android.shell (recorded as com.android.vending)",
        "kind": "adb",
    }


def test_sideloaded_vpn_is_medium_play_vpn_low() -> None:
    play = AppHeuristics().match(context(evidence(app(P, vpn_active=True))))
    side = AppHeuristics().match(
        context(evidence(app(P, installer=SIDELOAD, vpn_always_on_users=(0,))))
    )
    assert [f.severity for f in play] == [Severity.LOW]
    assert [f.severity for f in side] == [Severity.MEDIUM]


def test_work_profile_app_is_examined() -> None:
    record = app(
        P,
        users=(10,),
        installer=SIDELOAD,
        accessibility=a11y(P, 10),
        notification_listeners=listener(P, 10),
        launcher_known_users=(0, 10),
        launcher_users=(),
    )
    found = {f.rule: f for f in AppHeuristics().match(context(evidence(record)))}
    assert set(found) == {"SS-APP-COVERT", "SS-APP-HIDDEN"}
    assert found["SS-APP-COVERT"].users == (10,)


def test_background_location_depends_on_android_version() -> None:
    """Android 9: any location grant works in the background; Android 14: only mode allow."""
    rec = app(P, installer=SIDELOAD, appops={"FINE_LOCATION": "foreground"})
    a14 = list(AppHeuristics().match(context(evidence(rec))))
    assert a14 == []
    a9 = evidence(rec, getprop=parse_getprop("[ro.build.version.sdk]: [28]\n"))
    assert {f.rule for f in AppHeuristics().match(context(a9))} == {"SS-APP-SIDELOAD-POWER"}


def _settings(text: str):  # type: ignore[no-untyped-def]
    return parse_settings(text, "global", None)


DEVICE_CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("nothing set", {}, set()),
    ("Play Protect on", {"settings_global": _settings("package_verifier_enable=1\n")}, set()),
    (
        "Play Protect off",
        {"settings_global": _settings("package_verifier_enable=0\n")},
        {"SS-DEV-PLAY-PROTECT"},
    ),
    ("only upload off", {"settings_global": _settings("upload_apk_enable=0\n")}, set()),
    (
        "su on PATH",
        {"su": WhichResult(name="su", present=True, path="/system/xbin/su")},
        {"SS-DEV-ROOT"},
    ),
    ("su absent", {"su": WhichResult(name="su", present=False)}, set()),
    (
        "test-keys build",
        {"getprop": parse_getprop("[ro.build.tags]: [test-keys]\n")},
        {"SS-DEV-ROOT"},
    ),
    (
        "unlocked bootloader",
        {"getprop": parse_getprop("[ro.boot.flash.locked]: [0]\n")},
        {"SS-DEV-BOOTLOADER"},
    ),
    (
        "locked bootloader",
        {
            "getprop": parse_getprop(
                "[ro.boot.flash.locked]: [1]\n[ro.boot.verifiedbootstate]: [green]\n"
            )
        },
        set(),
    ),
]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [(f, e) for _, f, e in DEVICE_CASES],
    ids=[n for n, _, _ in DEVICE_CASES],
)
def test_device_rules(fields: dict[str, Any], expected: set[str]) -> None:
    found = list(DeviceMatcher().match(context(evidence(**fields))))
    assert {f.rule for f in found} == expected
    assert all(f.package is None for f in found)


def test_root_app_installed() -> None:
    found = DeviceMatcher().match(
        context(evidence(app("com.topjohnwu.magisk", installer=SIDELOAD)))
    )
    assert [f.rule for f in found] == ["SS-DEV-ROOT"]


@pytest.mark.parametrize(
    ("fields", "rule", "severity"),
    [
        ({"device_owner": True, "installer": SIDELOAD}, "SS-DEV-OWNER", Severity.HIGH),
        ({"profile_owner_users": (10,), "installer": None}, "SS-DEV-OWNER", Severity.HIGH),
        ({"device_owner": True, "installer": PLAY}, "SS-DEV-MANAGED", Severity.INFO),
        (
            {"profile_owner_users": (10,), "system": True, "installer": None},
            "SS-DEV-MANAGED",
            Severity.INFO,
        ),
    ],
)
def test_owners(fields: dict[str, Any], rule: str, severity: Severity) -> None:
    (f,) = DeviceMatcher().match(context(evidence(app("org.example.mdm", **fields))))
    assert (f.rule, f.severity, f.package) == (rule, severity, "org.example.mdm")
    assert "manages_device" in f.capabilities
