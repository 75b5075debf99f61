"""Stalkerware no feed knows: the covert app's behaviour under a new name, with no known APK,
certificate or host, is still found end to end by the heuristics (and only by them)."""

from __future__ import annotations

from pathlib import Path

import yaml

from stalkerscan.analyse import analyse
from stalkerscan.evidence.build import build_evidence
from stalkerscan.result import Severity
from stalkerscan.simulator.generate import load_spec_data, render_cached
from stalkerscan.simulator.scenarios import SPEC_DIR

from .conftest import NOW, collect_profile_folder

UNKNOWN = "com.example.wifisync"


def test_renamed_covert_app_is_found_by_heuristics_alone(tmp_path: Path, detection) -> None:  # type: ignore[no-untyped-def]
    covert = yaml.safe_load((SPEC_DIR / "covert.yaml").read_text(encoding="utf-8"))
    (spy,) = covert["apps"]
    renamed = {k: v for k, v in spy.items() if k not in ("apk", "signing_version")}
    renamed.update(package=UNKNOWN, label="WiFi")
    spec = load_spec_data(
        {
            "name": "unknown-stalkerware",
            "extends": "scenario-base",
            "settings": covert["settings"],
            "apps": [renamed],
        },
        search=[SPEC_DIR],
    )
    folder = collect_profile_folder(render_cached(spec, tmp_path / "cache"), tmp_path / "acq")
    index, rule_sets = detection
    result = analyse(
        build_evidence(folder, rule_sets=rule_sets),
        index,
        now=NOW,
        rule_sets=[rs.info for rs in rule_sets],
    )
    got = {(f.rule, f.package) for f in result.findings}
    assert got == {
        ("SS-APP-COVERT", UNKNOWN),
        ("SS-APP-HIDDEN", UNKNOWN),
        ("SS-APP-RECENT", UNKNOWN),
        ("SS-DEV-PLAY-PROTECT", None),
    }
    (app,) = result.apps
    assert app.package == UNKNOWN and app.risk == Severity.HIGH and app.family is None
    assert not any(f.matches for f in result.findings)
