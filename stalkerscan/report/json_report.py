"""The JSON report: the `ScanResult` itself, versioned, with its schema published in docs/.

`report.json` validates against `docs/report-schema.json`, which is generated from the model
(`report_schema()`; `python -m stalkerscan.report.json_report > docs/report-schema.json`).
The schema version is `stalkerscan.result.SCHEMA_VERSION`: a field may be added in a minor
version; a rename or removal needs a new major version.
"""

from __future__ import annotations

import json
from typing import Any

from stalkerscan.result import SCHEMA_VERSION, ScanResult

SCHEMA_ID = "https://stalkerscan.invalid/report-schema.json"


def render_json(result: ScanResult) -> str:
    """The JSON report of a result (UTF-8 text, ends with a newline)."""
    return result.model_dump_json(indent=2) + "\n"


def report_schema() -> dict[str, Any]:
    """The JSON Schema of report.json, generated from ScanResult."""
    schema = ScanResult.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "stalkerscan report",
        "description": (
            f"report.json written by stalkerscan (schema version {SCHEMA_VERSION}). Reasons "
            "and capabilities are stable codes; the words for them are in the HTML report "
            "and docs/reports.md."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_text() -> str:
    """The schema as written to docs/report-schema.json."""
    return json.dumps(report_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
