"""Permissions and special accesses -> capability codes (what the app can do to the person)."""

from __future__ import annotations

from typing import Any

import pytest

from stalkerscan.match.capabilities import CAPABILITIES, capabilities_of, spying_powers

from .conftest import app

PERM = "android.permission."
CASES: list[tuple[dict[str, Any], int | None, set[str]]] = [
    ({}, 34, set()),
    ({"granted_permissions": (PERM + "READ_SMS",)}, 34, {"read_sms"}),
    ({"requested_permissions": (PERM + "READ_SMS",)}, 34, set()),  # asked, not granted
    (
        {"granted_permissions": (PERM + "READ_CALL_LOG", PERM + "READ_CONTACTS")},
        34,
        {"call_log", "contacts"},
    ),
    (
        {"granted_permissions": (PERM + "RECORD_AUDIO", PERM + "CAMERA")},
        34,
        {"record_audio", "camera"},
    ),
    ({"granted_permissions": (PERM + "ACCESS_FINE_LOCATION",)}, 34, {"location"}),
    (
        {"granted_permissions": (PERM + "ACCESS_FINE_LOCATION",)},
        28,
        {"location", "location_background"},
    ),  # no separate background grant before Android 10
    ({"granted_permissions": (PERM + "ACCESS_BACKGROUND_LOCATION",)}, 34, {"location_background"}),
    ({"appops": {"FINE_LOCATION": "allow"}}, 34, {"location", "location_background"}),
    ({"appops": {"FINE_LOCATION": "foreground"}}, 34, {"location"}),
    ({"appops": {"GET_USAGE_STATS": "allow"}}, 34, {"usage_history"}),
    ({"appops": {"GET_USAGE_STATS": "default"}}, 34, set()),
    (
        {"appops": {"REQUEST_INSTALL_PACKAGES": "allow", "SYSTEM_ALERT_WINDOW": "allow"}},
        34,
        {"install_apps", "draw_over_apps"},
    ),
    ({"accessibility": ("0:p/p.S",)}, 34, {"screen_content_and_typing"}),
    ({"notification_listeners": ("0:p/p.L",)}, 34, {"read_notifications"}),
    ({"device_admin_users": (0,)}, 34, {"hard_to_uninstall"}),
    ({"profile_owner_users": (10,)}, 34, {"hard_to_uninstall", "manages_device"}),
    ({"input_method_users": (0,)}, 34, {"keyboard_input"}),
    ({"vpn_always_on_users": (0,)}, 34, {"network_traffic"}),
    ({"boot_receiver": True, "battery_exempt": True}, 34, {"runs_at_boot", "never_sleeps"}),
    (
        {"roles": ("android.app.role.SMS", "android.app.role.DIALER")},
        34,
        {"default_sms_app", "default_dialer"},
    ),
]


@pytest.mark.parametrize(("fields", "sdk", "expected"), CASES)
def test_capabilities(fields: dict[str, Any], sdk: int | None, expected: set[str]) -> None:
    caps = capabilities_of(app("org.example.app", **fields), sdk)
    assert set(caps) == expected
    assert set(caps) <= set(CAPABILITIES)


def test_order_is_most_alarming_first_and_powers_are_a_subset() -> None:
    rec = app(
        "org.example.app",
        battery_exempt=True,
        accessibility=("0:p/p.S",),
        granted_permissions=(PERM + "READ_SMS",),
        device_admin_users=(0,),
    )
    caps = capabilities_of(rec, 34)
    assert caps == ("screen_content_and_typing", "read_sms", "hard_to_uninstall", "never_sleeps")
    assert spying_powers(caps) == ("screen_content_and_typing", "hard_to_uninstall")
