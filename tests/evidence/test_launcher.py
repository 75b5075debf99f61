"""`cmd package query-activities` parser: brief, full and components forms."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stalkerscan.evidence.launcher import parse_launcher_query

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dumpsys" / "launcher"
CASES = sorted(FIXTURES.glob("*.txt"))
REGEN = os.environ.get("STALKERSCAN_REGEN_GOLDEN") == "1"


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.name)
def test_golden_and_encodings(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    result = parse_launcher_query(text)
    golden = source.with_suffix(".golden.json")
    data = result.model_dump(mode="json")
    if REGEN:
        golden.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert data == json.loads(golden.read_text(encoding="utf-8"))
    assert result.issues.unparsed_lines == 0
    crlf = text.replace("\n", "\r\n")
    assert parse_launcher_query(crlf) == result
    assert parse_launcher_query(crlf.encode("utf-16-le")) == result


def test_brief_android14() -> None:
    result = parse_launcher_query((FIXTURES / "android14-pixel-u0.txt").read_text())
    assert result.declared_count == 3
    assert [a.component for a in result.activities] == [
        "org.example.notes/org.example.notes.MainActivity",
        "org.example.browser/com.example.browser.Main",
        "com.android.settings/com.android.settings.Settings",
    ]
    assert "org.example.wifiservice" not in result.packages()  # no icon: the point of the check


def test_none_found_is_zero_not_unknown() -> None:
    result = parse_launcher_query((FIXTURES / "android14-pixel-u10-empty.txt").read_text())
    assert result.activities == () and result.declared_count == 0 and result.error is None


def test_full_form_takes_activity_not_application_name() -> None:
    result = parse_launcher_query((FIXTURES / "android11-xiaomi-full.txt").read_text())
    assert [a.component for a in result.activities] == [
        "org.example.notes/org.example.notes.MainActivity",
        "org.example.gallery/org.example.gallery.Viewer",
    ]


def test_components_form_and_errors() -> None:
    result = parse_launcher_query("org.example.a/.Main\norg.example.b/org.example.b.Home\n")
    assert result.packages() == {"org.example.a", "org.example.b"}
    failed = parse_launcher_query("Exception occurred while executing 'query-activities':\n")
    assert failed.activities == () and failed.error is not None and failed.declared_count is None


def test_announced_count_mismatch_is_reported() -> None:
    text = (FIXTURES / "android14-pixel-u0.txt").read_text()
    cut = text[: text.index("  Activity #2:")]
    result = parse_launcher_query(cut)
    assert len(result.activities) == 2 and result.issues.unparsed_lines == 1


def test_activity_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.launcher as launcher

    assert (
        parse_launcher_query((FIXTURES / "android14-pixel-u0.txt").read_bytes()).truncated is False
    )
    brief = "\n".join(f"org.example.p{i}/.Main" for i in range(8)) + "\n"
    assert parse_launcher_query(brief).truncated is False
    monkeypatch.setattr(launcher, "MAX_ACTIVITIES", 5)
    q = parse_launcher_query(brief)
    assert len(q.activities) == 5 and q.truncated is True
    assert q.activities[-1].component == "org.example.p4/org.example.p4.Main"
