"""Which APKs are worth pulling for a closer look, and why.

Pulling every APK of a phone takes minutes and gigabytes; the strong indicators (certificate,
DEX content) matter for the few apps that look odd. An app is selected when it matches an
indicator, holds a sensitive grant, was sideloaded (installer not a known store) or has no
launcher icon; with `deep`, every app installed on /data is. Reasons are kept per app so the
report can say why an APK was examined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from stalkerscan.collect.inventory import App
from stalkerscan.evidence.stores import InstallerKind, classify_installer

# Pull order: the highest score first, so the size cap cuts the least interesting apps.
# A grant that reads the screen or messages, or locks the app in, weighs more than one many
# ordinary apps hold (background location, usage access).
REASON_WEIGHTS = {
    "indicator": 100,
    "sensitive-grant:accessibility service enabled": 12,
    "sensitive-grant:notification listener enabled": 12,
    "sensitive-grant:device admin": 12,
    "sideloaded": 8,
    "hidden": 6,
    "sensitive-grant:usage access": 4,
    "sensitive-grant:background location": 3,
    "sensitive-grant": 2,  # any other sensitive grant
    "deep": 0,
}
# Grants that many ordinary store apps hold (maps, weather, fitness): they add to the score of
# an app selected for another reason, but do not select an app on their own.
WEAK_REASONS = frozenset({"sensitive-grant:background location"})


class IndicatorLookup(Protocol):
    """What the selection asks the indicator index (a non-empty answer is a match)."""

    def by_package(self, name: str) -> Sequence[Any]:
        """Indicator entries naming this package."""
        ...

    def by_sample_hash(self, sha256: str) -> Sequence[Any]:
        """Indicator entries with this APK sha256."""
        ...


@dataclass
class Candidate:
    """One app selected for pulling, with its reasons."""

    app: App
    reasons: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        """How interesting the app is: the sum of its reasons' weights."""
        total = 0
        for reason in self.reasons:
            kind = reason.split(":", 1)[0]
            total += REASON_WEIGHTS.get(reason, REASON_WEIGHTS.get(kind, 0))
        return total


def select_apps(
    apps: Mapping[str, App],
    *,
    hashes: Mapping[str, str],
    grants: Mapping[str, set[str]],
    launcher: set[str] | None,
    indicators: IndicatorLookup | None = None,
    deep: bool = False,
) -> list[Candidate]:
    """Apps on /data to pull, most interesting first; `launcher` None means unknown."""
    out: list[Candidate] = []
    for name in sorted(apps):
        app = apps[name]
        if not app.on_data:
            continue  # the system image: covered by the vendor's signature, not pulled
        reasons: list[str] = []
        if indicators is not None:
            if indicators.by_package(app.package):
                reasons.append("indicator:package name")
            for path in app.apk_paths():
                sha = hashes.get(path)
                if sha and indicators.by_sample_hash(sha):
                    reasons.append("indicator:APK sha256")
                    break
        for grant in sorted(grants.get(app.package, ())):
            reasons.append(f"sensitive-grant:{grant}")
        kind = classify_installer(app.installer)
        if kind is not InstallerKind.STORE and not app.updated_system:
            reasons.append(f"sideloaded:installer {app.installer or 'none'} ({kind.value})")
        if launcher is not None and app.package not in launcher and not app.updated_system:
            reasons.append("hidden:no launcher icon")
        if deep and all(r in WEAK_REASONS for r in reasons):
            reasons.append("deep:--deep pulls every app on /data")
        if any(r not in WEAK_REASONS for r in reasons):
            out.append(Candidate(app=app, reasons=reasons))
    out.sort(key=lambda c: (-c.score, c.app.package))
    return out
