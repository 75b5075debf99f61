"""The result of a scan: what every report format renders (`ScanResult`).

Findings carry codes, not sentences: a reason is a stable `code` plus parameters, a capability
is a stable code; the report layer turns them into words in the reader's language through the
translation catalogs. Device-controlled text (labels, package names) stays data and is escaped
by each renderer.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Severity(StrEnum):
    """How much a finding matters for the person's safety, lowest first."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 for info up to 3 for high."""
        return list(Severity).index(self)


class Confidence(StrEnum):
    """How sure we are that the finding is what it says."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Category(StrEnum):
    """What kind of finding: known stalkerware, dual-use, suspicious behaviour, device state."""

    STALKERWARE = "stalkerware"  # a stalkerware indicator matched
    WATCHWARE = "watchware"  # a consensual/visible monitoring app from the feed
    DUAL_USE = "dual-use"  # a tracking-purpose app (parental control, find-my-family)
    SUSPICIOUS = "suspicious"  # heuristics: unknown app with stalkerware-like powers
    DEVICE = "device"  # the phone's own state (Play Protect off, root, unlocked bootloader)


class Reason(_Model):
    """One reason a finding was raised: a stable code plus the values the sentence needs."""

    code: str
    params: dict[str, str | int] = Field(default_factory=dict)


class IndicatorMatch(_Model):
    """An indicator value that matched, and every family that claims it."""

    kind: str  # "sample_hash", "certificate", "package", "package_casefold", "host", "ip", "yara"
    value: str
    families: tuple[str, ...]
    types: tuple[str, ...]  # "stalkerware" / "watchware", parallel to families
    feed: str  # feed id and version, e.g. "echap@a04c5c1"


class Finding(_Model):
    """One thing found, with how sure we are and why."""

    rule: str  # stable rule id, e.g. "SS-IOC-HASH"
    severity: Severity
    confidence: Confidence
    category: Category
    package: str | None = None  # None for device-level findings
    users: tuple[int, ...] = ()
    label: str | None = None
    family: str | None = None
    families: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()
    capabilities: tuple[str, ...] = ()  # capability codes, see stalkerscan.match.capabilities
    matches: tuple[IndicatorMatch, ...] = ()
    evidence: dict[str, Any] = Field(default_factory=dict)


class AppAssessment(_Model):
    """Every finding about one app, combined into a risk level with its reasons listed."""

    package: str
    label: str | None = None
    users: tuple[int, ...] = ()
    risk: Severity
    category: Category
    family: str | None = None
    findings: tuple[Finding, ...] = ()


class CheckStatus(StrEnum):
    """What happened to one check."""

    PERFORMED = "performed"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNTRUSTED = "untrusted"  # input was missing, truncated or failed its sha256


class CheckCoverage(_Model):
    """One row of the coverage table."""

    check: str  # stable id, e.g. "accessibility", "apk_hashes", "yara"
    status: CheckStatus
    reason: Reason | None = None
    detail: dict[str, str | int] = Field(default_factory=dict)


class FeedProvenance(_Model):
    """The exact indicator feed version used."""

    id: str
    source: str
    commit: str | None = None
    version: str | None = None
    fetched_at: datetime | None = None
    files: dict[str, str] = Field(default_factory=dict)  # file name -> sha256
    counts: dict[str, int] = Field(default_factory=dict)


class RuleSetProvenance(_Model):
    """One compiled YARA rule set."""

    name: str
    sha256: str
    rules: int


class DeviceSummary(_Model):
    """The phone, as much as a report needs."""

    model: str | None = None
    manufacturer: str | None = None
    android_version: str | None = None
    sdk: int | None = None
    security_patch: str | None = None
    serial_short: str | None = None
    users: tuple[int, ...] = ()


class Provenance(_Model):
    """Where the result came from: tool, feeds, rules, acquisition, time."""

    tool_version: str
    schema_version: str = SCHEMA_VERSION
    scan_time: datetime
    feeds: tuple[FeedProvenance, ...] = ()
    rule_sets: tuple[RuleSetProvenance, ...] = ()
    acquisition: str | None = None  # folder name (not a full host path)
    manifest_sha256: str | None = None
    # True for `stalkerscan demo` (a trainer's demo of a simulated phone): the fictional
    # training feed is then used on purpose, and the report does not warn about a missing feed.
    training: bool = False


class Verdict(StrEnum):
    """The one-line verdict."""

    FOUND = "found"
    NOTHING_FOUND = "nothing_found"
    INCOMPLETE = "incomplete"


class ScanResult(_Model):
    """Everything a report renders."""

    schema_version: str = SCHEMA_VERSION
    verdict: Verdict
    complete: bool
    device: DeviceSummary
    provenance: Provenance
    coverage: tuple[CheckCoverage, ...] = ()
    apps: tuple[AppAssessment, ...] = ()
    findings: tuple[Finding, ...] = ()  # every finding, apps' and device-level
    # True in a copy made for training material (`stalkerscan.report.redact`): no identifiers.
    redacted: bool = False
