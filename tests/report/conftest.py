"""Shared inputs of the report tests: the scenario ScanResults, a fixed clock, a plain console.

The ScanResults are committed JSON (fixtures/report/results/, built by build_fixtures.py), so
the report tests do not depend on the detection pipeline. Golden outputs live in
fixtures/report/golden/<scenario>/; set STALKERSCAN_UPDATE_GOLDEN=1 to rewrite them after an
intended change (then read the diff).
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from stalkerscan.result import ScanResult

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "fixtures" / "report" / "results"
GOLDEN = REPO / "fixtures" / "report" / "golden"
SCENARIOS = ("nothing-found", "covert", "dual-use", "incomplete", "hostile")
LANGS = ("en", "fr", "de", "it", "es")
WRITTEN_AT = datetime(2026, 11, 22, 12, 5, tzinfo=UTC)
UPDATE = os.environ.get("STALKERSCAN_UPDATE_GOLDEN") == "1"


def clock() -> datetime:
    """The injected "report written" time."""
    return WRITTEN_AT


def load_result(name: str) -> ScanResult:
    """One scenario's ScanResult."""
    return ScanResult.model_validate_json((RESULTS / f"{name}.json").read_text("utf-8"))


def plain_console(width: int = 100) -> tuple[Console, io.StringIO]:
    """A deterministic console without colours that writes into a buffer."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    return console, buf


def check_golden(path: Path, actual: str) -> None:
    """Compare with a golden file (or rewrite it when STALKERSCAN_UPDATE_GOLDEN=1)."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, "utf-8")
        return
    assert path.exists(), f"missing golden {path}: run with STALKERSCAN_UPDATE_GOLDEN=1"
    expected = path.read_text("utf-8")
    assert actual == expected, f"{path.relative_to(REPO)} differs from the rendered output"
