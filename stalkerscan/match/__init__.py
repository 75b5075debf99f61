"""Matchers: evidence of one acquisition -> findings, each with a stable rule ID.

    from stalkerscan.match import REGISTRY, all_rules
    REGISTRY        # the matchers, in the order they run (an explicit tuple)
    all_rules()     # every rule ID with its title, severity, confidence and category

Every rule is described in docs/findings.md; tests/match/test_registry.py checks that the two
agree. The engine that runs them and builds the ScanResult is `stalkerscan.analyse`.
"""

from __future__ import annotations

from stalkerscan.match.base import MatchContext, Matcher, Rule
from stalkerscan.match.device import DeviceMatcher
from stalkerscan.match.heuristics import AppHeuristics
from stalkerscan.match.indicators import IndicatorMatcher
from stalkerscan.match.removed import RemovedMatcher
from stalkerscan.match.yara import YaraMatcher

REGISTRY: tuple[Matcher, ...] = (
    IndicatorMatcher(),
    YaraMatcher(),
    AppHeuristics(),
    RemovedMatcher(),
    DeviceMatcher(),
)


def all_rules(registry: tuple[Matcher, ...] = REGISTRY) -> tuple[Rule, ...]:
    """Every rule the registry's matchers may raise, in registry order."""
    return tuple(r for m in registry for r in m.rules)


__all__ = ["REGISTRY", "MatchContext", "Matcher", "Rule", "all_rules"]
