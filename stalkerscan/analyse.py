"""The analysis engine: Evidence + indicator index + rule-set provenance -> ScanResult.

    result = analyse(evidence, index, rule_sets=[...], now=datetime.now(UTC))

Runs every matcher of `stalkerscan.match.REGISTRY`, combines the findings per app into a risk
level (the worst finding; reasons listed, no score), and records a coverage row for every
artifact and every check: performed, skipped (with the reason), failed, or untrusted (missing,
truncated or not matching its sha256). The clock is injected so results are deterministic.

Verdict: `found` when a finding is at medium or above; otherwise `incomplete` when something
could not be checked or trusted; otherwise `nothing_found` (which never means "clean").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from stalkerscan import __version__
from stalkerscan.result import (
    AppAssessment,
    Category,
    CheckCoverage,
    CheckStatus,
    DeviceSummary,
    FeedProvenance,
    Finding,
    Provenance,
    Reason,
    RuleSetProvenance,
    ScanResult,
    Severity,
    Verdict,
)

if TYPE_CHECKING:
    from stalkerscan.evidence.build import ArtifactState, Evidence
    from stalkerscan.indicators.index import FeedProvenance as IndexFeed
    from stalkerscan.indicators.index import IndicatorIndex
    from stalkerscan.match.base import Matcher
    from stalkerscan.rules import RuleSetInfo

# Category order when an app has findings of several kinds (the strongest names the app).
_CATEGORY_ORDER = (
    Category.STALKERWARE,
    Category.WATCHWARE,
    Category.SUSPICIOUS,
    Category.DUAL_USE,
    Category.DEVICE,
)


def _reason(code: str, **params: str | int | None) -> Reason:
    return Reason(code=code, params={k: v for k, v in params.items() if v is not None})


def artifact_row(state: ArtifactState) -> CheckCoverage:
    """The coverage row of one artifact."""
    detail: dict[str, str | int] = {}
    if state.unparsed_lines:
        detail["unparsed_lines"] = state.unparsed_lines
    check = f"artifact:{state.name}"
    if state.status == "skipped":
        return CheckCoverage(
            check=check,
            status=CheckStatus.SKIPPED,
            reason=_reason("artifact_skipped", detail=state.reason),
            detail=detail,
        )
    if not state.present:
        code = {
            "not_collected": "artifact_not_collected",
            "failed": "artifact_failed",
        }.get(state.status, "artifact_missing")
        return CheckCoverage(
            check=check,
            status=CheckStatus.FAILED,
            reason=_reason(code, detail=state.reason or state.problem),
            detail=detail,
        )
    if state.problem is not None:
        return CheckCoverage(
            check=check,
            status=CheckStatus.UNTRUSTED,
            reason=_reason("artifact_tampered", problem=state.problem),
            detail=detail,
        )
    if state.parse_limited is not None:
        return CheckCoverage(
            check=check,
            status=CheckStatus.UNTRUSTED,
            reason=_reason("artifact_partial", detail=state.parse_limited),
            detail=detail,
        )
    if state.status == "truncated":
        return CheckCoverage(
            check=check,
            status=CheckStatus.UNTRUSTED,
            reason=_reason("artifact_truncated", detail=state.reason),
            detail=detail,
        )
    if state.status != "ok":
        return CheckCoverage(
            check=check,
            status=CheckStatus.UNTRUSTED,
            reason=_reason("artifact_partial", detail=state.reason),
            detail=detail,
        )
    return CheckCoverage(check=check, status=CheckStatus.PERFORMED, detail=detail)


def _status_of(evidence: Evidence, artifacts: Sequence[str]) -> tuple[CheckStatus, Reason | None]:
    """A check's status from the artifacts it reads: the worst of theirs."""
    rows = [artifact_row(s) for s in evidence.artifacts if s.artifact in artifacts]
    if not rows:
        return CheckStatus.FAILED, _reason("input_missing", artifacts=", ".join(artifacts))
    for status in (CheckStatus.FAILED, CheckStatus.UNTRUSTED, CheckStatus.SKIPPED):
        bad = [r for r in rows if r.status == status]
        if bad and (status != CheckStatus.SKIPPED or len(bad) == len(rows)):
            first = bad[0]
            return status, _reason("input_" + status.value, artifact=first.check.split(":", 1)[1])
    return CheckStatus.PERFORMED, None


def check_rows(
    evidence: Evidence, index: IndicatorIndex | None, rule_sets: Sequence[RuleSetInfo]
) -> list[CheckCoverage]:
    """Coverage rows of the analysis checks (beside one row per artifact)."""
    rows: list[CheckCoverage] = []

    def add(
        check: str, status: CheckStatus, why: Reason | None = None, **detail: str | int
    ) -> None:
        rows.append(CheckCoverage(check=check, status=status, reason=why, detail=detail))

    # Indicators.
    if index is None or index.is_empty:
        add("indicators", CheckStatus.SKIPPED, _reason("no_indicator_feed"))
    else:
        feeds = ", ".join(f"{p.feed_id}@{p.version}" for p in index.provenance)
        add("indicators", CheckStatus.PERFORMED, None, feeds=feeds)
    for i, missing in enumerate(index.missing if index is not None else ()):
        add(
            f"indicators:missing:{i + 1}",
            CheckStatus.SKIPPED,
            _reason("feed_not_used", detail=missing[:300]),
        )
    have_index = index is not None and not index.is_empty
    pkg_status, pkg_reason = _status_of(evidence, ("packages", "dumpsys_package"))
    add(
        "ioc_package",
        pkg_status if have_index else CheckStatus.SKIPPED,
        pkg_reason if have_index else _reason("no_indicator_feed"),
    )
    hashing = evidence.hashing
    hstatus = str(hashing.get("status") or "not_collected")
    if not have_index:
        add("ioc_sample_hash", CheckStatus.SKIPPED, _reason("no_indicator_feed"))
    elif hstatus == "ok":
        bad_hashes = [s for s in evidence.artifact_states("apk_hashes") if not s.trusted]
        if bad_hashes:
            add(
                "ioc_sample_hash",
                CheckStatus.UNTRUSTED,
                _reason("input_untrusted", artifact=bad_hashes[0].name),
            )
        else:
            add(
                "ioc_sample_hash",
                CheckStatus.PERFORMED,
                None,
                hashed=int(hashing.get("hashed") or 0),
            )
    else:
        add(
            "ioc_sample_hash",
            CheckStatus.SKIPPED if hstatus == "skipped" else CheckStatus.FAILED,
            _reason("hashing_" + hstatus, detail=str(hashing.get("reason") or "")[:300]),
        )
    apk = evidence.apk_analysis
    if apk.pulled == 0:
        pull = evidence.pull
        if str(pull.get("status") or "") == "ok" and not evidence.apk_analysis.selected:
            no_apk = _reason("no_apk_selected")  # no app looked odd enough to pull
        else:
            no_apk = _reason(
                "no_apk_pulled",
                status=str(pull.get("status") or "not_collected"),
                detail=str(pull.get("reason") or "")[:300] or None,
            )
        for check in ("ioc_certificate", "ioc_host", "yara"):
            add(check, CheckStatus.SKIPPED, no_apk)
    else:
        untrusted = apk.untrusted
        base_status = CheckStatus.UNTRUSTED if untrusted else CheckStatus.PERFORMED
        base_reason: Reason | None = (
            _reason("apk_untrusted", count=untrusted) if untrusted else None
        )
        for check in ("ioc_certificate", "ioc_host"):
            if not have_index:
                add(check, CheckStatus.SKIPPED, _reason("no_indicator_feed"))
            else:
                add(
                    check,
                    base_status,
                    base_reason,
                    apks=apk.pulled,
                    analysed=apk.analysed,
                    unparseable=apk.unparseable,
                )
        if not rule_sets or not apk.yara_rule_sets:
            add("yara", CheckStatus.SKIPPED, _reason("no_rule_sets"))
        elif apk.yara_problems:
            add(
                "yara",
                CheckStatus.FAILED,
                _reason("yara_problems", count=apk.yara_problems),
                scanned=apk.yara_scanned,
            )
        else:
            add(
                "yara",
                base_status,
                base_reason,
                scanned=apk.yara_scanned,
                rule_sets=", ".join(apk.yara_rule_sets),
            )
    for check, artifacts in (
        ("heuristics", ("packages", "dumpsys_package", "launcher")),
        ("accessibility_services", ("settings_secure", "accessibility")),
        ("notification_listeners", ("settings_secure", "notification")),
        ("device_admins_and_owners", ("device_policy",)),
        ("usage_access_and_location", ("appops",)),
        ("keyboards", ("settings_secure", "input_method")),
        ("vpn", ("connectivity", "settings_secure")),
        ("battery_exemptions", ("deviceidle",)),
        ("removed_traces", ("usagestats", "appops", "dumpsys_package")),
        ("play_protect", ("settings_global",)),
        ("root_and_bootloader", ("su_path", "getprop")),
    ):
        status, why = _status_of(evidence, artifacts)
        add(check, status, why)
    return rows


def _feed(p: IndexFeed) -> FeedProvenance:
    fetched: datetime | None = None
    if p.downloaded_at:
        try:
            fetched = datetime.fromisoformat(p.downloaded_at)
        except ValueError:
            fetched = None
    return FeedProvenance(
        id=p.feed_id,
        source=p.source,
        commit=p.commit,
        version=p.version,
        fetched_at=fetched,
        files=dict(p.files),
        counts=dict(p.counts),
    )


def _rule_set(info: RuleSetInfo) -> RuleSetProvenance:
    h = hashlib.sha256()
    for f in info.files:
        h.update(f"{f.namespace}\0{f.sha256}\n".encode())
    return RuleSetProvenance(name=info.name, sha256=h.hexdigest(), rules=info.rule_count)


def device_summary(evidence: Evidence) -> DeviceSummary:
    """The phone as the report shows it (serial shortened)."""
    gp = evidence.getprop
    serial = evidence.device_serial
    return DeviceSummary(
        model=gp.model if gp else None,
        manufacturer=gp.manufacturer if gp else None,
        android_version=gp.android_release if gp else None,
        sdk=gp.sdk if gp else None,
        security_patch=gp.security_patch.isoformat() if gp and gp.security_patch else None,
        serial_short=("…" + serial[-4:]) if serial else None,
        users=evidence.user_ids,
    )


def assess_apps(findings: Sequence[Finding]) -> tuple[AppAssessment, ...]:
    """Group app findings per package: risk is the worst severity, reasons stay in findings."""
    by_pkg: dict[str, list[Finding]] = {}
    for f in findings:
        if f.package is not None:
            by_pkg.setdefault(f.package, []).append(f)
    out: list[AppAssessment] = []
    for pkg, group in by_pkg.items():
        group.sort(key=lambda f: (-f.severity.rank, f.rule))
        cats: set[Category] = {f.category for f in group if f.category != Category.DEVICE}
        cats = cats or {Category.DEVICE}
        category = next(c for c in _CATEGORY_ORDER if c in cats)
        family = next((f.family for f in group if f.family), None)
        users = tuple(sorted({u for f in group for u in f.users}))
        label = next((f.label for f in group if f.label), None)
        out.append(
            AppAssessment(
                package=pkg,
                label=label,
                users=users,
                risk=group[0].severity,
                category=category,
                family=family,
                findings=tuple(group),
            )
        )
    out.sort(key=lambda a: (-a.risk.rank, a.package))
    return tuple(out)


def analyse(
    evidence: Evidence,
    index: IndicatorIndex | None,
    *,
    now: datetime,
    rule_sets: Sequence[RuleSetInfo] = (),
    registry: Sequence[Matcher] | None = None,
    tool_version: str = __version__,
    recent_days: int = 14,
) -> ScanResult:
    """Run every matcher over the evidence and build the ScanResult (see module docstring)."""
    from stalkerscan.match import REGISTRY
    from stalkerscan.match.base import MatchContext

    ctx = MatchContext(evidence=evidence, index=index, now=now, recent_days=recent_days)
    findings: list[Finding] = []
    for matcher in registry if registry is not None else REGISTRY:
        findings.extend(matcher.match(ctx))
    findings.sort(key=lambda f: (-f.severity.rank, f.package or "", f.rule))
    coverage = [artifact_row(s) for s in evidence.artifacts]
    coverage += check_rows(evidence, index, rule_sets)
    trouble = any(r.status in (CheckStatus.FAILED, CheckStatus.UNTRUSTED) for r in coverage)
    complete = evidence.complete and not trouble and index is not None and not index.is_empty
    found = any(f.severity.rank >= Severity.MEDIUM.rank for f in findings)
    verdict = (
        Verdict.FOUND if found else (Verdict.NOTHING_FOUND if complete else Verdict.INCOMPLETE)
    )
    provenance = Provenance(
        tool_version=tool_version,
        scan_time=now,
        feeds=tuple(_feed(p) for p in (index.provenance if index is not None else ())),
        rule_sets=tuple(_rule_set(r) for r in rule_sets),
        acquisition=evidence.acquisition,
        manifest_sha256=evidence.manifest_sha256,
    )
    return ScanResult(
        verdict=verdict,
        complete=complete,
        device=device_summary(evidence),
        provenance=provenance,
        coverage=tuple(coverage),
        apps=assess_apps(findings),
        findings=tuple(findings),
    )


__all__ = ["analyse", "artifact_row", "assess_apps", "check_rows", "device_summary"]
