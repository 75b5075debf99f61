"""Build the report test inputs in fixtures/report/results/ (run by hand; output is committed).

The `scan-*.json` files are ScanResults of the simulated phone's scenarios (clean, covert,
dual-use, removed, hostile) as `stalkerscan check` produced them on 2026-11-22 (fictional apps,
fictional demo feed). The scenario results the tests render are derived from them here, so the
report tests never depend on the detection pipeline's current output:

    nothing-found   clean phone: low dual-use hint, a managed work profile (info)
    covert          covert training app, Play Protect off
    dual-use        a known family-locator app (watchware) from the Play Store
    incomplete      clean phone where several checks were skipped, failed or not trusted
    hostile         hostile labels and package names (markup, ANSI, bidi, HTML)

    python tests/report/build_fixtures.py
"""

from __future__ import annotations

from pathlib import Path

from stalkerscan.result import (
    AppAssessment,
    CheckCoverage,
    CheckStatus,
    Finding,
    Reason,
    ScanResult,
    Verdict,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "report" / "results"

HOSTILE_LABELS = (
    "<script>alert(1)</script>",
    "[red]x[/red]\x1b[2J",
    "\u202eecivreS\u202c metsyS \u200b<b>bold</b>",
)
HOSTILE_PACKAGE = 'com.evil."><img src=x onerror=alert(1)>'


def load(name: str) -> ScanResult:
    """One committed scan result."""
    return ScanResult.model_validate_json((FIXTURES / f"scan-{name}.json").read_text("utf-8"))


def incomplete() -> ScanResult:
    """The clean phone with trouble in its coverage."""
    base = load("clean")
    trouble = {
        "artifact:role": (
            CheckStatus.SKIPPED,
            Reason(code="artifact_skipped", params={"detail": "Can't find service: role"}),
        ),
        "artifact:accessibility": (
            CheckStatus.FAILED,
            Reason(code="artifact_failed", params={"detail": "the connection was lost"}),
        ),
        "artifact:appops": (
            CheckStatus.UNTRUSTED,
            Reason(code="artifact_tampered", params={"problem": "sha256 mismatch"}),
        ),
        "accessibility_services": (
            CheckStatus.FAILED,
            Reason(code="input_failed", params={"artifact": "accessibility"}),
        ),
        "usage_access_and_location": (
            CheckStatus.UNTRUSTED,
            Reason(code="input_untrusted", params={"artifact": "appops"}),
        ),
        "ioc_sample_hash": (
            CheckStatus.SKIPPED,
            Reason(code="hashing_skipped", params={"detail": "hashing turned off (--no-hash)"}),
        ),
        "yara": (CheckStatus.SKIPPED, Reason(code="no_apk_selected")),
    }
    rows = []
    for row in base.coverage:
        if row.check in trouble:
            status, why = trouble[row.check]
            row = CheckCoverage(check=row.check, status=status, reason=why, detail=row.detail)
        rows.append(row)
    return base.model_copy(
        update={"verdict": Verdict.INCOMPLETE, "complete": False, "coverage": tuple(rows)}
    )


def hostile() -> ScanResult:
    """The hostile scenario plus labels that try markup, ANSI, bidi and HTML injection."""
    base = load("hostile")
    covert = load("covert")
    spy = covert.apps[0]

    def relabel(f: Finding, label: str, package: str) -> Finding:
        return f.model_copy(update={"label": label, "package": package})

    apps = list(base.apps)
    findings = list(base.findings)
    for i, label in enumerate(HOSTILE_LABELS):
        package = HOSTILE_PACKAGE if i == 0 else f"org.hostile.app{i}"
        fs = tuple(relabel(f, label, package) for f in spy.findings[:2])
        apps.append(
            AppAssessment(
                package=package,
                label=label,
                users=spy.users,
                risk=spy.risk,
                category=spy.category,
                family=spy.family,
                findings=fs,
            )
        )
        findings.extend(fs)
    return base.model_copy(
        update={"verdict": Verdict.FOUND, "apps": tuple(apps), "findings": tuple(findings)}
    )


SCENARIOS = {
    "nothing-found": lambda: load("clean"),
    "covert": lambda: load("covert"),
    "dual-use": lambda: load("dual-use"),
    "incomplete": incomplete,
    "hostile": hostile,
}


def main() -> None:
    """Write `<scenario>.json` for every scenario."""
    for name, build in SCENARIOS.items():
        (FIXTURES / f"{name}.json").write_text(build().model_dump_json(indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
