"""`--redact`: no identifiers in any format; known stalkerware stays recognisable."""

from __future__ import annotations

from pathlib import Path

from stalkerscan.report import render_all
from stalkerscan.report.config import OrgConfig
from stalkerscan.report.redact import REDACTED_TIME, redact

from .conftest import clock, load_result


def test_redacted_result_has_no_identifiers() -> None:
    original = load_result("nothing-found")
    r = redact(original)
    assert r.redacted
    assert r.device.serial_short is None
    assert r.provenance.acquisition is None and r.provenance.manifest_sha256 is None
    assert r.provenance.scan_time == REDACTED_TIME
    # Apps no feed names become app-1, app-2 ... with no label, times or hashes.
    assert [a.package for a in r.apps] == ["app-1", "app-2"]
    for f in r.findings:
        assert set(f.evidence) <= {"installer_kind", "system"}
        for reason in f.reasons:
            for key, value in reason.params.items():
                # Only codes, counts and public feed data survive; names and times do not.
                safe = {"family", "feed", "kind", "setting", "rule", "description"}
                assert key in safe or isinstance(value, int) or value == "[redacted]"


def test_known_stalkerware_stays_named() -> None:
    r = redact(load_result("covert"))
    assert r.apps[0].package == "org.stalkerscan.training.syncservice"
    assert r.apps[0].family == "TrainingSpy (fictional)"
    assert all("first_install_time" not in f.evidence for f in r.findings)


def test_redacted_files_hold_no_identifier(tmp_path: Path) -> None:
    original = load_result("nothing-found")
    render_all(original, tmp_path, redact=True, org=OrgConfig(), clock=clock)
    secrets = [
        original.device.serial_short,
        original.provenance.manifest_sha256,
        "net.brightnest.familytime",
        "com.google.android.apps.work.clouddpc",
        "2026-11-08",
        "Nov 8, 2026",
    ]
    for name in ("report.html", "report.json"):
        text = (tmp_path / name).read_text("utf-8")
        for secret in secrets:
            assert secret and secret not in text, (name, secret)


def test_coverage_messages_are_redacted() -> None:
    r = redact(load_result("incomplete"))
    params = [row.reason.params for row in r.coverage if row.reason is not None]
    assert params
    for p in params:
        assert p.get("detail", "[redacted]") == "[redacted]"
        assert p.get("problem", "[redacted]") == "[redacted]"
    assert any(p.get("artifact") == "accessibility" for p in params)
