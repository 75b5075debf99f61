"""What an app can see or do to the person, as stable capability codes.

Each permission or special access an app holds maps to a code (`read_sms`,
`screen_content_and_typing`, ...). The report layer translates the codes into sentences in the
reader's language; `CAPABILITIES` holds the English sentence of each (the same list is in
docs/findings.md). Codes are part of the JSON report: never rename one, only add.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stalkerscan.evidence.build import AppRecord

# code -> English sentence (the translation source; keep in sync with docs/findings.md).
CAPABILITIES: dict[str, str] = {
    "screen_content_and_typing": "can see everything on your screen and what you type",
    "read_notifications": "can read your notifications, including messages",
    "read_sms": "can read your text messages",
    "call_log": "can see who you call and who calls you",
    "contacts": "can read your contacts",
    "record_audio": "can use the microphone",
    "camera": "can use the camera",
    "location": "knows where you are",
    "location_background": "knows where you are, even in the background",
    "hard_to_uninstall": "is hard to uninstall (device administrator)",
    "manages_device": "controls the phone or a work profile (device or profile owner)",
    "usage_history": "can see which apps you use and when",
    "install_apps": "can install other apps",
    "draw_over_apps": "can draw over other apps",
    "keyboard_input": "sees everything you type with its keyboard",
    "network_traffic": "can see and redirect your internet traffic (VPN)",
    "runs_at_boot": "starts by itself when the phone starts",
    "never_sleeps": "is exempt from battery saving, so it can run all the time",
    "default_sms_app": "is your default text-message app",
    "default_dialer": "is your default phone app",
}

# Powers that let an app watch a person; a sideloaded app holding one is suspicious.
SPYING_POWERS: tuple[str, ...] = (
    "screen_content_and_typing",
    "read_notifications",
    "hard_to_uninstall",
    "usage_history",
    "location_background",
)
# The strongest of them: each alone reads messages or locks the app in.
STRONG_POWERS: tuple[str, ...] = (
    "screen_content_and_typing",
    "read_notifications",
    "hard_to_uninstall",
)

_PERMISSIONS: dict[str, str] = {
    "android.permission.READ_SMS": "read_sms",
    "android.permission.RECEIVE_SMS": "read_sms",
    "android.permission.READ_CALL_LOG": "call_log",
    "android.permission.PROCESS_OUTGOING_CALLS": "call_log",
    "android.permission.READ_CONTACTS": "contacts",
    "android.permission.RECORD_AUDIO": "record_audio",
    "android.permission.CAMERA": "camera",
    "android.permission.ACCESS_FINE_LOCATION": "location",
    "android.permission.ACCESS_COARSE_LOCATION": "location",
    "android.permission.ACCESS_BACKGROUND_LOCATION": "location_background",
    "android.permission.RECEIVE_BOOT_COMPLETED": "runs_at_boot",
}

_APPOPS: dict[str, str] = {
    "GET_USAGE_STATS": "usage_history",
    "REQUEST_INSTALL_PACKAGES": "install_apps",
    "SYSTEM_ALERT_WINDOW": "draw_over_apps",
    "READ_SMS": "read_sms",
    "RECORD_AUDIO": "record_audio",
    "CAMERA": "camera",
}

_ROLES = {
    "android.app.role.SMS": "default_sms_app",
    "android.app.role.DIALER": "default_dialer",
}

_ORDER = {code: i for i, code in enumerate(CAPABILITIES)}


def capabilities_of(app: AppRecord, sdk: int | None = None) -> tuple[str, ...]:
    """The capability codes of one app, most alarming first."""
    found: set[str] = set()
    for perm in app.granted_permissions:
        code = _PERMISSIONS.get(perm)
        if code is not None:
            found.add(code)
    for op, mode in app.appops.items():
        code = _APPOPS.get(op)
        if code is not None and mode == "allow":
            found.add(code)
        # Android 10+: a location op in mode "allow" (not "foreground") is "all the time".
        if op in ("FINE_LOCATION", "COARSE_LOCATION") and mode in ("allow", "foreground"):
            found.add("location")
            if mode == "allow" and sdk is not None and sdk >= 29:
                found.add("location_background")
    # Before Android 10 there is no separate background grant: any location is background.
    if "location" in found and sdk is not None and sdk < 29:
        found.add("location_background")
    if app.accessibility:
        found.add("screen_content_and_typing")
    if app.notification_listeners:
        found.add("read_notifications")
    if app.device_admin_users:
        found.add("hard_to_uninstall")
    if app.device_owner or app.profile_owner_users:
        found.update(("manages_device", "hard_to_uninstall"))
    if app.input_method_users or app.default_input_method_users:
        found.add("keyboard_input")
    if app.vpn_active or app.vpn_always_on_users:
        found.add("network_traffic")
    if app.boot_receiver:
        found.add("runs_at_boot")
    if app.battery_exempt:
        found.add("never_sleeps")
    for role in app.roles:
        code = _ROLES.get(role)
        if code is not None:
            found.add(code)
    return tuple(sorted(found, key=lambda c: _ORDER[c]))


def spying_powers(capabilities: tuple[str, ...]) -> tuple[str, ...]:
    """The capabilities among SPYING_POWERS."""
    return tuple(c for c in capabilities if c in SPYING_POWERS)
