"""The registry, the rule IDs, capability and reason codes, and docs/findings.md agree.

A detection that silently drops out of the registry (the failure mode of the best-known
desk-side scanner after a refactor) fails here and in tests/analyse/test_scenarios.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from stalkerscan.match import REGISTRY, all_rules
from stalkerscan.match.capabilities import CAPABILITIES
from stalkerscan.match.device import DeviceMatcher
from stalkerscan.match.heuristics import AppHeuristics
from stalkerscan.match.indicators import IndicatorMatcher
from stalkerscan.match.reasons import REASONS
from stalkerscan.match.removed import RemovedMatcher
from stalkerscan.match.yara import YaraMatcher

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "findings.md").read_text(encoding="utf-8")


def test_every_matcher_is_registered() -> None:
    kinds = [type(m) for m in REGISTRY]
    assert kinds == [IndicatorMatcher, YaraMatcher, AppHeuristics, RemovedMatcher, DeviceMatcher]


def test_rule_ids_are_unique_and_well_formed() -> None:
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"SS-[A-Z0-9]+(-[A-Z0-9]+)*", i) for i in ids), ids
    assert len(ids) >= 23


def test_every_rule_is_documented_with_its_severity() -> None:
    for rule in all_rules():
        row = next((ln for ln in DOC.splitlines() if ln.startswith(f"| `{rule.id}` |")), None)
        assert row is not None, f"{rule.id} missing from docs/findings.md"
        assert f"| {rule.severity.value}" in row, rule.id


def test_every_project_yara_rule_is_documented() -> None:
    for path in sorted((REPO / "rules").glob("*.yar")):
        m = re.search(r'id = "(SS-YARA-\d{3})"', path.read_text(encoding="utf-8"))
        assert m is not None, path
        assert f"| `{m.group(1)}` |" in DOC, m.group(1)


def test_every_capability_is_documented_with_its_sentence() -> None:
    for code, sentence in CAPABILITIES.items():
        assert f"| `{code}` | {sentence} |" in DOC, code
        assert f"power_{code}" in REASONS


def test_every_reason_code_is_documented() -> None:
    for code in REASONS:
        if code.startswith("power_"):
            continue
        assert f"`{code}`" in DOC, code
