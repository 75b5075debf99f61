"""Paths of the committed fixture APKs (built by fixtures/apks/build.sh) and their expectations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
APKS = ROOT / "stalkerscan" / "simulator" / "apks"
EXPECTED: dict[str, Any] = json.loads((ROOT / "fixtures" / "apks" / "expected.json").read_text())
TRAINING = APKS / "training-stalkerware.apk"
TRAINING_PACKAGE = "org.stalkerscan.training.syncservice"


@pytest.fixture(scope="session")
def project_rules():  # type: ignore[no-untyped-def]
    from stalkerscan.rules import compile_rules

    return compile_rules()
