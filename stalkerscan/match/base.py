"""The matcher interface: one small base class, rule metadata, and the context every matcher reads.

A matcher reads the `Evidence` of one acquisition (and the indicator index, the clock) and
returns `Finding`s. It never touches a phone or the network. Each rule a matcher can raise is
declared as a `Rule` with a stable ID, a severity and a confidence (docs/findings.md lists them
all); `Matcher.finding()` fills a Finding from its rule so the three never drift apart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from stalkerscan.result import Category, CheckCoverage, Confidence, Finding, Reason, Severity

if TYPE_CHECKING:
    from stalkerscan.evidence.build import AppRecord, Evidence
    from stalkerscan.indicators.index import IndicatorIndex


@dataclass(frozen=True)
class Rule:
    """One finding rule: stable ID, what it says, how bad and how sure."""

    id: str
    title: str
    severity: Severity
    confidence: Confidence
    category: Category


@dataclass
class MatchContext:
    """What a matcher may read: the evidence, the indicator index and the scan's clock."""

    evidence: Evidence
    index: IndicatorIndex | None
    now: datetime  # the scan time (injected); app ages use the phone's own clock
    recent_days: int = 14
    coverage: list[CheckCoverage] = field(default_factory=list)

    @property
    def device_now(self) -> datetime:
        """The phone's clock at collection (naive UTC), else the scan time."""
        when = self.evidence.device_time or self.now
        return when.replace(tzinfo=None)


def reason(code: str, **params: str | int) -> Reason:
    """A Reason with its parameters (values are data: renderers escape them)."""
    return Reason(code=code, params=dict(params))


class Matcher(ABC):
    """One detection stage; `rules` lists every rule ID it may raise."""

    name: str = ""
    rules: tuple[Rule, ...] = ()

    def rule(self, rule_id: str) -> Rule:
        """The declared rule with this ID (KeyError for an undeclared one: a bug)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def finding(
        self,
        rule_id: str,
        *,
        app: AppRecord | None = None,
        package: str | None = None,
        users: Iterable[int] = (),
        reasons: Iterable[Reason] = (),
        capabilities: Iterable[str] = (),
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        category: Category | None = None,
        evidence: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Finding:
        """A Finding of one of this matcher's rules, with the rule's severity/confidence."""
        rule = self.rule(rule_id)
        pkg = app.package if app is not None else package
        user_ids = tuple(users) or (tuple(app.users or app.kept_users) if app is not None else ())
        return Finding(
            rule=rule.id,
            severity=severity or rule.severity,
            confidence=confidence or rule.confidence,
            category=category or rule.category,
            package=pkg,
            users=tuple(sorted(set(user_ids))),
            label=app.label if app is not None else None,
            reasons=tuple(reasons),
            capabilities=tuple(capabilities),
            evidence=evidence or {},
            **extra,
        )

    @abstractmethod
    def match(self, ctx: MatchContext) -> Iterable[Finding]:
        """Every finding of this matcher over the context's evidence."""
