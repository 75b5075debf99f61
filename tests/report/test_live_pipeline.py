"""The report goldens stay honest: the covert scenario scanned by the LIVE pipeline renders the
same reports as the frozen ScanResult the goldens are built from.

The golden tests render committed ScanResults (fixtures/report/results/), so a change in
detection could leave them green while the reports users get change. Here the covert scenario
is served by the simulated phone over real TCP and the real ADB protocol, collected by the real
pipeline and checked with the packaged demo feed and the project's rules (what `stalkerscan
scan` does); its reports in every language and format must equal those of the frozen
`scan-covert.json`, except for the acquisition's manifest hash (the manifest records the
collection times). When this fails after an intended detection change, rebuild the frozen
results (tests/report/build_fixtures.py) and the goldens, and read the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stalkerscan.collect import CollectOptions, collect
from stalkerscan.commands.check import check_acquisition, exit_code_for, load_detection
from stalkerscan.report import render_all
from stalkerscan.report.config import OrgConfig
from stalkerscan.result import ScanResult
from stalkerscan.simulator import scenarios
from stalkerscan.simulator.server import SimulatedPhone

from .conftest import LANGS, RESULTS, clock, plain_console

SCAN_TIME = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # the frozen results' scan clock
SPY = "org.stalkerscan.training.syncservice"


@pytest.fixture(scope="module")
def live_covert(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScanResult]:
    """The covert scenario collected over ADB from the simulated phone and checked."""
    from stalkerscan.device.connect import open_transport

    tmp = tmp_path_factory.mktemp("live-covert")
    old = os.environ.get("STALKERSCAN_DATA_DIR")
    os.environ["STALKERSCAN_DATA_DIR"] = str(tmp / "data")  # a throwaway host key
    try:
        profile = scenarios.resolve("covert", tmp / "profiles")
        acquisition = tmp / "acq"  # the frozen result's acquisition name
        with SimulatedPhone(profile, port=0) as phone:
            transport = open_transport(phone.serial_tcp, via="tcp", timeout=10)
            try:
                collected = collect(
                    transport, acquisition, CollectOptions(max_pull_bytes=4 * 1024 * 1024)
                )
            finally:
                transport.close()
        assert collected.complete, collected.summary()
        # An empty feed store: the packaged demo feed only, never this computer's feeds.
        index, rule_sets = load_detection(tmp / "no-installed-feeds")
        yield check_acquisition(acquisition, index, rule_sets, now=SCAN_TIME)
    finally:
        if old is None:
            os.environ.pop("STALKERSCAN_DATA_DIR", None)
        else:
            os.environ["STALKERSCAN_DATA_DIR"] = old


def frozen_covert() -> ScanResult:
    """The frozen result the report fixtures and goldens derive from."""
    return ScanResult.model_validate_json((RESULTS / "scan-covert.json").read_text("utf-8"))


def with_frozen_manifest(live: ScanResult, frozen: ScanResult) -> ScanResult:
    """`live` with the frozen result's manifest hash (the one field that holds collect times)."""
    provenance = live.provenance.model_copy(
        update={"manifest_sha256": frozen.provenance.manifest_sha256}
    )
    return live.model_copy(update={"provenance": provenance})


def render(result: ScanResult, out: Path, lang: str) -> dict[str, str]:
    """Terminal, HTML and JSON of `result` with the injected clock."""
    console, buf = plain_console()
    render_all(
        result,
        out,
        lang=lang,
        formats=("terminal", "html", "json"),
        console=console,
        org=OrgConfig(),
        clock=clock,
    )
    return {
        "terminal": buf.getvalue(),
        "html": (out / "report.html").read_text("utf-8"),
        "json": (out / "report.json").read_text("utf-8"),
    }


def test_live_covert_findings_equal_the_frozen_ones(live_covert: ScanResult) -> None:
    frozen = frozen_covert()

    def key(r: ScanResult) -> list[tuple[object, ...]]:
        return sorted(
            (
                f.rule,
                f.package,
                f.severity.value,
                f.confidence.value,
                f.category.value,
                f.family,
                tuple(sorted(r.code for r in f.reasons)),
                tuple(sorted(f.capabilities)),
            )
            for f in r.findings
        )

    assert key(live_covert) == key(frozen)
    assert (live_covert.verdict, live_covert.complete) == (frozen.verdict, frozen.complete)
    assert exit_code_for(live_covert) == 1
    assert live_covert.provenance.manifest_sha256  # the acquisition is named by its hash
    assert len(live_covert.provenance.manifest_sha256) == 64


@pytest.mark.parametrize("lang", LANGS)
def test_live_covert_reports_equal_the_frozen_reports(
    live_covert: ScanResult, lang: str, tmp_path: Path
) -> None:
    frozen = frozen_covert()
    live = render(with_frozen_manifest(live_covert, frozen), tmp_path / "live", lang)
    expected = render(frozen, tmp_path / "frozen", lang)
    for fmt in ("terminal", "html", "json"):
        assert live[fmt] == expected[fmt], f"{fmt} report of the live scan differs ({lang})"
    # And the report says what matters, in this language, for the live scan itself.
    assert SPY in live["html"] and SPY in live["terminal"]
    assert '<section id="safety" class="safety">' in live["html"]
    findings = json.loads(live["json"])["findings"]
    assert {(f["rule"], f["package"]) for f in findings} >= {("SS-IOC-CERT", SPY)}
