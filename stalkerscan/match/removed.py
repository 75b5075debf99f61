"""Traces of apps removed recently: a known stalkerware package, or an app that held spying
powers, that is no longer installed but left usage records, app-op records or kept data.

Softer than an installed app (severity medium at most): the app no longer runs, but someone had
it on the phone, and whoever installed it may still have the data it sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from stalkerscan.evidence.build import AppRecord
from stalkerscan.match.base import MatchContext, Matcher, Rule, reason
from stalkerscan.match.capabilities import capabilities_of, spying_powers
from stalkerscan.match.indicators import STALKERWARE, app_evidence, lookups, to_match
from stalkerscan.result import Category, Confidence, Finding, Reason, Severity


class RemovedMatcher(Matcher):
    """Findings for packages that are gone but left traces."""

    name = "removed"
    rules = (
        Rule(
            "SS-REMOVED-IOC",
            "Known stalkerware was on the phone recently and was removed",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            Category.STALKERWARE,
        ),
        Rule(
            "SS-REMOVED-POWER",
            "An app with spying powers was removed recently",
            Severity.LOW,
            Confidence.LOW,
            Category.SUSPICIOUS,
        ),
    )

    def match(self, ctx: MatchContext) -> Iterable[Finding]:
        """One finding per removed package with an indicator match or spying powers."""
        ev = ctx.evidence
        out: list[Finding] = []
        by_name = {a.package: a for a in ev.apps}
        for trace in ev.removed:
            app = by_name.get(trace.package)
            traces: list[Reason] = [reason(f"trace_{s}") for s in trace.sources]
            if trace.last_used:
                traces.append(reason("last_used", when=trace.last_used))
            matches = []
            if ctx.index is not None and not ctx.index.is_empty:
                # A package only usage records mention has no record: look up its name.
                probe = app if app is not None else AppRecord(package=trace.package)
                matches = [to_match(k, v, found) for k, v, found in lookups(probe, ctx.index)]
            caps = capabilities_of(app, ev.sdk) if app is not None else ()
            if app is not None and (app.system or app.updated_system):
                continue
            if matches:
                stalker = [m for m in matches if STALKERWARE in m.types]
                chosen = stalker or matches
                families = tuple(dict.fromkeys(f for m in chosen for f in m.families))
                out.append(
                    self.finding(
                        "SS-REMOVED-IOC",
                        app=app,
                        package=trace.package,
                        users=trace.users,
                        reasons=(
                            *(
                                reason(
                                    f"ioc_{m.kind}",
                                    value=m.value,
                                    family=m.families[0],
                                    feed=m.feed,
                                )
                                for m in chosen
                            ),
                            *traces,
                        ),
                        severity=None if stalker else Severity.LOW,
                        category=None if stalker else Category.WATCHWARE,
                        capabilities=caps,
                        evidence=app_evidence(app) if app is not None else {},
                        family=families[0],
                        families=families,
                        matches=tuple(chosen),
                    )
                )
                continue
            powers = spying_powers(caps)
            if powers:
                out.append(
                    self.finding(
                        "SS-REMOVED-POWER",
                        app=app,
                        package=trace.package,
                        users=trace.users,
                        reasons=(*(reason(f"power_{p}") for p in powers), *traces),
                        capabilities=caps,
                        evidence=app_evidence(app) if app is not None else {},
                    )
                )
        return out
