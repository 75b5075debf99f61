"""report.json: versioned, validated against the published schema (docs/report-schema.json)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from stalkerscan.report.json_report import schema_text
from stalkerscan.result import SCHEMA_VERSION

from .conftest import GOLDEN, REPO, SCENARIOS

SCHEMA_FILE = REPO / "docs" / "report-schema.json"


def test_published_schema_is_generated_from_the_model() -> None:
    assert SCHEMA_FILE.read_text("utf-8") == schema_text(), (
        "docs/report-schema.json is stale: python -m stalkerscan.report.json_report "
        "> docs/report-schema.json"
    )


@pytest.mark.parametrize("scenario", [*SCENARIOS, "covert-redacted"])
def test_report_json_validates(scenario: str) -> None:
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    report = json.loads((GOLDEN / scenario / "report.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["schema_version"] == SCHEMA_VERSION
    for finding in report["findings"]:
        for key in ("rule", "severity", "confidence", "package", "family", "reasons"):
            assert key in finding


def test_schema_rejects_a_broken_report() -> None:
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    report = json.loads((GOLDEN / "covert" / "report.json").read_text("utf-8"))
    report["findings"][0]["severity"] = "catastrophic"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(report)
    del report["verdict"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(report)
