"""For each simulated-phone profile, the exact set of (rule ID, package) findings and exit code.

The acquisitions come from the real collection pipeline over the simulated phone (conftest);
the analysis uses the packaged demo feed and the project's YARA rules. True negatives matter
as much as detections: the clean phone (screen reader, parental control from Play, F-Droid
apps, a keyboard from Play, a work profile set up by an MDM from Play) has nothing at medium or
above, and no version profile raises anything about its ordinary apps.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.analyse import analyse
from stalkerscan.commands.check import exit_code_for
from stalkerscan.evidence.build import build_evidence
from stalkerscan.result import Category, Severity, Verdict

from .conftest import NOW, PROFILES

SPY = "org.stalkerscan.training.syncservice"
LOCATOR = "org.stalkerscan.training.familylocator"
HOSTILE_LABEL = "org.stalkerscan.fixtures.hostilelabel"
# Everything the covert training app raises when installed (user 0 or the work profile).
COVERT_APP = {
    ("SS-IOC-PKG", SPY),
    ("SS-IOC-HASH", SPY),
    ("SS-IOC-CERT", SPY),
    ("SS-IOC-HOST", SPY),
    ("SS-APP-COVERT", SPY),
    ("SS-APP-HIDDEN", SPY),
    ("SS-APP-POSING", SPY),
    ("SS-APP-RECENT", SPY),
    *{(f"SS-YARA-00{i}", SPY) for i in range(1, 8)},
}
PLAY_PROTECT = ("SS-DEV-PLAY-PROTECT", None)

EXPECTED: dict[str, tuple[int, set[tuple[str, str | None]]]] = {
    "clean": (
        0,
        {
            ("SS-DEV-MANAGED", "com.google.android.apps.work.clouddpc"),
            ("SS-DUAL-PURPOSE", "net.brightnest.familytime"),
        },
    ),
    "covert": (1, {*COVERT_APP, PLAY_PROTECT}),
    "dual-use": (1, {("SS-DUAL-IOC", LOCATOR)}),
    "removed": (1, {("SS-REMOVED-IOC", SPY), PLAY_PROTECT}),
    "work-profile": (1, {*COVERT_APP, PLAY_PROTECT, ("SS-DEV-OWNER", SPY)}),
    "rooted": (1, {("SS-DEV-ROOT", None), ("SS-DEV-BOOTLOADER", None)}),
    "hostile": (
        0,
        {
            ("SS-APP-HIDDEN", "org.hostile.\x1b[31mred\x1b[0m"),
            ("SS-APP-HIDDEN", "org.hostile/../../../../../etc/passwd"),
            ("SS-APP-HIDDEN", HOSTILE_LABEL),
            ("SS-APP-POSING", HOSTILE_LABEL),  # "System ... Update" label; low: no power
            ("SS-APP-RECENT", HOSTILE_LABEL),
        },
    ),
    "small": (0, set()),
    "android7-samsung": (0, set()),
    "android9-huawei": (0, set()),
    "android10-aosp": (1, {("SS-DEV-ROOT", None), ("SS-DEV-BOOTLOADER", None)}),
    "android11-xiaomi": (0, set()),
    "android13-samsung": (0, {("SS-APP-VPN", "com.wireguard.android")}),  # VPN from Play: low
    "android14-oppo": (0, set()),
    "android15-vivo": (0, set()),
    "android16-pixel": (0, set()),
    "android14-hyperos": (0, set()),
    "apk-zoo": (
        1,
        {
            ("SS-APP-HIDDEN", "org.stalkerscan.fixtures.corrupt"),
            ("SS-APP-POSING", HOSTILE_LABEL),
            *{
                ("SS-APP-RECENT", f"org.stalkerscan.{p}")
                for p in (
                    "fixtures.corrupt",
                    "fixtures.notes",
                    "fixtures.rotated",
                    "fixtures.v1only",
                    "fixtures.hostilelabel",
                    "training.splitdemo",
                )
            },
            # The training native library in the config split (project rule on .so code).
            ("SS-YARA-008", "org.stalkerscan.training.splitdemo"),
        },
    ),
}


def test_every_collected_profile_has_an_expectation() -> None:
    assert set(EXPECTED) == set(PROFILES)


@pytest.fixture(scope="module")
def results(acquisitions: dict[str, Path], detection):  # type: ignore[no-untyped-def]
    """profile -> ScanResult (built once per module)."""
    index, rule_sets = detection
    return {
        name: analyse(
            build_evidence(folder, rule_sets=rule_sets),
            index,
            now=NOW,
            rule_sets=[rs.info for rs in rule_sets],
        )
        for name, folder in acquisitions.items()
    }


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_exact_findings_and_exit_code(profile: str, results) -> None:  # type: ignore[no-untyped-def]
    result = results[profile]
    code, expected = EXPECTED[profile]
    got = {(f.rule, f.package) for f in result.findings}
    assert got == expected, sorted(got ^ expected, key=str)
    assert exit_code_for(result) == code
    if code == 0:
        assert result.verdict == Verdict.NOTHING_FOUND and result.complete


def test_clean_phone_true_negatives(results) -> None:  # type: ignore[no-untyped-def]
    result = results["clean"]
    assert all(f.severity.rank < Severity.MEDIUM.rank for f in result.findings)
    packages = {f.package for f in result.findings}
    for legit in (
        "com.google.android.marvin.talkback",  # screen reader with accessibility on
        "com.touchtype.swiftkey",  # default keyboard from Play
        "org.fdroid.fdroid",  # sideloaded store, can install apps
        "org.fossify.gallery",
        "de.danoeh.antennapod",
        "org.schabi.newpipe",
        "com.microsoft.office.outlook",  # inside the work profile
    ):
        assert legit not in packages
    guardian = next(f for f in result.findings if f.package == "net.brightnest.familytime")
    assert guardian.category == Category.DUAL_USE and guardian.severity == Severity.LOW
    managed = next(f for f in result.findings if f.rule == "SS-DEV-MANAGED")
    assert managed.severity == Severity.INFO and 10 in managed.users


def test_covert_app_is_named_and_explained(results) -> None:  # type: ignore[no-untyped-def]
    result = results["covert"]
    app = next(a for a in result.apps if a.package == SPY)
    assert app.risk == Severity.HIGH and app.category == Category.STALKERWARE
    assert app.family == "TrainingSpy (fictional)" and app.label == "Sync Service"
    covert = next(f for f in app.findings if f.rule == "SS-APP-COVERT")
    codes = {r.code for r in covert.reasons}
    assert {
        "installer_not_store",
        "power_screen_content_and_typing",
        "power_read_notifications",
        "power_hard_to_uninstall",
        "power_usage_history",
        "power_location_background",
        "no_launcher_icon",
        "recently_installed",
        "battery_exempt",
    } <= codes
    caps = set(covert.capabilities)
    assert {"read_sms", "call_log", "record_audio", "never_sleeps", "runs_at_boot"} <= caps
    cert = next(f for f in app.findings if f.rule == "SS-IOC-CERT")
    assert cert.confidence.value == "high" and cert.matches[0].types == ("stalkerware",)
    assert cert.matches[0].feed.startswith("demo@")
    host = next(f for f in app.findings if f.rule == "SS-IOC-HOST")
    assert {m.value for m in host.matches} >= {"c2.trainingspy.example", "backup.trainingspy.test"}


def test_work_profile_app_is_reported_for_user_10(results) -> None:  # type: ignore[no-untyped-def]
    result = results["work-profile"]
    for f in result.findings:
        if f.package == SPY:
            assert f.users == (10,), f.rule
    owner = next(f for f in result.findings if f.rule == "SS-DEV-OWNER")
    assert owner.severity == Severity.HIGH
    assert {r.code for r in owner.reasons} >= {"profile_owner", "installer_not_store"}


def test_removed_app_trace_names_family_and_time(results) -> None:  # type: ignore[no-untyped-def]
    f = next(f for f in results["removed"].findings if f.rule == "SS-REMOVED-IOC")
    assert f.severity == Severity.MEDIUM and f.family == "TrainingSpy (fictional)"
    params = {r.code: r.params for r in f.reasons}
    assert "trace_usagestats" in params and "trace_kept" in params
    assert str(params["last_used"]["when"]).startswith("2026-11-20")


def test_dual_use_is_soft(results) -> None:  # type: ignore[no-untyped-def]
    (f,) = results["dual-use"].findings
    assert f.category == Category.WATCHWARE and f.severity == Severity.MEDIUM
    assert f.family == "FamilyLocator (fictional)"
    assert "location_background" in f.capabilities


def test_coverage_says_what_was_skipped(results) -> None:  # type: ignore[no-untyped-def]
    rows = {c.check: c for c in results["android7-samsung"].coverage}
    assert rows["artifact:role"].status == "skipped"
    assert rows["ioc_sample_hash"].status == "skipped"
    assert rows["ioc_sample_hash"].reason is not None
    assert "sha256sum" in str(rows["ioc_sample_hash"].reason.params["detail"])
    covert = {c.check: c for c in results["covert"].coverage}
    for check in ("ioc_package", "ioc_sample_hash", "ioc_certificate", "ioc_host", "yara"):
        assert covert[check].status == "performed", check


def test_every_emitted_reason_and_capability_code_is_known(results) -> None:  # type: ignore[no-untyped-def]
    from stalkerscan.match.capabilities import CAPABILITIES
    from stalkerscan.match.reasons import REASONS

    for result in results.values():
        for f in result.findings:
            assert {r.code for r in f.reasons} <= set(REASONS), f.rule
            assert set(f.capabilities) <= set(CAPABILITIES), f.rule
        for c in result.coverage:
            if c.reason is not None:
                assert c.reason.code in REASONS, c.check
