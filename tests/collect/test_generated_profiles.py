"""`collect` against the generated device profiles (Android 7 to 16, vendors, scenarios)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.collect import CollectOptions, Status, collect, load_manifest, verify_acquisition
from stalkerscan.device.allowlist import is_allowed
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone

from .test_collect_simulated import phone_and_transport

# Enough versions and vendors to cover every fallback; the huge (5,000-package) profile is
# left to the benchmark: the session-count test uses a fast synthetic 5,000-package phone.
PROFILES = [
    "small",
    "typical",
    "android7-samsung",
    "android9-huawei",
    "android11-xiaomi",
    "android16-pixel",
    "work-profile",
    "hostile",
]


def generated(name: str) -> Profile:
    """A generated profile without link latency (tests need speed, not realism of timing)."""
    from stalkerscan.simulator.scenarios import load

    return load(name).with_changes(link={})


@pytest.mark.parametrize("name", PROFILES)
def test_generated_profile_collects_and_verifies(tmp_path: Path, name: str) -> None:
    out = tmp_path / "acq"
    profile = generated(name)
    with phone_and_transport(profile) as (phone, transport):
        # Pulls are tested below and in test_collect_simulated; here they would only add time.
        result = collect(transport, out, CollectOptions(pull=False))
        shells = [e.command for e in phone.command_log.entries() if e.kind == "shell"]
    assert result.complete, result.summary()
    report = verify_acquisition(out)
    assert report.ok and not report.problems, report.problems
    assert all(is_allowed(c) for c in shells)
    m = result.manifest
    assert m.users and 0 in m.users
    assert m.session_counts()["collect"] <= 4  # 3, plus one fallback session on Android 7
    assert len(shells) <= 6
    packages = m.artifact("packages_u0")
    assert packages is not None and packages.status == Status.OK and packages.size > 0
    # Nothing is written outside raw/ and apks/ (the hostile profile tries path traversal).
    for path in out.rglob("*"):
        rel = path.relative_to(out).as_posix()
        assert rel in ("raw", "apks", "manifest.json") or rel.startswith(("raw/", "apks/"))


def test_android7_lists_packages_with_the_fallback_command(tmp_path: Path) -> None:
    with phone_and_transport(generated("android7-samsung")) as (_, transport):
        result = collect(transport, tmp_path / "acq", CollectOptions())
    record = result.manifest.artifact("packages_u0")
    assert record is not None and record.status == Status.OK
    assert record.command == "pm list packages -f -i -u --user 0"
    assert record.fallback_from == "pm list packages -f -i -U -u --user 0"
    assert record.fallback_reason and "Unknown option" in record.fallback_reason
    # Android 7 has no sha256sum: hashing is skipped with the reason, not silently empty.
    assert result.manifest.hashing["status"] == "skipped"
    assert "sha256sum" in result.manifest.hashing["reason"]


def test_covert_scenario_pulls_exactly_the_training_stalkerware(tmp_path: Path) -> None:
    out = tmp_path / "acq"
    with phone_and_transport(generated("covert")) as (_, transport):
        result = collect(transport, out, CollectOptions())
    pulled = result.manifest.pulled_apks
    assert {p.package for p in pulled} == {"org.stalkerscan.training.syncservice"}
    (apk,) = pulled
    kinds = {r.split(":")[0] for r in apk.reasons}
    assert {"sideloaded", "hidden", "sensitive-grant"} <= kinds
    assert apk.verified and apk.sha256 == apk.phone_sha256
    assert (out / str(apk.file)).stat().st_size == apk.size


def test_work_profile_users_are_all_collected(tmp_path: Path) -> None:
    with phone_and_transport(generated("work-profile")) as (_, transport):
        result = collect(transport, tmp_path / "acq", CollectOptions(pull=False))
    users = result.manifest.users
    assert len(users) >= 2
    for u in users:
        for artifact in ("packages", "launcher", "settings_secure"):
            record = result.manifest.artifact(f"{artifact}_u{u}")
            assert record is not None and record.status == Status.OK, (artifact, u)


def test_disconnect_on_a_generated_profile(tmp_path: Path) -> None:
    profile = generated("typical").with_changes(faults={"drop_on_command": "dumpsys package"})
    with SimulatedPhone(profile, port=0) as phone:
        from stalkerscan.device.connect import open_transport

        transport = open_transport(phone.serial_tcp, via="tcp", timeout=10)
        try:
            result = collect(transport, tmp_path / "acq", CollectOptions())
        finally:
            transport.close()
    assert not result.complete
    assert "dumpsys_package" in result.not_collected()
    assert verify_acquisition(tmp_path / "acq").ok


def test_indicators_select_the_dual_use_app_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo feed names the fictional family locator: it is pulled, by name and by hash."""
    from .test_faults import collect_args, run_cli

    out = tmp_path / "acq"
    with SimulatedPhone(generated("dual-use"), port=0) as phone:
        args = collect_args(phone, out, "--indicators-dir", str(tmp_path / "empty-store"))
        code, err = run_cli(args, capsys)
    assert code == 0, err
    m = load_manifest(out)
    assert m.options["indicators"] is True
    (apk,) = m.pulled_apks
    assert apk.package == "org.stalkerscan.training.familylocator"
    assert {"indicator:package name", "indicator:APK sha256"} <= set(apk.reasons)
    assert apk.verified
