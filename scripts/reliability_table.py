#!/usr/bin/env python3
"""Write docs/reliability.md from the test suite's results (issue 9's "done when").

    python scripts/reliability_table.py --run          # run the proofs, then write the table
    python scripts/reliability_table.py --run --long   # include the slow proofs (200 MB, 10k)
    python scripts/reliability_table.py --junit results.xml   # from an existing JUnit XML
    python scripts/reliability_table.py --junit results.xml --check   # exit 1 if a row is red

Rows come from two places: each test in tests/hardening declares its row with
`@pytest.mark.proves(area, input, outcome)` (recorded in the JUnit XML as the `proves`
property), and tests/hardening/references.py lists rows proven by tests elsewhere (by node id).
A row is "pass" when every test behind it passed, "known bug" when it is an expected failure
(xfail, strict), "not run" when no result was found, and "FAIL" otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "reliability.md"
AREAS = ("hostile device", "host shell", "faults", "read-only", "no network", "bad feeds",
         "bad rules", "fuzzing", "data at rest")  # fmt: skip


@dataclass
class Case:
    """One test result from the JUnit XML."""

    nodeid: str
    outcome: str  # pass, fail, xfail, skip
    time: float
    message: str = ""
    proves: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Row:
    """One line of the table."""

    area: str
    input: str
    outcome: str
    tests: list[Case]
    refs: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """pass / known bug / not run / FAIL."""
        if not self.tests:
            return "not run"
        kinds = {c.outcome for c in self.tests}
        if "fail" in kinds:
            return "FAIL"
        if kinds <= {"skip"}:
            return "not run"
        if "xfail" in kinds:
            return "known bug"
        return "pass"


def nodeid_of(testcase: ET.Element) -> str:
    """Rebuild `path.py::name[param]` from JUnit's classname and name."""
    classname, name = testcase.get("classname", ""), testcase.get("name", "")
    parts = classname.split(".")
    # The module is the longest prefix that exists as a .py file; the rest are classes.
    for i in range(len(parts), 0, -1):
        path = Path(*parts[:i]).with_suffix(".py")
        if (REPO / path).is_file():
            return "::".join([path.as_posix(), *parts[i:], name])
    return f"{classname}::{name}"


def read_junit(path: Path) -> list[Case]:
    """Every test case of a JUnit XML file."""
    cases = []
    # Our own pytest run wrote this file: trusted input.
    for tc in ET.parse(path).getroot().iter("testcase"):  # noqa: S314
        outcome, message = "pass", ""
        for child in tc:
            if child.tag in ("failure", "error"):
                outcome, message = "fail", child.get("message", "")
            elif child.tag == "skipped":
                is_xfail = child.get("type") == "pytest.xfail"
                outcome, message = ("xfail" if is_xfail else "skip"), child.get("message", "")
        proves = [
            json.loads(p.get("value", "{}"))
            for p in tc.iter("property")
            if p.get("name") == "proves"
        ]
        cases.append(Case(nodeid_of(tc), outcome, float(tc.get("time", 0)), message, proves))
    return cases


def build_rows(cases: list[Case]) -> list[Row]:
    """Own rows (from `proves`) and referenced rows, in area order."""
    sys.path.insert(0, str(REPO / "tests" / "hardening"))
    from references import REFERENCES

    own: dict[tuple[str, str, str], Row] = {}
    for c in cases:
        for p in c.proves:
            key = (p["area"], p["input"], p["outcome"])
            own.setdefault(key, Row(*key, tests=[])).tests.append(c)
    rows = list(own.values())
    for area, what, outcome, prefixes in REFERENCES:
        matched = [c for c in cases if any(c.nodeid.startswith(p) for p in prefixes)]
        rows.append(Row(area, what, outcome, matched, refs=prefixes))
    order = {a: i for i, a in enumerate(AREAS)}
    rows.sort(key=lambda r: order.get(r.area, len(AREAS)))
    return rows


def cell(text: str) -> str:
    """Markdown-table-safe text."""
    return text.replace("|", "\\|").replace("\n", " ")


def proof_cell(row: Row) -> str:
    """Where the proof is: the test functions (parameters folded)."""
    names = row.refs or tuple(sorted({c.nodeid.split("[")[0] for c in row.tests}))
    return "<br>".join(f"`{cell(n)}`" for n in names)


def render(rows: list[Row], source: str) -> str:
    """The Markdown document."""
    counts = {s: sum(1 for r in rows if r.status == s) for s in
              ("pass", "known bug", "not run", "FAIL")}  # fmt: skip
    lines = [
        "# Reliability: what was tried, and what happened",
        "",
        "Generated by `scripts/reliability_table.py` from the test results "
        f"({source}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC). Do not edit by hand: run "
        "`python scripts/reliability_table.py --run --long` (see docs/hardening.md).",
        "",
        f"**{counts['pass']} rows pass, {counts['known bug']} known bugs (strict xfail: the "
        f"test fails today and will flag when fixed), {counts['not run']} not run, "
        f"{counts['FAIL']} failing.**",
        "",
        "Each row is one hostile input, fault or bad feed; *Expected* is what the tests check "
        "(exit code, data kept, phone unchanged); *Result* is the outcome of the tests behind "
        "the row in this run.",
        "",
    ]
    for area in dict.fromkeys(r.area for r in rows):
        lines += [f"## {area[0].upper() + area[1:]}", "",
                  "| Input / fault | Expected | Result | Proof |", "|---|---|---|---|"]  # fmt: skip
        for r in (r for r in rows if r.area == area):
            status = r.status
            if status == "known bug":
                reasons = {c.message for c in r.tests if c.outcome == "xfail"}
                status = "known bug: " + "; ".join(sorted(reasons))
            elif status == "FAIL":
                failed = [c for c in r.tests if c.outcome == "fail"]
                status = "FAIL: " + "; ".join(
                    f"{c.nodeid.split('::')[-1]}: {c.message[:200]}" for c in failed
                )
            elif status == "pass":
                status = f"pass ({len(r.tests)} test{'s' if len(r.tests) > 1 else ''})"
            lines.append(
                f"| {cell(r.input)} | {cell(r.outcome)} | {cell(status)} | {proof_cell(r)} |"
            )
        lines.append("")
    return "\n".join(lines)


def run_tests(junit: Path, long: bool) -> None:
    """Run tests/hardening and every referenced test, writing a JUnit XML."""
    sys.path.insert(0, str(REPO / "tests" / "hardening"))
    from references import REFERENCES

    targets = ["tests/hardening"]
    for *_, prefixes in REFERENCES:
        targets += [p for p in prefixes if p not in targets]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           f"--junitxml={junit}", "-o", "junit_family=xunit1", *targets]  # fmt: skip
    if long:
        cmd += ["-m", "slow or not slow", "--timeout", "1800"]
    subprocess.run(cmd, cwd=REPO, check=False)


def main() -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--junit", type=Path, help="read this JUnit XML instead of running")
    ap.add_argument("--run", action="store_true", help="run the proofs first")
    ap.add_argument("--long", action="store_true", help="with --run: include slow proofs")
    ap.add_argument("--out", type=Path, default=DOC)
    ap.add_argument("--check", action="store_true", help="exit 1 when a row fails")
    args = ap.parse_args()
    if args.run:
        junit = Path(tempfile.mkdtemp()) / "results.xml"
        run_tests(junit, args.long)
        source = "full run with slow proofs" if args.long else "CI run"
    elif args.junit:
        junit, source = args.junit, f"JUnit {args.junit.name}"
    else:
        ap.error("give --run or --junit FILE")
    rows = build_rows(read_junit(junit))
    args.out.write_text(render(rows, source) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(rows)} rows")
    bad = [r for r in rows if r.status in ("FAIL", "not run")]
    for r in bad:
        print(f"{r.status}: [{r.area}] {r.input}", file=sys.stderr)
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    sys.exit(main())
