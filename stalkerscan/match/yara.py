"""YARA hits on the DEX and native code of pulled APKs, as findings carrying the rule's meta.

The scanning itself happened while the evidence was built (`stalkerscan.evidence.build`, via
`stalkerscan.rules`); this matcher turns each (app, rule) hit into one finding. A project rule
keeps its own ID (`SS-YARA-001` ...) and severity; a feed rule without a project ID is reported
as `SS-YARA-FEED`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from stalkerscan.match.base import MatchContext, Matcher, Rule, reason
from stalkerscan.match.capabilities import capabilities_of
from stalkerscan.match.indicators import app_evidence
from stalkerscan.result import Category, Confidence, Finding, Severity

_PROJECT_ID = re.compile(r"^SS-YARA-\d{3}$")
_SEVERITY = {"low": Severity.LOW, "medium": Severity.MEDIUM, "high": Severity.HIGH}


class YaraMatcher(Matcher):
    """One finding per app and YARA rule that matched its code."""

    name = "yara"
    rules = (
        Rule(
            "SS-YARA",
            "A project YARA rule (SS-YARA-NNN) matched the app's code",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            Category.SUSPICIOUS,
        ),
        Rule(
            "SS-YARA-FEED",
            "A YARA rule of the indicator feed matched the app's code",
            Severity.HIGH,
            Confidence.MEDIUM,
            Category.STALKERWARE,
        ),
    )

    def match(self, ctx: MatchContext) -> Iterable[Finding]:
        """Findings for every YARA hit, grouped per app and rule."""
        out: list[Finding] = []
        for app in ctx.evidence.apps:
            grouped: dict[str, list[tuple[str, object]]] = {}
            metas: dict[str, dict[str, str | int | bool]] = {}
            for apk in app.apks:
                for hit in apk.yara:
                    rid = hit.rule_id if hit.rule_id and _PROJECT_ID.match(hit.rule_id) else None
                    key = rid or f"SS-YARA-FEED:{hit.namespace}:{hit.rule}"
                    grouped.setdefault(key, []).append((hit.target or "", hit.rule))
                    metas[key] = dict(hit.meta)
            for key, targets in sorted(grouped.items()):
                meta = metas[key]
                is_project = not key.startswith("SS-YARA-FEED:")
                base = self.rule("SS-YARA" if is_project else "SS-YARA-FEED")
                sev = _SEVERITY.get(str(meta.get("severity", "")).lower(), base.severity)
                rule_name = str(targets[0][1])
                out.append(
                    Finding(
                        rule=key if is_project else "SS-YARA-FEED",
                        severity=sev,
                        confidence=base.confidence,
                        category=base.category,
                        package=app.package,
                        users=app.users or app.kept_users,
                        label=app.label,
                        reasons=(
                            reason(
                                "yara_rule",
                                rule=rule_name,
                                description=str(meta.get("description", ""))[:300],
                                targets=", ".join(sorted({t for t, _ in targets}))[:300],
                            ),
                        ),
                        capabilities=capabilities_of(app, ctx.evidence.sdk),
                        evidence={
                            **app_evidence(app),
                            "yara_meta": {k: v for k, v in meta.items()},
                        },
                    )
                )
        return out
