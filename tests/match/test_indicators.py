"""Indicator, YARA and removed-trace matchers on hand-built evidence with the demo feed."""

from __future__ import annotations

from typing import Any

import pytest

from stalkerscan.evidence.build import RemovedTrace
from stalkerscan.indicators.index import IndicatorIndex
from stalkerscan.match.indicators import IndicatorMatcher
from stalkerscan.match.removed import RemovedMatcher
from stalkerscan.match.yara import YaraMatcher
from stalkerscan.result import Category, Confidence, Severity
from stalkerscan.rules import RuleHit

from .conftest import SIDELOAD, apk, app, context, evidence

SPY = "org.stalkerscan.training.syncservice"
LOCATOR = "org.stalkerscan.training.familylocator"
SPY_SHA1 = "a8a6ca9241a2c68fa65b1f0119ab6c79bcffcafd"
SPY_SHA256_CERT = "e01c048e35894ecf8b5ff5019705fbb2ac03be86da7440f7b0b0a81de623602a"
SPY_APK = "0ca45d45c4ebd97ead94bcf64a4a8d29c853382efaeb486b636594a95147e1e6"
AOSP_SHA1 = "61ed377e85d386a8dfee6b864bd85b0bfaa5af81"
AOSP_SHA256 = "a40da80a59d170caa950cf15c18c454d47a39b26989d8b640ecd745ba71bf5dc"
OTHER = "org.example.renamed"
FAMILY = "TrainingSpy (fictional)"


def planted(**kw: Any):  # type: ignore[no-untyped-def]
    """An innocent-looking app carrying exactly one planted indicator value."""
    package = kw.pop("package", OTHER)
    apks = ()
    if any(k in kw for k in ("certs", "hosts", "sha256")):
        apks = (apk(package, **kw),)
    return app(package, apks=apks)


CASES = [
    ("exact package", {"package": SPY}, "SS-IOC-PKG", Severity.HIGH, Confidence.MEDIUM),
    (
        "package in another case",
        {"package": "Org.Stalkerscan.Training.SyncService"},
        "SS-IOC-PKG-CASE",
        Severity.LOW,
        Confidence.LOW,
    ),
    (
        "certificate SHA-1",
        {"certs": ((SPY_SHA1, "1" * 64),)},
        "SS-IOC-CERT",
        Severity.HIGH,
        Confidence.HIGH,
    ),
    (
        "certificate SHA-256",
        {"certs": (("2" * 40, SPY_SHA256_CERT),)},
        "SS-IOC-CERT",
        Severity.HIGH,
        Confidence.HIGH,
    ),
    ("APK sha256", {"sha256": SPY_APK}, "SS-IOC-HASH", Severity.HIGH, Confidence.HIGH),
    (
        "C2 host",
        {"hosts": ("c2.trainingspy.example",)},
        "SS-IOC-HOST",
        Severity.HIGH,
        Confidence.HIGH,
    ),
    (
        "subdomain of a C2 host",
        {"hosts": ("eu.c2.trainingspy.example",)},
        "SS-IOC-HOST",
        Severity.HIGH,
        Confidence.HIGH,
    ),
    ("C2 IP", {"hosts": ("192.0.2.44",)}, "SS-IOC-HOST", Severity.HIGH, Confidence.HIGH),
]


@pytest.mark.parametrize(
    ("fields", "rule", "severity", "confidence"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_each_indicator_kind_names_the_family(
    demo_index: IndicatorIndex,
    fields: dict[str, Any],
    rule: str,
    severity: Severity,
    confidence: Confidence,
) -> None:
    found = list(IndicatorMatcher().match(context(evidence(planted(**fields)), demo_index)))
    assert [f.rule for f in found] == [rule]
    (f,) = found
    assert (f.severity, f.confidence, f.category) == (severity, confidence, Category.STALKERWARE)
    assert f.family == FAMILY and f.families == (FAMILY,)
    assert f.matches[0].types == ("stalkerware",) and f.matches[0].feed.startswith("demo@")


@pytest.mark.parametrize(
    "fields",
    [
        {"package": "org.example.innocent"},
        {"certs": ((AOSP_SHA1, AOSP_SHA256),)},  # the public AOSP test key, alone
        {"hosts": ("trainingspy.example.org", "example")},
        {"hosts": ("firebaseio.com",)},
        {"sha256": "f" * 64},
    ],
    ids=["innocent package", "AOSP test key", "look-alike hosts", "shared parent", "other hash"],
)
def test_non_matches(demo_index: IndicatorIndex, fields: dict[str, Any]) -> None:
    assert list(IndicatorMatcher().match(context(evidence(planted(**fields)), demo_index))) == []


def test_watchware_is_its_own_softer_finding(demo_index: IndicatorIndex) -> None:
    rec = app(LOCATOR, apks=(apk(LOCATOR, hosts=("api.familylocator.example",)),))
    (f,) = IndicatorMatcher().match(context(evidence(rec), demo_index))
    assert (f.rule, f.severity, f.category) == ("SS-DUAL-IOC", Severity.MEDIUM, Category.WATCHWARE)
    assert f.family == "FamilyLocator (fictional)" and f.confidence == Confidence.HIGH
    assert {m.kind for m in f.matches} == {"package", "host"}


def test_no_index_no_indicator_findings() -> None:
    assert list(IndicatorMatcher().match(context(evidence(app(SPY)), None))) == []


def test_removed_known_stalkerware(demo_index: IndicatorIndex) -> None:
    rec = app(SPY, users=(), kept_users=(0,), installer=SIDELOAD)
    trace = RemovedTrace(
        package=SPY, users=(0,), sources=("kept", "usagestats"), last_used="2026-11-20 03:30:00"
    )
    ev = evidence(rec, removed=(trace,))
    assert list(IndicatorMatcher().match(context(ev, demo_index))) == []
    (f,) = RemovedMatcher().match(context(ev, demo_index))
    assert (f.rule, f.severity, f.family) == ("SS-REMOVED-IOC", Severity.MEDIUM, FAMILY)
    assert {r.code for r in f.reasons} >= {"ioc_package", "trace_kept", "last_used"}


def test_fully_removed_package_known_only_from_usage_records(demo_index: IndicatorIndex) -> None:
    trace = RemovedTrace(package=SPY, sources=("usagestats",), last_used="2026-11-19 22:00:00")
    (f,) = RemovedMatcher().match(context(evidence(removed=(trace,)), demo_index))
    assert (f.rule, f.package, f.family) == ("SS-REMOVED-IOC", SPY, FAMILY)
    assert {r.code for r in f.reasons} == {"ioc_package", "trace_usagestats", "last_used"}


def test_removed_app_with_powers_and_removed_ordinary_app(demo_index: IndicatorIndex) -> None:
    spyish = app(OTHER, users=(), appops={"GET_USAGE_STATS": "allow"})
    plain = app("org.example.game", users=(), appops={"RUN_ANY_IN_BACKGROUND": "allow"})
    system = app("com.example.vendor", users=(), system=True, appops={"GET_USAGE_STATS": "allow"})
    traces = tuple(
        RemovedTrace(package=a.package, sources=("appops",)) for a in (spyish, plain, system)
    )
    found = list(
        RemovedMatcher().match(context(evidence(spyish, plain, system, removed=traces), demo_index))
    )
    assert [(f.rule, f.package, f.severity) for f in found] == [
        ("SS-REMOVED-POWER", OTHER, Severity.LOW)
    ]


def _hit(rule_id: str | None, severity: str, rule_set: str = "project") -> RuleHit:
    return RuleHit(
        rule=f"rule_{rule_id}",
        rule_set=rule_set,
        namespace=f"{rule_set}:x",
        rule_id=rule_id,
        severity=severity,
        description="fictional",
        meta={"id": rule_id or "", "severity": severity, "description": "fictional"},
        target="classes.dex",
    )


def test_yara_hits_keep_rule_meta() -> None:
    hits = (_hit("SS-YARA-001", "high"), _hit("SS-YARA-004", "medium"), _hit(None, "high", "feed"))
    rec = app(OTHER, apks=(apk(OTHER, yara=hits),))
    found = {f.rule: f for f in YaraMatcher().match(context(evidence(rec)))}
    assert set(found) == {"SS-YARA-001", "SS-YARA-004", "SS-YARA-FEED"}
    assert found["SS-YARA-001"].severity == Severity.HIGH
    assert found["SS-YARA-004"].severity == Severity.MEDIUM
    assert found["SS-YARA-001"].evidence["yara_meta"]["id"] == "SS-YARA-001"
    assert found["SS-YARA-001"].reasons[0].params["targets"] == "classes.dex"
