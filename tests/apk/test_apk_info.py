"""androguard adapter on the real fixture APKs: manifest facts and certificates vs apksigner."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys

import pytest

from stalkerscan.evidence.apk import ApkInfo, analyse_apk

from .conftest import APKS, EXPECTED, TRAINING, TRAINING_PACKAGE

SIGNED = sorted(n for n, e in EXPECTED.items() if not n.startswith("_") and e["verifies"])


def test_every_committed_apk_is_in_expected_json() -> None:
    assert {p.name for p in APKS.glob("*.apk")} == {n for n in EXPECTED if not n.startswith("_")}
    for p in APKS.glob("*.apk"):
        assert hashlib.sha256(p.read_bytes()).hexdigest() == EXPECTED[p.name]["sha256"], p.name


@pytest.mark.parametrize("name", SIGNED)
def test_certificates_equal_apksigner(name: str) -> None:
    info = analyse_apk(APKS / name)
    exp = EXPECTED[name]
    assert info.unparseable is None
    assert info.sha256 == exp["sha256"]
    # apksigner prints the signer the newest Android uses (v3 if present): it must be ours.
    for s in exp["signers"]:
        assert s["sha1"] in info.certificate_sha1s()
        assert s["sha256"] in info.certificate_sha256s()
    assert [c.sha256 for c in info.lineage] == [c["sha256"] for c in exp["lineage"]]
    assert [c.sha1 for c in info.lineage] == [c["sha1"] for c in exp["lineage"]]
    expected_schemes = sorted(k for k, v in exp["schemes"].items() if v)
    assert sorted(info.signing_schemes) == expected_schemes


def test_v1_only() -> None:
    info = analyse_apk(APKS / "v1-only.apk")
    assert info.signing_schemes == ("v1",)
    (signer,) = info.signers
    assert signer.schemes == ("v1",)
    assert signer.sha256 == EXPECTED["v1-only.apk"]["signers"][0]["sha256"]


def test_rotated_keeps_old_and_new_certificates() -> None:
    info = analyse_apk(APKS / "rotated.apk")
    old, new = EXPECTED["rotated.apk"]["lineage"]
    by_scheme = {c.sha256: c.schemes for c in info.signers}
    # v1/v2 are signed by the old key (older Android), v3 by the new key with the lineage.
    assert set(by_scheme[old["sha256"]]) == {"v1", "v2"}
    assert by_scheme[new["sha256"]] == ("v3",)
    assert [c.sha256 for c in info.lineage] == [old["sha256"], new["sha256"]]
    assert all(c.subject and "TEST ONLY rotate" in c.subject for c in info.lineage)


def test_training_app_manifest() -> None:
    info = analyse_apk(TRAINING)
    assert info.package == TRAINING_PACKAGE
    assert info.label == "Sync Service"
    assert (info.version_code, info.version_name) == (7, "2.3.1-training")
    assert (info.min_sdk, info.target_sdk) == (21, 29)
    for perm in (
        "READ_SMS",
        "READ_CALL_LOG",
        "ACCESS_FINE_LOCATION",
        "ACCESS_BACKGROUND_LOCATION",
        "RECORD_AUDIO",
    ):
        assert f"android.permission.{perm}" in info.permissions
    p = TRAINING_PACKAGE
    assert info.services_of_kind("accessibility") == (f"{p}.SyncAccessibilityService",)
    assert info.services_of_kind("notification_listener") == (f"{p}.SyncNotificationService",)
    assert info.device_admin_receivers == (f"{p}.AdminReceiver",)
    assert info.boot_receivers == (f"{p}.BootReceiver",)
    assert info.launcher_activity is False and info.launcher_activities == ()
    assert info.signing_schemes == ("v1", "v2", "v3")
    assert info.problems == ()


def test_benign_app_manifest() -> None:
    info = analyse_apk(APKS / "benign.apk")
    assert info.package == "org.stalkerscan.fixtures.notes" and info.label == "Plain Notes"
    assert info.permissions == () and info.services == () and info.receivers == ()
    assert info.launcher_activity is True
    assert info.launcher_activities == ("org.stalkerscan.fixtures.notes.MainActivity",)


def test_family_locator_is_visible_with_location() -> None:
    info = analyse_apk(APKS / "family-locator.apk")
    assert info.label == "Family Locator (fictional)" and info.launcher_activity
    assert "android.permission.ACCESS_BACKGROUND_LOCATION" in info.permissions
    assert info.services_of_kind("accessibility") == ()


def test_split_apks() -> None:
    base = analyse_apk(APKS / "split-base.apk")
    cfg = analyse_apk(APKS / "split_config.arm64_v8a.apk")
    assert base.package == cfg.package == "org.stalkerscan.training.splitdemo"
    assert base.split is None and cfg.split == "config.arm64_v8a"
    assert base.signers[0].sha256 == cfg.signers[0].sha256


def test_corrupt_apk_is_unparseable_with_reason() -> None:
    info = analyse_apk(APKS / "corrupt.apk")
    assert info.unparseable and "zip" in info.unparseable.lower()
    assert info.sha256 == EXPECTED["corrupt.apk"]["sha256"]
    assert info.package is None and info.signers == ()


def test_bytes_and_path_give_the_same_result() -> None:
    assert analyse_apk(TRAINING.read_bytes()) == analyse_apk(TRAINING)
    assert analyse_apk(str(TRAINING)) == analyse_apk(TRAINING)


def test_result_is_frozen() -> None:
    info = analyse_apk(TRAINING)
    assert isinstance(info, ApkInfo)
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error type
        info.package = "x"  # type: ignore[misc]


def test_androguard_is_quiet_and_misc_never_imported() -> None:
    code = (
        "import sys\n"
        "from stalkerscan.evidence.apk import analyse_apk\n"
        f"i = analyse_apk({str(TRAINING)!r})\n"
        "print('MISC=' + str('androguard.misc' in sys.modules), i.package)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "MISC=False org.stalkerscan.training.syncservice" in out.stdout
    assert "DEBUG" not in out.stderr and "INFO" not in out.stderr, out.stderr[:500]


@pytest.mark.skipif(shutil.which("apksigner") is None, reason="apksigner not installed")
def test_apksigner_still_agrees_on_the_training_apk() -> None:
    out = subprocess.run(
        ["apksigner", "verify", "--print-certs", str(TRAINING)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    digests = dict(
        re.findall(r"^Signer #1 certificate (SHA-256|SHA-1) digest: ([0-9a-f]+)$", out.stdout, re.M)
    )
    info = analyse_apk(TRAINING)
    assert info.signers[0].sha256 == digests["SHA-256"]
    assert info.signers[0].sha1 == digests["SHA-1"]


STUBS = {
    "stub-talkback.apk": (
        "com.google.android.marvin.talkback",
        (150000000, "15.0.0"),
        {"accessibility": ("com.google.android.marvin.talkback.TalkBackService",)},
    ),
    "stub-familytime.apk": (
        "net.brightnest.familytime",
        (4120, "4.12"),
        {"device_admin": ("net.brightnest.familytime.GuardianAdminReceiver",)},
    ),
    "stub-fdroid.apk": ("org.fdroid.fdroid", (1020050, "1.20.0"), {}),
    "stub-bitwarden.apk": (
        "com.x8bit.bitwarden",
        (19321, "2024.11.0"),
        {"accessibility": ("com.x8bit.bitwarden.Accessibility.AccessibilityService",)},
    ),
}


@pytest.mark.parametrize("name", sorted(STUBS))
def test_clean_phone_stubs_are_real_plain_apks(name: str, project_rules) -> None:  # type: ignore[no-untyped-def]
    from stalkerscan.evidence.apk_content import analyse_content

    package, version, parts = STUBS[name]
    info = analyse_apk(APKS / name)
    assert info.unparseable is None and info.problems == ()
    assert info.package == package and (info.version_code, info.version_name) == version
    assert any(w in (info.label or "") for w in ("fictional", "fixture stub"))
    assert info.services_of_kind("accessibility") == parts.get("accessibility", ())
    assert info.device_admin_receivers == parts.get("device_admin", ())
    # The screen reader has no launcher icon (as on a phone); the two others do.
    assert info.launcher_activity is (name != "stub-talkback.apk")
    content = analyse_content(APKS / name, project_rules)
    assert content.code_entries and content.hits == () and content.hosts == ()


@pytest.mark.parametrize("split", ["config.arm64_v8a", "config.en"])
def test_clean_phone_stub_splits(split: str) -> None:
    info = analyse_apk(APKS / f"stub-bitwarden_{split}.apk")
    assert info.unparseable is None and info.package == "com.x8bit.bitwarden"
    assert info.split == split
    base = analyse_apk(APKS / "stub-bitwarden.apk")
    assert info.certificate_sha256s() == base.certificate_sha256s()
