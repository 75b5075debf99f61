"""The same fact reads the same in every artifact (checked through the project's parsers), and
each Android version prints what that version prints."""

from __future__ import annotations

import pytest
from gen_helpers import BENIGN, Rendered

from stalkerscan.evidence import (
    accessibility,
    appops,
    device_policy,
    deviceidle,
    launcher,
    notification,
    package,
    pm_list,
    role,
    settings,
    usagestats,
)

COVERT = "org.stalkerscan.training.syncservice"
LAUNCHER = ("cmd package query-activities --brief --user {n} -a android.intent.action.MAIN "
            "-c android.intent.category.LAUNCHER")  # fmt: skip


def _pkgs(r: Rendered) -> dict[str, package.PackageInfo]:
    dump = r.parsed("dumpsys package", package.parse_dumpsys_package)
    return {p.name: p for p in dump.packages}


def _secure(r: Rendered, user: int) -> dict[str, str]:
    return dict(settings.parse_settings(r.out(f"settings --user {user} list secure")).values)


@pytest.mark.parametrize("name", BENIGN)
def test_uids_agree_between_pm_list_dumpsys_appops_and_deviceidle(name: str, render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render(name)
    pkgs = _pkgs(r)
    cmd = "pm list packages -f -i -U -u --user 0"
    if r.entry(cmd).get("exit", 0) != 0:  # Android 7: no -U
        cmd = "pm list packages -f -i -u --user 0"
    listed = pm_list.parse_pm_list_packages(r.out(cmd)).packages
    assert listed
    for p in listed:
        assert p.name in pkgs, f"{p.name} in pm list but not in dumpsys package"
        for uid in p.uids:
            assert uid % 100000 == pkgs[p.name].app_id
    for u in appops.parse_appops(r.out("dumpsys appops")).uids:
        for po in u.packages:
            assert po.package in pkgs
    for e in deviceidle.parse_deviceidle_whitelist(r.out("dumpsys deviceidle whitelist")).entries:
        assert e.package in pkgs
        if e.uid is not None:
            assert e.uid % 100000 == pkgs[e.package].app_id


@pytest.mark.parametrize("name", BENIGN)
def test_special_access_agrees_between_settings_and_dumps(name: str, render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render(name)
    users = [int(x.split("{")[1].split(":")[0]) for x in r.text("pm list users").splitlines()[1:]]
    a11y_dump = accessibility.parse_accessibility(r.out("dumpsys accessibility"))
    notif = notification.parse_notification(r.out("dumpsys notification"))
    approved = {(a.component, a.user) for a in notif.listeners.approved}
    sdk = int(dict(x.split("]: [") for x in r.text("getprop").strip("[]\n").split("]\n[")).get(
        "ro.build.version.sdk", "0"))  # fmt: skip
    for u in users:
        sec = _secure(r, u)
        a11y = accessibility.parse_enabled_accessibility_services(
            sec.get("enabled_accessibility_services")
        )
        if sdk >= 30:  # Android 11+ prints the enabled components
            dumped = {c.replace("/.", "/") for c in a11y_dump.enabled_components()}
            for comp in a11y:
                pkg, cls = comp.split("/", 1)
                full = pkg + cls if cls.startswith(".") else cls
                assert f"{pkg}/{full}" in dumped or comp in dumped, comp
        assert (sec.get("accessibility_enabled") == "1") == bool(a11y)
        for comp in notification.parse_enabled_notification_listeners(
            sec.get("enabled_notification_listeners")
        ):
            pkg, cls = comp.split("/", 1)
            full = pkg + cls if cls.startswith(".") else cls
            assert (f"{pkg}/{full}", u) in approved or (comp, u) in approved, comp


def test_covert_app_is_wired_everywhere(render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render("covert")
    p = _pkgs(r)[COVERT]
    assert p.install_source is not None
    assert p.install_source.installer == "com.google.android.packageinstaller"
    assert p.version_code == 7 and p.version_name == "2.3.1-training"
    granted = {
        g.name for u in p.users if u.user_id == 0 for g in u.runtime_permissions if g.granted
    }
    assert "android.permission.READ_SMS" in granted
    assert not p.requested_permissions  # printed by `dumpsys package NAME` only
    launch = launcher.parse_launcher_query(r.out(LAUNCHER.format(n=0)))
    assert launch.activities and COVERT not in {a.package for a in launch.activities}
    sec = _secure(r, 0)
    assert COVERT in sec["enabled_accessibility_services"]
    assert COVERT in sec["enabled_notification_listeners"]
    glob = dict(settings.parse_settings(r.out("settings list global")).values)
    assert glob["package_verifier_enable"] == "0"
    admins = device_policy.parse_device_policy(r.out("dumpsys device_policy")).admins
    assert any(a.package == COVERT and a.user == 0 for a in admins)
    idle = deviceidle.parse_deviceidle_whitelist(r.out("dumpsys deviceidle whitelist")).entries
    assert any(e.package == COVERT and e.kind == "user" for e in idle)
    ops = {
        po.package: po
        for u in appops.parse_appops(r.out("dumpsys appops")).uids
        for po in u.packages
    }
    assert COVERT in ops
    # The real training APK is served at the path pm list shows.
    listed = pm_list.parse_pm_list_packages(r.out("pm list packages -f -i -U -u --user 0")).packages
    path = next(x.path for x in listed if x.name == COVERT)
    assert r.data["files"][path] == {"source": "apks/training-stalkerware.apk"}
    assert (r.root / "apks" / "training-stalkerware.apk").is_file()


def test_removed_app_leaves_traces_but_no_active_access(render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render("removed")
    p = _pkgs(r)[COVERT]
    assert all(not u.installed for u in p.users)
    listed = pm_list.parse_pm_list_packages(r.out("pm list packages -f -i -U -u --user 0")).packages
    assert any(x.name == COVERT for x in listed)
    usage = usagestats.parse_usagestats(r.out("dumpsys usagestats")).packages
    assert any(u.package == COVERT for u in usage)
    assert COVERT not in _secure(r, 0).get("enabled_accessibility_services", "")
    admins = device_policy.parse_device_policy(r.out("dumpsys device_policy")).admins
    assert not any(a.package == COVERT for a in admins)
    assert not any(COVERT in path for path in r.data["files"])  # its code is gone


def test_work_profile_hides_the_app_in_user_10(render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render("work-profile")
    p = _pkgs(r)[COVERT]
    state = {u.user_id: u.installed for u in p.users}
    assert state == {0: False, 10: True}
    assert COVERT in _secure(r, 10)["enabled_accessibility_services"]
    assert COVERT not in _secure(r, 0).get("enabled_accessibility_services", "")
    dp = device_policy.parse_device_policy(r.out("dumpsys device_policy"))
    assert any(o.package == COVERT and o.user == 10 for o in dp.profile_owners)
    l10 = pm_list.parse_pm_list_packages(r.out("pm list packages -f -i -U -u --user 10")).packages
    assert any(x.name == COVERT and 1000000 + p.app_id in x.uids for x in l10)


def test_clean_true_negatives_are_present(render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render("clean")
    pk = _pkgs(r)
    talkback = pk["com.google.android.marvin.talkback"]
    assert "SYSTEM" in talkback.flags and "UPDATED_SYSTEM_APP" in talkback.flags
    assert "talkback" in _secure(r, 0)["enabled_accessibility_services"]
    assert pk["org.fossify.gallery"].install_source.installer == "org.fdroid.fdroid"  # type: ignore[union-attr]
    assert _secure(r, 0)["default_input_method"].startswith("com.touchtype.swiftkey/")
    dp = device_policy.parse_device_policy(r.out("dumpsys device_policy"))
    assert any(
        o.package == "com.google.android.apps.work.clouddpc" and o.user == 10
        for o in dp.profile_owners
    )
    hidden = package.parse_dumpsys_package(r.out("dumpsys package")).hidden_system_packages
    assert any(h.name == "com.google.android.marvin.talkback" for h in hidden)


def test_version_specific_shapes(render) -> None:  # type: ignore[no-untyped-def]
    a7: Rendered = render("android7-samsung")
    e = a7.entry("pm list packages -f -i -U -u --user 0")
    assert e["exit"] == 255 and "Unknown option: -U" in a7.text(
        "pm list packages -f -i -U -u --user 0"
    )
    assert "/data/app/" in a7.text("pm list packages -f -i -u --user 0")
    assert "-1/base.apk=" in a7.text("pm list packages -f -i -u --user 0")
    assert "Can't find service: role" in str(a7.entry("dumpsys role").get("stderr"))
    assert "sha256sum" not in a7.data["binaries"]
    a9: Rendered = render("android9-huawei")
    assert "==/base.apk=" in a9.text("pm list packages -f -i -U -u --user 0")
    assert "~~" not in a9.text("pm list packages -f -i -U -u --user 0")
    assert "com.huawei.appmarket" in a9.text("pm list packages -f -i -U -u --user 0")
    assert "Can't find service" in str(a9.entry("dumpsys role").get("stderr"))
    a11: Rendered = render("android11-xiaomi")
    assert "/data/app/~~" in a11.text("pm list packages -f -i -U -u --user 0")
    assert "userId=" in a11.text("dumpsys package") and "appId=" not in a11.text("dumpsys package")
    a16: Rendered = render("android16-pixel")
    assert "appId=" in a16.text("dumpsys package") and "quarantined=false" in a16.text(
        "dumpsys package"
    )
    assert role.parse_role(a16.out("dumpsys role")).roles
    aosp: Rendered = render("android10-aosp")
    assert "sha256sum" not in aosp.data["binaries"]
    assert aosp.text("getenforce").strip() == "Permissive"
    rooted: Rendered = render("rooted")
    assert "/system/xbin/su" in rooted.data["binaries"]


def test_typical_declares_about_one_and_a_half_gigabytes(render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render("typical")
    files = r.data["files"]
    total = sum(int(f["generate"]["size"]) for f in files.values() if "generate" in f)
    assert 1.4e9 < total < 1.6e9
    listed = pm_list.parse_pm_list_packages(r.out("pm list packages -f -i -U -u --user 0")).packages
    assert 290 <= len(listed) <= 310
    user = [x for x in listed if x.path and x.path.startswith("/data/app/")]
    assert 75 <= len(user) <= 85
    splits = [path for path in files if "/split_" in path]
    assert len(splits) > 60
    assert r.data["link"]["shell_run_ms"] == 20.0 and r.data["link"]["hash_mb_s"] > 0


def test_hostile_outputs_carry_raw_bytes(render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render("hostile")
    raw = r.out("dumpsys package")
    assert b"\x00" in raw and b"\xff\xfe" in raw and b"\x1b[" in raw
    assert "../../" in r.text("pm list packages -f -i -U -u --user 0")
    assert "<script>" in r.text("getprop")


def test_mvt_per_package_commands_agree_with_the_listing(render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render("small")
    listed = pm_list.parse_pm_list_packages(r.out("pm list packages -u -i -f")).packages
    assert len(listed) == 50
    for p in listed:
        paths = [x.removeprefix("package:") for x in r.text(f"pm path {p.name}").splitlines()]
        assert paths and paths[0] == p.path
        assert all(path in r.data["files"] for path in paths)
        one = package.parse_dumpsys_package(r.out(f"dumpsys package {p.name}"))
        assert [q.name for q in one.packages] == [p.name] and one.issues.unparsed_lines == 0
    third = {x.removeprefix("package:") for x in r.text("pm list packages -3").splitlines()}
    assert third and all(not q.startswith("com.android.") for q in third)
