"""notification: listeners and assistants on Android 7, 9 (real), 11, 14; never message text."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.evidence.notification import (
    parse_enabled_notification_listeners,
    parse_notification,
)

from ._device_checks import (
    FIXTURES,
    SAMPLE,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("notification", "dumpsys_notification.txt")
N = FIXTURES / "notification"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("notification", path, parse_notification(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_notification, path.read_bytes())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_message_content_never_stored(path: Path) -> None:
    dumped = parse_notification(path.read_bytes()).model_dump_json()
    for secret in (
        "Fictional secret message",
        "Fictional code 123456",
        "Fictional Sender",
        "Fictional message text",
        "tickerText",
        "android.text",
    ):
        assert secret not in dumped


def test_real_android9() -> None:
    d = parse_notification((SAMPLE / "dumpsys_notification.txt").read_bytes())
    assert d.listeners_section_found
    comp = (
        "com.google.android.apps.restore/"
        "com.google.android.apps.pixelmigrate.component.NotificationConsolidatorService"
    )
    assert [(a.component, a.user, a.primary) for a in d.listeners.approved] == [(comp, 0, True)]
    assert d.listeners.enabled_for_current_profiles == (comp,)
    assert [(li.user, li.system) for li in d.listeners.live] == [(-1, True), (0, False)]
    assert d.assistants.enabled_for_current_profiles == (
        "com.google.android.ext.services/android.ext.services.notification.Assistant",
    )


def test_android7_no_allowed_list() -> None:
    d = parse_notification((N / "android7_listeners.txt").read_bytes())
    assert d.listeners.approved == ()
    assert "org.example.helper/org.example.helper.NotifyService" in d.listeners.components()
    assert d.issues.unparsed_lines == 0


def test_android11_colon_joined_approved_and_work_profile() -> None:
    d = parse_notification((N / "android11_approved_joined.txt").read_bytes())
    assert [(a.component, a.user) for a in d.listeners.approved] == [
        ("org.example.helper/org.example.helper.NotifyService", 0),
        ("com.example.watch/com.example.watch.NotificationBridge", 0),
        ("org.example.workhelper/org.example.workhelper.Listener", 10),
    ]
    assert d.listeners.live[-1].user == 10


def test_android14() -> None:
    d = parse_notification((N / "android14_pixel.txt").read_bytes())
    assert (
        d.listeners.approved[0].component
        == "org.example.tracker/org.example.tracker.svc.NotiService"
    )
    assert len(d.assistants.live) == 1
    assert d.issues.unparsed_lines == 0


def test_secure_setting_helper() -> None:
    assert parse_enabled_notification_listeners("org.example.a/.L:org.example.b/.M") == (
        "org.example.a/org.example.a.L",
        "org.example.b/org.example.b.M",
    )
    assert parse_enabled_notification_listeners(None) == ()


def test_unknown_line_in_live_list_is_counted() -> None:
    text = "  Notification listeners:\n    Live notification listeners (1):\n      weird entry\n"
    d = parse_notification(text)
    assert d.listeners.live == () and d.issues.unparsed_lines == 1


test_garbage_never_raises = never_raises_on_garbage(parse_notification)
test_mutations_never_raise = never_raises_on_mutations(parse_notification, FILES)


def test_android16_samsung_vendor_section_ends_block() -> None:
    d = parse_notification((N / "android16_samsung.txt").read_bytes())
    assert "org.example.helper/org.example.helper.NotifyService" in d.listeners.components()
    assert {a.user for a in d.listeners.approved} == {0, 150}  # 150: Samsung Secure Folder
    assert d.assistants.components() == ()
    assert d.issues.unparsed_lines == 0


def _listeners(n: int) -> str:
    out = ["Current Notification Manager state:", "  Notification listeners:"]
    out += ["    Allowed notification listeners:"]
    out += [f"      org.example.a{i}/.L (user: 0 isPrimary: true)" for i in range(n)]
    out += [f"    Live notification listeners ({n}):"]
    out += [f"      ComponentInfo{{org.example.v{i}/.L}} (user 0): proxy@1" for i in range(n)]
    return "\n".join(out) + "\n"


def test_entry_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.notification as notification

    assert parse_notification((N / "android14_pixel.txt").read_bytes()).truncated is False
    assert parse_notification(_listeners(4)).truncated is False
    monkeypatch.setattr(notification, "MAX_ENTRIES", 6)
    d = parse_notification(_listeners(4))
    assert len(d.listeners.approved) == 4 and len(d.listeners.live) == 2
    assert d.truncated is True
