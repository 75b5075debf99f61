"""build_evidence on real acquisitions: what each artifact says about an app is joined into
one record per package, per user, and every artifact's state is recorded."""

from __future__ import annotations

import json
from pathlib import Path

from stalkerscan.evidence.build import build_evidence

SPY = "org.stalkerscan.training.syncservice"


def test_covert_app_record(acquisitions: dict[str, Path], detection) -> None:  # type: ignore[no-untyped-def]
    _, rule_sets = detection
    ev = build_evidence(acquisitions["covert"], rule_sets=rule_sets)
    a = ev.app(SPY)
    assert a is not None
    assert a.users == (0,) and a.kept_users == ()
    assert (a.installer, a.installer_kind) == ("com.google.android.packageinstaller", "sideloaded")
    assert a.originating == "com.android.chrome" and not a.system
    assert a.launcher_users == () and a.launcher_known_users == (0,)
    assert any(x.endswith("SyncAccessibilityService") for x in a.accessibility)
    assert any(x.endswith("SyncNotificationService") for x in a.notification_listeners)
    assert a.device_admin_users == (0,) and "wipe-data" in a.device_admin_policies
    assert a.appops.get("GET_USAGE_STATS") == "allow"
    assert a.battery_exempt and a.boot_receiver
    assert "android.permission.READ_SMS" in a.granted_permissions
    assert a.label == "Sync Service" and a.version_name == "2.3.1-training"
    manifest = json.loads((acquisitions["covert"] / "manifest.json").read_text())
    phone = {h["sha256"] for h in manifest["apk_hashes"] if h["package"] == SPY}
    assert set(a.sample_hashes()) == phone
    (apk,) = a.apks
    assert apk.trusted and apk.verified and apk.info is not None and apk.info.unparseable is None
    assert {h.rule_id for h in apk.yara} >= {"SS-YARA-001", "SS-YARA-005"}
    assert "c2.trainingspy.example" in {h.host for h in apk.hosts}
    # Every artifact of the manifest has a state, and all are trusted here.
    names = {x["name"] for x in manifest["artifacts"]}
    states = {s.name.split("#")[0] for s in ev.artifacts}
    assert names <= states
    assert all(s.trusted for s in ev.artifacts)
    assert ev.complete and ev.manifest_sha256 and ev.acquisition == "covert"
    assert ev.device_time is not None and ev.device_time.year == 2026


def test_clean_phone_users_and_profiles(acquisitions: dict[str, Path]) -> None:
    ev = build_evidence(acquisitions["clean"], analyse_apks=False)
    assert ev.user_ids == (0, 10)
    talkback = ev.app("com.google.android.marvin.talkback")
    assert talkback is not None and talkback.system and talkback.updated_system
    assert talkback.accessibility
    keyboard = ev.app("com.touchtype.swiftkey")
    assert keyboard is not None and keyboard.default_input_method_users == (0,)
    assert keyboard.installer_kind == "store"
    outlook = ev.app("com.microsoft.office.outlook")
    assert outlook is not None and outlook.users == (10,)
    dpc = ev.app("com.google.android.apps.work.clouddpc")
    assert dpc is not None and dpc.profile_owner_users == (10,) and set(dpc.users) == {0, 10}
    assert ev.removed == ()
    assert ev.apk_analysis.enabled is False


def test_work_profile_app_only_in_user_10(acquisitions: dict[str, Path]) -> None:
    ev = build_evidence(acquisitions["work-profile"], analyse_apks=False)
    a = ev.app(SPY)
    assert a is not None and a.users == (10,) and a.profile_owner_users == (10,)
    assert all(x.startswith("10:") for x in a.accessibility)


def test_removed_app_leaves_a_trace(acquisitions: dict[str, Path]) -> None:
    ev = build_evidence(acquisitions["removed"], analyse_apks=False)
    a = ev.app(SPY)
    assert a is not None and a.users == () and a.kept_users == (0,)
    (trace,) = [t for t in ev.removed if t.package == SPY]
    assert {"kept", "usagestats", "appops"} <= set(trace.sources)
    assert trace.last_used is not None and trace.last_used.startswith("2026-11-20")


def test_old_android_skips_are_recorded(acquisitions: dict[str, Path]) -> None:
    ev = build_evidence(acquisitions["android7-samsung"], analyse_apks=False)
    role = next(s for s in ev.artifacts if s.name == "role")
    assert role.status == "skipped" and role.reason
    assert ev.sdk in (24, 25)  # Android 7.0 or 7.1
    assert ev.hashing.get("status") == "skipped"


def test_scan_parses_dumpsys_package_once(tmp_path: Path, detection, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Collection (code paths, splits) and the evidence pass the same `pm list` names to the
    parser, so in one process (`scan`) the saved dump is parsed once, also with two users."""
    from stalkerscan.evidence import package
    from stalkerscan.simulator import scenarios

    from .conftest import collect_profile_folder

    calls: list[object] = []
    real = package.parse_dumpsys_package

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs.get("listed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(package, "parse_dumpsys_package", counting)
    acq = collect_profile_folder(
        scenarios.resolve("work-profile", tmp_path / "cache"), tmp_path / "a"
    )
    _, rule_sets = detection
    ev = build_evidence(acq, rule_sets=rule_sets, analyse_apks=False)
    assert ev.user_ids == (0, 10)
    assert len(calls) == 1 and calls[0] is not None  # one parse, given the listed names
    assert ev.package_dump_complete
    # The parse is let go once joined: on a big phone it is the largest thing in memory.
    assert package._last_file_parse is None


def test_apps_past_the_cap_are_left_out_but_special_access_holders_stay(
    acquisitions: dict[str, Path], detection, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from stalkerscan.evidence import build

    _, rule_sets = detection
    full = build_evidence(acquisitions["covert"], rule_sets=rule_sets, analyse_apks=False)
    monkeypatch.setattr(build, "MAX_APPS", 5)
    ev = build_evidence(acquisitions["covert"], rule_sets=rule_sets, analyse_apks=False)
    # Packages only the listings name are left out; those another artifact names (a special
    # access, an app-op, a hash) are still modelled.
    assert len(ev.apps) < len(full.apps)
    spy = ev.app(SPY)  # past the cap in the listings, kept for its special accesses
    assert spy is not None and spy.accessibility and spy.device_admin_users == (0,)
    states = {s.name: s for s in ev.artifacts}
    note = states["packages_u0"].parse_limited
    assert note is not None and "past the 5 apps this tool models were left out" in note
    assert "left out" in (states["dumpsys_package"].parse_limited or "")


def test_a_hard_cap_on_all_apps_names_the_artifacts_it_cut(
    acquisitions: dict[str, Path], detection, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Past MAX_ALL_APPS, packages named only by a special access, an app-op or a hash are
    left out too, and each artifact that named one is marked partial."""
    from stalkerscan.evidence import build

    _, rule_sets = detection
    monkeypatch.setattr(build, "MAX_APPS", 3)
    monkeypatch.setattr(build, "MAX_ALL_APPS", 3)
    ev = build_evidence(acquisitions["covert"], rule_sets=rule_sets, analyse_apks=False)
    assert len([a for a in ev.apps if not a.apks]) <= 3  # pulled APKs are always analysed
    limited = {s.name: s.parse_limited for s in ev.artifacts if s.parse_limited}
    assert "packages_u0" in limited
    assert any(name.startswith("apk_hashes") for name in limited)
    assert any(name in limited for name in ("appops", "accessibility", "device_policy"))
    assert all("apps this tool models were left out" in note for note in limited.values())


def test_usage_only_traces_are_capped(acquisitions: dict[str, Path], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Packages only the usage history names (fully removed apps) are traces; past
    MAX_USAGE_ONLY_TRACES they are counted on the usagestats row, not listed."""
    from stalkerscan.evidence import build
    from stalkerscan.evidence.usagestats import PackageUsage

    real = build.parse_usagestats

    def with_ghosts(data: bytes):  # type: ignore[no-untyped-def]
        dump = real(data)
        ghosts = tuple(
            PackageUsage(package=f"org.example.gone{i}", user=0, last_used="2026-11-01 10:00:00")
            for i in range(5)
        )
        return dump.model_copy(update={"packages": dump.packages + ghosts})

    monkeypatch.setattr(build, "parse_usagestats", with_ghosts)
    full = build_evidence(acquisitions["removed"], analyse_apks=False)
    ghosts = [t.package for t in full.removed if t.package.startswith("org.example.gone")]
    assert len(ghosts) == 5
    monkeypatch.setattr(build, "MAX_USAGE_ONLY_TRACES", 2)
    ev = build_evidence(acquisitions["removed"], analyse_apks=False)
    kept = [t.package for t in ev.removed if t.package.startswith("org.example.gone")]
    assert kept == ["org.example.gone0", "org.example.gone1"]
    state = next(s for s in ev.artifacts if s.name == "usagestats")
    assert state.parse_limited is not None
    assert "3 more packages only the usage records mention" in state.parse_limited
