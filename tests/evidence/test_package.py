"""`dumpsys package` parser: golden files per Android version and vendor, encodings, edge cases."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from stalkerscan.evidence.package import (
    MAX_LINE,
    PARSER_STOPPED,
    PackageDump,
    iter_file_lines,
    parse_dumpsys_package,
    parse_dumpsys_package_file,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "dumpsys" / "package"
ANDROID9 = ROOT / "fixtures" / "dumpsys" / "emulator-android9" / "package"
CASES = [*sorted(FIXTURES.glob("*.txt")), ANDROID9 / "dumpsys_package_excerpt.txt"]
REGEN = os.environ.get("STALKERSCAN_REGEN_GOLDEN") == "1"


def _golden_check(result: PackageDump, source: Path) -> None:
    golden = source.with_suffix(".golden.json")
    data = result.model_dump(mode="json")
    if REGEN:
        golden.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert golden.exists(), f"no golden file for {source.name} (STALKERSCAN_REGEN_GOLDEN=1)"
    assert data == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.name)
def test_golden(source: Path) -> None:
    result = parse_dumpsys_package(source.read_text(encoding="utf-8"))
    _golden_check(result, source)
    # Every fixture is a format Android really prints: nothing may be left unparsed.
    assert result.issues.unparsed_lines == 0, result.issues.examples
    assert result.packages


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.name)
def test_crlf_utf16_and_streaming_parse_identically(source: Path, tmp_path: Path) -> None:
    text = source.read_text(encoding="utf-8")
    expected = parse_dumpsys_package(text)
    crlf = text.replace("\n", "\r\n")
    assert parse_dumpsys_package(crlf) == expected
    assert parse_dumpsys_package(crlf.encode("utf-8")) == expected
    utf16 = crlf.encode("utf-16-le")
    assert parse_dumpsys_package(utf16) == expected
    assert parse_dumpsys_package(b"\xff\xfe" + utf16) == expected
    saved = tmp_path / "dumpsys_package.txt"
    saved.write_bytes(b"\xff\xfe" + utf16)
    assert parse_dumpsys_package_file(saved) == expected
    saved.write_bytes(utf16)  # Windows tools often write no BOM
    assert parse_dumpsys_package_file(saved) == expected
    # An iterable of lines (e.g. an open text file) gives the same as the whole text.
    assert parse_dumpsys_package(iter(text.splitlines(keepends=True))) == expected


def test_android14_pixel_install_source_grants_and_components() -> None:
    dump = parse_dumpsys_package_file(FIXTURES / "android14-pixel.txt")
    assert dump.sdk_version == 34 and dump.complete
    spy = dump.package("org.example.wifiservice")
    assert spy is not None
    # The path holds `=` (Android 11+ base64 folder names): kept whole.
    assert spy.code_path == "/data/app/~~q9=Lk2=Zw0a8==/org.example.wifiservice-YWJj=ZGVm=="
    assert spy.app_id == 10244
    src = spy.install_source
    assert src.installer == "com.google.android.packageinstaller"
    assert src.installer_uid == 10094
    assert src.originating == "org.example.browser"
    assert src.package_source == 4
    assert spy.last_update_time == datetime(2024, 7, 14, 22, 3, 52)
    user0 = spy.user(0)
    assert user0 is not None and user0.installed and user0.install_reason == 4
    assert user0.first_install_time == datetime(2024, 7, 14, 22, 3, 52)
    granted = {p.name for p in user0.runtime_permissions if p.granted}
    assert "android.permission.ACCESS_BACKGROUND_LOCATION" in granted
    assert "android.permission.CAMERA" not in granted
    bg = next(p for p in user0.runtime_permissions if p.name.endswith("BACKGROUND_LOCATION"))
    assert bg.flags == (
        "USER_SET",
        "USER_SENSITIVE_WHEN_GRANTED",
        "USER_SENSITIVE_WHEN_DENIED",
        "RESTRICTION_INSTALLER_EXEMPT",
    )
    assert user0.disabled_components == ("org.example.wifiservice.SetupActivity",)
    assert spy.user(10) is not None and spy.user(10).installed is False  # type: ignore[union-attr]
    kinds = {h.kind for h in dump.intent_handlers if h.package == "org.example.wifiservice"}
    assert kinds == {
        "main_activity",
        "boot_receiver",
        "device_admin_receiver",
        "sms_receiver",
        "accessibility_service",
        "notification_listener",
        "vpn_service",
    }
    (admin,) = dump.handlers("device_admin_receiver")
    assert admin.component == "org.example.wifiservice/org.example.wifiservice.AdminReceiver"
    # The preferred-activities table is not a declaration: the launcher there is not listed.
    assert not dump.handlers("main_activity", "org.example.launcher")
    # Updated system app: current version plus the factory copy in "Hidden system packages".
    browser = dump.package("org.example.browser")
    assert browser is not None and browser.is_system and browser.is_updated_system
    (factory,) = dump.hidden_system_packages
    assert factory.name == "org.example.browser" and factory.hidden_system_package
    assert factory.version_name == "119.0.6045.66"
    assert browser.user(10).enabled == 3  # type: ignore[union-attr]
    assert browser.user(10).last_disabled_caller == "com.android.settings"  # type: ignore[union-attr]
    notes = dump.package("org.example.notes")
    assert notes is not None
    assert notes.splits == ("base", "config.arm64_v8a", "config.en", "config.xxhdpi")
    assert notes.signing.scheme_version == 3 and notes.signing.digests == ("a1b2c3d4",)
    kb = dump.package("org.example.keyboard")
    assert kb is not None and kb.shared_user == "android.uid.system" and kb.is_privileged
    (system_uid,) = dump.shared_users
    assert system_uid.app_id == 1000
    assert system_uid.users[0].runtime_permissions[0].name == "android.permission.READ_CONTACTS"
    assert dump.not_installed_for(10) == ("org.example.notes", "org.example.wifiservice")
    assert dump.uninstalled_but_kept(10) == ()  # never installed there: nothing kept


def test_android7_samsung_old_formats() -> None:
    dump = parse_dumpsys_package_file(FIXTURES / "android7-samsung.txt")
    assert dump.sdk_version == 24
    agent = dump.package("org.example.syncagent")
    assert agent is not None
    assert agent.app_id == 10187  # `userId=` before Android 12
    assert agent.install_source.installer == "com.android.packageinstaller"
    assert agent.install_source.initiating is None  # not recorded before Android 11
    assert agent.first_install_time == datetime(2018, 4, 1, 23, 2, 20)  # package level on 7
    assert agent.signing.digests == ("0badc0de", "1badc0de")  # `PackageSignatures{h [a, b]}`
    assert agent.signing.scheme_version is None  # apkSigningVersion appeared in Android 9
    grants = {p.name: p.granted for p in agent.install_permissions}
    assert grants["android.permission.READ_SMS"] is True
    assert agent.user(0).ce_data_inode == 524400  # type: ignore[union-attr]
    notes = dump.package("org.example.notes")
    assert notes is not None
    assert notes.user(0).runtime_permissions[0].flags == ("USER_SET",)  # type: ignore[union-attr]
    gallery = dump.package("org.example.gallery")
    assert gallery is not None
    # Samsung Secure Folder is user 150: the gallery state there is its own.
    assert gallery.user(150).disabled_components == (  # type: ignore[union-attr]
        "org.example.gallery.ui.SlideshowWidget",
    )
    assert dump.uninstalled_but_kept(0) == ("org.example.spyremoved",)
    removed = dump.package("org.example.spyremoved")
    assert removed is not None and removed.version_code == 3 and removed.target_sdk is None
    assert dump.handlers("outgoing_call_receiver")[0].package == "org.example.syncagent"


def test_android11_xiaomi_install_initiator_and_clone_user() -> None:
    dump = parse_dumpsys_package_file(FIXTURES / "android11-xiaomi.txt")
    tracker = dump.package("org.example.tracker")
    assert tracker is not None and tracker.is_debuggable
    assert tracker.install_source.installer == "com.miui.packageinstaller"
    assert tracker.install_source.initiating == "com.miui.packageinstaller"
    assert tracker.install_source.originating == "com.android.chrome"
    assert tracker.user(999).installed is True  # type: ignore[union-attr]  # XSpace clone
    assert tracker.user(0).distraction_flags == 0  # type: ignore[union-attr]
    gallery = dump.package("org.example.gallery")
    assert gallery is not None
    assert gallery.signing.past_digests == ("2e3d4c5b",)
    assert dump.hidden_system_packages[0].signing.digests == ("2e3d4c5b",)
    # The same receiver under BOOT_COMPLETED and LOCKED_BOOT_COMPLETED: two actions, kept both.
    assert [h.action for h in dump.handlers("boot_receiver")] == [
        "android.intent.action.BOOT_COMPLETED",
        "android.intent.action.LOCKED_BOOT_COMPLETED",
    ]
    # MIME-typed actions are read too (VIEW is not an action of interest: nothing kept).
    assert all(h.action != "android.intent.action.VIEW" for h in dump.intent_handlers)


def test_vendor_fields_on_user_line_are_kept_not_counted() -> None:
    dump = parse_dumpsys_package_file(FIXTURES / "android11-vendor-userline.txt")
    (pkg,) = dump.packages
    user0 = pkg.user(0)
    assert user0 is not None and user0.installed is True and user0.stopped is False
    assert dict(user0.extra) == {"restricted": "false", "alive": "false"}
    assert dump.issues.unparsed_lines == 0
    assert not dump.complete  # an excerpt: the output stops inside `Packages:`


def test_android13_oppo_suspended_and_autofill() -> None:
    dump = parse_dumpsys_package_file(FIXTURES / "android13-oppo.txt")
    pw = dump.package("org.example.passwords")
    assert pw is not None
    user0 = pw.user(0)
    assert user0 is not None and user0.suspended
    assert user0.suspending_packages == ("org.example.familyguard",)
    assert pw.install_source.initiating == "com.android.vending"  # installInitiatingPackageName
    assert pw.install_source.package_source == 2
    assert dump.handlers("autofill_service")[0].component == (
        "org.example.passwords/org.example.passwords.Fill"
    )
    battery = dump.package("org.example.battery")
    assert battery is not None and battery.install_source.installer is None  # printed `null`


def test_android16_quarantine_archive_and_per_user_install_permission() -> None:
    dump = parse_dumpsys_package_file(FIXTURES / "android16-pixel.txt")
    parental = dump.package("org.example.parental")
    assert parental is not None
    user0 = parental.user(0)
    assert user0 is not None and user0.quarantined and user0.suspended
    assert user0.suspending_packages == ("com.google.android.gms",)
    # After `Suspend params:` the user's own lines continue at the same depth (Android 14+).
    assert user0.gids == (3003,)
    assert [p.name for p in user0.runtime_permissions if p.granted] == [
        "android.permission.ACCESS_FINE_LOCATION"
    ]
    assert user0.enabled_components == ("org.example.parental.policy.AdminReceiver",)
    notes = dump.package("org.example.notes")
    assert notes is not None
    assert notes.user(11).archived  # type: ignore[union-attr]
    assert notes.install_source.update_owner == "com.android.vending"
    per_user = [p for p in notes.install_permissions if p.user_id == 11]
    assert per_user == [p for p in notes.install_permissions if p.user_id is not None]
    assert per_user[0].granted is False
    assert notes.signing.past_digests == ("99887766",)


def test_android9_real_capture_excerpt() -> None:
    dump = parse_dumpsys_package_file(ANDROID9 / "dumpsys_package_excerpt.txt")
    assert dump.sdk_version == 28
    assert dump.fingerprint is not None and dump.fingerprint.startswith("google/sdk_gphone_x86")
    app = dump.package("com.jeanboy.app.training")
    assert app is not None and app.is_debuggable and "TEST_ONLY" in app.flags
    assert app.install_source.installer is None  # adb install: no installer recorded
    assert len(app.splits) == 13
    gsa = dump.package("com.google.android.googlequicksearchbox")
    assert gsa is not None
    user0 = gsa.user(0)
    assert user0 is not None and len(user0.disabled_components) > 5
    assert any(
        p.name == "android.permission.READ_SMS" and p.granted for p in user0.runtime_permissions
    )
    admins = {h.package for h in dump.handlers("device_admin_receiver")}
    assert admins == {"com.google.android.gm", "com.google.android.gms"}
    assert len(dump.handlers("notification_listener")) == 5
    assert len(dump.handlers("input_method")) == 4


def test_empty_and_blank_input() -> None:
    for source in ("", "\n\n", b"", [], "\r\n"):
        dump = parse_dumpsys_package(source)
        assert dump.packages == () and not dump.complete
        assert dump.issues.unparsed_lines == 0


def test_truncated_mid_package_is_flagged() -> None:
    text = (FIXTURES / "android14-pixel.txt").read_text(encoding="utf-8")
    cut = text[: text.index("    User 0: ceDataInode=140011")]
    dump = parse_dumpsys_package(cut)
    assert not dump.complete
    spy = dump.package("org.example.wifiservice")
    assert spy is not None and spy.truncated and spy.users == ()
    assert not dump.package("org.example.notes").truncated  # type: ignore[union-attr]


def test_unknown_lines_are_counted_not_fatal() -> None:
    text = (
        "Packages:\n"
        "  Package [org.example.a] (1):\n"
        "    userId=10001\n"
        "    this line means nothing\n"
        "\x1b[31m red\n"
        "Vendor Magic Section:\n"
        "  ignored body line\n"
    )
    dump = parse_dumpsys_package(text)
    assert dump.package("org.example.a").app_id == 10001  # type: ignore[union-attr]
    assert dump.issues.unparsed_lines == 3  # the bad field, the column-0 junk, the unknown title
    assert "Vendor Magic Section:" in dump.issues.examples


def test_overlong_line_is_cut_and_counted(tmp_path: Path) -> None:
    long_value = "x" * (MAX_LINE * 3)
    text = f"Packages:\n  Package [org.example.a] (1):\n    versionName={long_value}\n"
    dump = parse_dumpsys_package(text)
    assert dump.lines_cut == 1
    name = dump.package("org.example.a").version_name  # type: ignore[union-attr]
    assert name is not None and len(name) <= MAX_LINE
    saved = tmp_path / "long.txt"
    saved.write_text(text, encoding="utf-8")
    lines = list(iter_file_lines(saved))
    assert len(lines) == 3 and len(lines[2]) == MAX_LINE + 1
    assert parse_dumpsys_package_file(saved) == dump


def test_list_caps_bound_memory() -> None:
    from stalkerscan.evidence import package as mod

    lines = ["Packages:", "  Package [org.example.big] (1):", "    install permissions:"]
    lines += [f"      p.N{i}: granted=true" for i in range(mod.MAX_LIST + 50)]
    dump = parse_dumpsys_package(lines)
    big = dump.package("org.example.big")
    assert big is not None and len(big.install_permissions) == mod.MAX_LIST and big.truncated
    assert dump.capped == 50


def _padded_dump(pads: int) -> list[str]:
    """A dump whose `Packages:` starts with `pads` fake blocks, then the real one."""
    lines = ["Packages:"]
    for i in range(pads):
        lines += [
            f"  Package [org.padding.app{i:06d}] ({i:x}):",
            f"    userId={20000 + i}",
            "    install permissions:",
            "      android.permission.INTERNET: granted=true",
        ]
    lines += [
        "  Package [org.example.real] (1):",
        "    userId=10001",
        "    codePath=/data/app/~~a==/org.example.real-b==",
        "    install permissions:",
        "      android.permission.INTERNET: granted=true",
        "    User 0: ceDataInode=1 installed=true hidden=false stopped=false enabled=0",
        "Shared users:",
    ]
    return lines


def test_padding_cannot_push_listed_packages_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crafted dump pads `Packages:` with fake blocks; given the `pm list` names, the parser
    models MAX_UNLISTED of them, counts the rest, and keeps the listed package after them."""
    from stalkerscan.evidence import package as mod

    monkeypatch.setattr(mod, "MAX_PACKAGES", 30)
    monkeypatch.setattr(mod, "MAX_UNLISTED", 10)
    lines = _padded_dump(100)
    # Without the list, the cap is reached by the padding and the real package is dropped.
    blind = parse_dumpsys_package(lines)
    assert blind.package("org.example.real") is None and blind.capped > 0
    dump = parse_dumpsys_package(lines, listed={"org.example.real"})
    real = dump.package("org.example.real")
    assert real is not None and real.app_id == 10001 and real.users[0].installed is True
    assert real.code_path == "/data/app/~~a==/org.example.real-b=="
    assert [p.name for p in dump.packages[:10]] == [f"org.padding.app{i:06d}" for i in range(10)]
    assert len(dump.packages) == 11 and dump.capped == 0
    assert dump.unlisted_count == 90
    assert dump.unlisted[0] == "org.padding.app000010"
    assert dump.issues.unparsed_lines == 0  # skipped blocks are not "unknown lines"
    assert dump.complete


def test_few_unlisted_packages_are_still_modelled() -> None:
    """Names `pm list` refused (control characters, `../`) stay visible: under MAX_UNLISTED,
    blocks of unlisted packages are parsed as usual and nothing is counted as skipped."""
    lines = _padded_dump(3)
    dump = parse_dumpsys_package(lines, listed={"org.example.real"})
    assert dump == parse_dumpsys_package(lines)
    assert dump.unlisted_count == 0 and len(dump.packages) == 4


def test_repeated_grant_lines_share_one_object() -> None:
    dump = parse_dumpsys_package(_padded_dump(50))
    grants = {id(p.install_permissions[0]) for p in dump.packages}
    assert len(grants) == 1
    assert dump.packages[0].install_permissions[0].name == "android.permission.INTERNET"


def test_file_parse_cache_is_keyed_by_the_listed_names(tmp_path: Path) -> None:
    from stalkerscan.evidence import package as mod

    saved = tmp_path / "dumpsys_package.txt"
    saved.write_text("\n".join(_padded_dump(mod.MAX_UNLISTED + 5)) + "\n", encoding="utf-8")
    listed = ["org.example.real"]
    first = parse_dumpsys_package_file(saved, listed=listed)
    assert parse_dumpsys_package_file(saved, listed=set(listed)) is first  # same names: cached
    full = parse_dumpsys_package_file(saved)
    assert full is not first and full.unlisted_count == 0 and first.unlisted_count == 5


def test_list_entries_have_a_budget_over_the_whole_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    """Distinct grant lines in every package: past MAX_ITEMS entries in all, lists are cut."""
    from stalkerscan.evidence import package as mod

    monkeypatch.setattr(mod, "MAX_ITEMS", 100)
    lines = ["Packages:"]
    for i in range(10):
        lines += [f"  Package [org.example.p{i}] ({i}):", "    install permissions:"]
        lines += [f"      p.P{i}_{k}: granted=true" for k in range(30)]
    dump = parse_dumpsys_package(lines)
    kept = [len(p.install_permissions) for p in dump.packages]
    assert sum(kept) == 100 and kept[:3] == [30, 30, 30] and kept[3] == 10
    assert dump.capped == 200
    assert [p.truncated for p in dump.packages] == [False] * 3 + [True] * 7
    assert len(dump.packages) == 10  # the packages themselves are all there


def test_a_failing_line_source_keeps_what_was_read() -> None:
    def lines():  # a saved file that becomes unreadable half-way
        yield "Packages:"
        yield "  Package [org.example.a] (1):"
        yield "    userId=10001"
        raise OSError("device removed")

    dump = parse_dumpsys_package(lines())
    assert dump.package("org.example.a") is not None
    assert dump.issues.examples[-1].startswith(PARSER_STOPPED)


def test_injected_title_inside_a_package_does_not_hide_its_grants() -> None:
    # AOSP prints versionName raw: a crafted one holding newlines can fake a section title.
    text = (
        "Packages:\n"
        "  Package [org.example.spy] (1):\n"
        "    userId=10300\n"
        "    versionName=1.0\n"
        "    User 0: installed=false\n"
        "Frozen packages:\n"
        "    timeStamp=2024-01-01 00:00:00\n"
        "    User 0: ceDataInode=5 installed=true hidden=false stopped=false enabled=0\n"
        "      runtime permissions:\n"
        "        android.permission.READ_SMS: granted=true\n"
        "  Package [org.example.notes] (2):\n"
        "    userId=10301\n"
        "  Package [org.example.spy] (3):\n"
        "    userId=99999\n"
        "\n"
        "Shared users:\n"
        "  SharedUser [android.uid.system] (4):\n"
        "    userId=1000\n"
    )
    dump = parse_dumpsys_package(text)
    spy = dump.package("org.example.spy")
    assert spy is not None and spy.app_id == 10300
    assert spy.user(0).runtime_permissions[0].name == "android.permission.READ_SMS"  # type: ignore[union-attr]
    assert dump.anomalies == (
        "section title inside a package block: Frozen packages:",
        "user 0 printed twice in org.example.spy",
        "package listed twice: org.example.spy",
    )
    assert spy.user(0).installed is True  # type: ignore[union-attr]  # the real, last one
    assert [p.name for p in dump.packages].count("org.example.spy") == 2
    # A real title after a package block is still a title (next line at 2 spaces or column 0).
    assert dump.shared_users[0].app_id == 1000 and dump.complete


def test_title_at_the_very_end_after_a_package() -> None:
    dump = parse_dumpsys_package(
        "Packages:\n  Package [org.example.a] (1):\n    userId=1\nDexopt state:\n"
    )
    assert dump.sections == ("Packages:", "Dexopt state:") and dump.complete
    assert dump.anomalies == ()


def test_android15_samsung_vendor_lines_and_sdk_library_quirk() -> None:
    # One UI 7 adds `category=manifest: ...` and `componentsDeclared=` (read from Samsung's
    # framework); AOSP 14+ prints a usesSdkLibraries entry's ` optional:` on its own line.
    dump = parse_dumpsys_package_file(FIXTURES / "android15-samsung.txt")
    assert dump.issues.unparsed_lines == 0
    app = dump.package("org.example.familylink")
    assert app is not None and app.extra == ()
    assert app.install_source.installer == "com.sec.android.app.samsungapps"
    assert [u.user_id for u in app.users] == [0, 95, 150]  # Dual Messenger, Secure Folder
    assert app.install_permissions[1].granted is False
