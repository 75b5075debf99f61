"""Indicator matchers: the app's APK sha256, signing certificate, package name and C2 hosts
against the loaded feeds (Echap, the demo feed, local indicators).

Strength follows what a vendor can change: an APK hash or a signing certificate is strong
(high confidence); a package name is easy to reuse or randomise (medium); a name that matches
only when case is ignored is a hint (low). A C2 host found inside the app's code is strong.
Public certificates (the AOSP test key) never count alone: the index refuses them.
A value listed only by watchware families (consensual, visible monitoring apps) becomes one
softer dual-use finding (SS-DUAL-IOC) instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from stalkerscan.match.base import MatchContext, Matcher, Rule, reason
from stalkerscan.match.capabilities import capabilities_of
from stalkerscan.result import Category, Confidence, Finding, IndicatorMatch, Severity

if TYPE_CHECKING:
    from stalkerscan.evidence.build import AppRecord
    from stalkerscan.indicators.index import Attribution, IndicatorIndex

STALKERWARE = "stalkerware"
WATCHWARE = "watchware"

# kind -> rule id of a stalkerware match
KIND_RULES: dict[str, str] = {
    "sample_hash": "SS-IOC-HASH",
    "certificate": "SS-IOC-CERT",
    "package": "SS-IOC-PKG",
    "package_casefold": "SS-IOC-PKG-CASE",
    "host": "SS-IOC-HOST",
}


def to_match(kind: str, value: str, attributions: Sequence[Attribution]) -> IndicatorMatch:
    """One IndicatorMatch naming every family (and its type) that claims the value."""
    pairs: dict[tuple[str, str], None] = {}
    feeds: dict[str, None] = {}
    for a in attributions:
        pairs[(a.family, a.family_type)] = None
        feeds[f"{a.feed}@{a.feed_version}"] = None
    ordered = sorted(pairs, key=lambda p: (p[1] != STALKERWARE, p[0]))
    return IndicatorMatch(
        kind=kind,
        value=value,
        families=tuple(f for f, _ in ordered),
        types=tuple(t for _, t in ordered),
        feed=",".join(feeds),
    )


def lookups(app: AppRecord, index: IndicatorIndex) -> list[tuple[str, str, list[Attribution]]]:
    """(kind, value, attributions) for every indicator value of this app that the index knows."""
    out: list[tuple[str, str, list[Attribution]]] = []
    for sha in app.sample_hashes():
        if found := index.by_sample_hash(sha):
            out.append(("sample_hash", sha, found))
    certs = dict.fromkeys((*app.certificate_sha256s(), *app.certificate_sha1s()))
    seen_families: set[tuple[str, str]] = set()
    for cert in certs:
        found = index.by_certificate(cert)
        # SHA-1 and SHA-256 of one certificate name the same families: report it once.
        fresh = [a for a in found if (a.family, a.feed) not in seen_families]
        if fresh:
            seen_families.update((a.family, a.feed) for a in found)
            out.append(("certificate", cert.upper(), found))
    if found := index.by_package(app.package):
        out.append(("package", app.package, found))
    elif found := index.by_package_casefold(app.package):
        out.append(("package_casefold", found[0].value, found))
    hosts: dict[str, None] = {}
    for apk in app.apks:
        for ref in apk.hosts:
            hosts[ref.host] = None
    for host in hosts:
        if found := index.by_host(host):
            out.append(("host", host, found))
    return out


class IndicatorMatcher(Matcher):
    """Known stalkerware and watchware, by indicator value."""

    name = "indicators"
    rules = (
        Rule(
            "SS-IOC-HASH",
            "APK file identical to a known stalkerware sample",
            Severity.HIGH,
            Confidence.HIGH,
            Category.STALKERWARE,
        ),
        Rule(
            "SS-IOC-CERT",
            "Signed with a known stalkerware signing certificate",
            Severity.HIGH,
            Confidence.HIGH,
            Category.STALKERWARE,
        ),
        Rule(
            "SS-IOC-PKG",
            "Package name of known stalkerware",
            Severity.HIGH,
            Confidence.MEDIUM,
            Category.STALKERWARE,
        ),
        Rule(
            "SS-IOC-PKG-CASE",
            "Package name equal to known stalkerware except for upper/lower case",
            Severity.LOW,
            Confidence.LOW,
            Category.STALKERWARE,
        ),
        Rule(
            "SS-IOC-HOST",
            "The app contains a known stalkerware server address",
            Severity.HIGH,
            Confidence.HIGH,
            Category.STALKERWARE,
        ),
        Rule(
            "SS-DUAL-IOC",
            "A known monitoring app (watchware: visible, often consensual)",
            Severity.MEDIUM,
            Confidence.HIGH,
            Category.WATCHWARE,
        ),
    )

    def match(self, ctx: MatchContext) -> Iterable[Finding]:
        """Findings for every installed app with an indicator value in the index."""
        if ctx.index is None or ctx.index.is_empty:
            return []
        out: list[Finding] = []
        for app in ctx.evidence.apps:
            if not app.users:
                continue  # removed packages: SS-REMOVED-* (stalkerscan.match.removed)
            out.extend(self.app_findings(app, ctx.index, ctx.evidence.sdk))
        return out

    def app_findings(self, app: AppRecord, index: IndicatorIndex, sdk: int | None) -> list[Finding]:
        """The indicator findings of one app."""
        caps = capabilities_of(app, sdk)
        watch: list[IndicatorMatch] = []
        out: list[Finding] = []
        all_families: dict[str, None] = {}
        per_kind: dict[str, list[IndicatorMatch]] = {}
        for kind, value, found in lookups(app, index):
            m = to_match(kind, value, found)
            all_families.update(dict.fromkeys(m.families))
            if STALKERWARE not in m.types:
                watch.append(m)
            else:
                per_kind.setdefault(kind, []).append(m)
        for kind, ms in per_kind.items():
            families = tuple(dict.fromkeys(f for m in ms for f in m.families))
            out.append(
                self.finding(
                    KIND_RULES[kind],
                    app=app,
                    reasons=tuple(
                        reason(f"ioc_{kind}", value=m.value, family=m.families[0], feed=m.feed)
                        for m in ms
                    )
                    + tuple(reason("ioc_also_claimed_by", family=f) for f in families[1:]),
                    capabilities=caps,
                    family=ms[0].families[0],
                    families=families,
                    matches=tuple(ms),
                    evidence=_app_evidence(app),
                )
            )
        if watch:
            strongest = _strongest(watch)
            out.append(
                self.finding(
                    "SS-DUAL-IOC",
                    app=app,
                    reasons=tuple(
                        reason(f"ioc_{m.kind}", value=m.value, family=m.families[0], feed=m.feed)
                        for m in watch
                    ),
                    confidence=strongest,
                    capabilities=caps,
                    family=watch[0].families[0],
                    families=tuple(dict.fromkeys(f for m in watch for f in m.families)),
                    matches=tuple(watch),
                    evidence=_app_evidence(app),
                )
            )
        return out


def _strongest(matches: Sequence[IndicatorMatch]) -> Confidence:
    kinds = {m.kind for m in matches}
    if kinds & {"sample_hash", "certificate", "host"}:
        return Confidence.HIGH
    if "package" in kinds:
        return Confidence.MEDIUM
    return Confidence.LOW


def _app_evidence(app: AppRecord) -> dict[str, object]:
    """The facts a report shows beside an app finding (all device text: escaped by renderers)."""
    ev: dict[str, object] = {
        "installer": app.installer,
        "installer_kind": app.installer_kind,
        "version": app.version_name,
        "first_install_time": app.first_install_time.isoformat()
        if app.first_install_time
        else None,
        "last_update_time": app.last_update_time.isoformat() if app.last_update_time else None,
        "sha256": list(app.sample_hashes())[:8],
        "certificates_sha256": list(app.certificate_sha256s())[:4],
        "system": app.system,
    }
    return {k: v for k, v in ev.items() if v not in (None, [], ())}


app_evidence = _app_evidence
