"""`--redact`: a copy of a ScanResult for training material, with no identifiers at all.

Kept: rule IDs, severities, categories, capabilities, reason codes, the phone's model and
Android version (shared by millions of phones), the indicator feeds and rule sets (public), and
the package names, labels and indicator values of apps that a feed names (known stalkerware or
watchware: public knowledge, and what a trainer wants to show).
Removed: the serial number, the scan time (set to a fixed date), the acquisition's name and
manifest hash, install and update times, app file and certificate hashes of apps no feed names,
the package names and labels of those apps (replaced by `app-1`, `app-2`, ...), and every
reason parameter that could name the person's apps, paths or times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stalkerscan.result import AppAssessment, Finding, Reason, ScanResult

REDACTED = "[redacted]"
# The scan time of every redacted report (the model requires one).
REDACTED_TIME = datetime(2000, 1, 1, tzinfo=UTC)
# Reason parameters that are safe in a redacted report (codes, numbers, feed data).
_SAFE_PARAMS = frozenset(
    {"family", "feed", "kind", "setting", "rule", "description", "count", "days", "user"}
)
# For an app a feed names, its own names are public knowledge too.
_KNOWN_SAFE_PARAMS = _SAFE_PARAMS | {"value", "label", "package", "installer"}
_COVERAGE_PARAMS = frozenset({"artifact", "artifacts", "status"})
_KEEP_EVIDENCE = ("installer_kind", "system")
_KEEP_EVIDENCE_KNOWN = (
    "installer_kind",
    "system",
    "installer",
    "version",
    "sha256",
    "certificates_sha256",
)


def _known(f: Finding) -> bool:
    return f.family is not None or bool(f.matches)


def _reason(r: Reason, known: bool) -> Reason:
    keep = _KNOWN_SAFE_PARAMS if known else _SAFE_PARAMS
    params: dict[str, str | int] = {k: (v if k in keep else REDACTED) for k, v in r.params.items()}
    return Reason(code=r.code, params=params)


def _coverage_reason(r: Reason | None) -> Reason | None:
    if r is None:
        return None
    params: dict[str, str | int] = {
        k: (v if k in _COVERAGE_PARAMS or isinstance(v, int) else REDACTED)
        for k, v in r.params.items()
    }
    return Reason(code=r.code, params=params)


def _evidence(ev: dict[str, Any], known: bool) -> dict[str, Any]:
    keep = _KEEP_EVIDENCE_KNOWN if known else _KEEP_EVIDENCE
    return {k: v for k, v in ev.items() if k in keep}


def redact(result: ScanResult) -> ScanResult:
    """A copy of `result` with no identifiers (see the module docstring)."""
    aliases: dict[str, str] = {}
    known_packages = {f.package for f in result.findings if f.package and _known(f)}

    def alias(package: str | None) -> str | None:
        if package is None or package in known_packages:
            return package
        return aliases.setdefault(package, f"app-{len(aliases) + 1}")

    # Name the apps in the order the report lists them.
    for app in result.apps:
        alias(app.package)

    def finding(f: Finding) -> Finding:
        known = f.package in known_packages or (f.package is None)
        return f.model_copy(
            update={
                "package": alias(f.package),
                "label": f.label if f.package in known_packages else None,
                "reasons": tuple(_reason(r, known and f.package is not None) for r in f.reasons),
                "evidence": _evidence(dict(f.evidence), f.package in known_packages),
            }
        )

    def assessment(a: AppAssessment) -> AppAssessment:
        return a.model_copy(
            update={
                "package": alias(a.package) or REDACTED,
                "label": a.label if a.package in known_packages else None,
                "findings": tuple(finding(f) for f in a.findings),
            }
        )

    provenance = result.provenance.model_copy(
        update={"scan_time": REDACTED_TIME, "acquisition": None, "manifest_sha256": None}
    )
    device = result.device.model_copy(update={"serial_short": None})
    # Tool messages in coverage rows can hold host paths (a feed's location): codes and counts only.
    coverage = tuple(
        c.model_copy(
            update={
                "detail": {k: v for k, v in c.detail.items() if isinstance(v, int)},
                "reason": _coverage_reason(c.reason),
            }
        )
        for c in result.coverage
    )
    return result.model_copy(
        update={
            "device": device,
            "provenance": provenance,
            "coverage": coverage,
            "apps": tuple(assessment(a) for a in result.apps),
            "findings": tuple(finding(f) for f in result.findings),
            "redacted": True,
        }
    )
