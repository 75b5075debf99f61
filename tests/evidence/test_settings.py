"""settings list: values with `=`, null, multi-line values, typed accessors, denials."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stalkerscan.evidence.settings import parse_settings

from ._device_checks import (
    FIXTURES,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("settings")
S = FIXTURES / "settings"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("settings", path, parse_settings(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_settings, path.read_bytes())


def test_android9_global_play_protect_off() -> None:
    g = parse_settings((S / "android9_global.txt").read_bytes(), "global")
    assert g.namespace == "global" and g.user is None
    assert g.package_verifier_enable is False
    assert g.package_verifier_user_consent == -1
    assert g.upload_apk_enable is False
    assert g.verifier_verify_adb_installs is False
    assert g.install_non_market_apps is True
    assert g.development_settings_enabled is True and g.adb_enabled is True
    assert g.adb_wifi_enabled is None  # not on Android 9


def test_android9_secure_special_access() -> None:
    s = parse_settings((S / "android9_secure_u0.txt").read_bytes(), "secure", 0)
    assert s.enabled_accessibility_services == (
        "org.example.helper/org.example.helper.a11y.HelperService",
        "com.android.talkback/com.google.android.marvin.talkback.TalkBackService",
    )
    assert s.accessibility_enabled is True
    assert s.enabled_notification_listeners == (
        "org.example.helper/org.example.helper.NotifyService",
    )
    assert s.enabled_notification_assistant == (
        "com.google.android.ext.services/android.ext.services.notification.Assistant"
    )
    assert s.enabled_input_methods[1] == "org.example.keys/org.example.keys.KeyService"
    assert s.default_input_method == "org.example.keys/org.example.keys.KeyService"
    assert s.location_mode == 3 and s.location_providers_allowed == ("gps", "network")
    assert s.get("accessibility_shortcut_target_service") is None  # printed as null
    assert s.values["lock_screen_owner_info"] == "Line one\nLine two = not a key"
    assert s.issues.unparsed_lines == 0


def test_android14_values_with_equals_and_vpn() -> None:
    s = parse_settings((S / "android14_secure_u0.txt").read_bytes(), "secure", 0)
    assert s.get(
        "theme_customization_overlay_packages",
    ).startswith('{"android.theme')  # type: ignore[union-attr]
    assert s.enabled_accessibility_services == ()  # empty value
    assert s.always_on_vpn_app == "org.example.tracker" and s.always_on_vpn_lockdown is True
    g = parse_settings((S / "android14_global.txt").read_bytes(), "global")
    assert g.adb_wifi_enabled is True and g.package_verifier_enable is True


def test_permission_denied_is_unavailable() -> None:
    s = parse_settings((S / "permission_denied.txt").read_bytes(), "secure", 10)
    assert s.unavailable is not None and s.unavailable.startswith("Permission Denial")
    assert s.values == {} and s.user == 10


def test_value_with_equals_signs_and_bad_numbers() -> None:
    s = parse_settings("a=b=c\nn=notanumber\n")
    assert s.get("a") == "b=c"
    assert s.flag("n") is None and s.integer("n") is None and s.flag("missing") is None


def test_long_multiline_value_is_kept() -> None:
    s = parse_settings("a=first\n" + "more\n" * 100_000 + "b=2\n")
    assert s.get("a") == "first" + "\nmore" * 100_000
    assert s.integer("b") == 2


def test_first_line_without_key_is_counted() -> None:
    s = parse_settings("no key here\nx=1\n")
    assert s.issues.unparsed_lines == 1 and s.integer("x") == 1


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True),
        st.text(alphabet=st.characters(blacklist_characters="\r\n\x00"), max_size=40),
        max_size=10,
    )
)
def test_roundtrip_listing(values: dict[str, str]) -> None:
    text = "".join(f"{k}={v}\n" for k, v in sorted(values.items()))
    parsed = parse_settings(text)
    want = {k: (None if v == "null" else v) for k, v in values.items()}
    assert parsed.values == want


test_garbage_never_raises = never_raises_on_garbage(parse_settings)
test_mutations_never_raise = never_raises_on_mutations(parse_settings, FILES)


def test_android7_secure_unknown_sources_and_keyboard() -> None:
    s = parse_settings((S / "android7_secure_u0.txt").read_bytes(), "secure", 0)
    assert s.install_non_market_apps is True
    assert s.default_input_method == "org.example.keylogger/org.example.keylogger.Board"
    assert s.enabled_accessibility_services == ("org.example.helper/org.example.helper.Watch",)


def test_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.settings as settings

    assert parse_settings((S / "android14_secure_u0.txt").read_bytes()).truncated is False
    listing = "".join(f"key_{i}=v{i}\ncontinued{i}\n" for i in range(10))
    assert parse_settings(listing).truncated is False
    monkeypatch.setattr(settings, "MAX_SETTINGS", 4)
    s = parse_settings(listing)
    assert len(s.values) == 4 and s.truncated is True
    assert s.get("key_3") == "v3\ncontinued3" and s.issues.unparsed_lines == 0
    monkeypatch.setattr(settings, "MAX_SETTINGS", 10_000)
    monkeypatch.setattr(settings, "MAX_VALUE_CHARS", 12)
    s = parse_settings("a=12345\nb=1234567890\nc=1\n" + "\n" * 50)
    assert s.get("a") == "12345" and s.get("b") == "1234567" and s.get("c") == ""
    assert s.truncated is True
