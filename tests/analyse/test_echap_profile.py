"""With the real Echap feed installed (from the snapshot, never copied into the repository):
package names of real families planted into a generated phone profile are collected over the
simulated phone and named with the right family by `check`'s pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stalkerscan.analyse import analyse
from stalkerscan.commands.check import load_detection
from stalkerscan.evidence.build import build_evidence
from stalkerscan.indicators.echap import parse_echap
from stalkerscan.simulator.generate import load_spec_data, render_cached
from stalkerscan.simulator.scenarios import SPEC_DIR

from .conftest import NOW, collect_profile_folder
from .test_commands import run_cli

pytestmark = pytest.mark.echap
REPO = Path(__file__).resolve().parents[2]
FILES = ("ioc.yaml", "watchware.yaml", "samples.csv")


def snapshot_dir() -> Path | None:
    env = os.environ.get("STALKERSCAN_ECHAP_DIR")
    path = Path(env) if env else REPO.parent / "shared" / "echap"
    return path if (path / "ioc.yaml").is_file() else None


def test_planted_real_packages_are_named(tmp_path: Path) -> None:
    snap = snapshot_dir()
    if snap is None:
        pytest.skip("the Echap snapshot (../shared/echap or STALKERSCAN_ECHAP_DIR) is absent")
    store = tmp_path / "store"
    proc = run_cli(
        "indicators",
        "update",
        "--source",
        str(snap),
        "--indicators-dir",
        str(store),
        data_dir=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    feed = parse_echap({n: (snap / n).read_bytes() for n in FILES if (snap / n).is_file()})
    owners: dict[str, set[str]] = {}
    for fam in feed.families:
        for p in fam.packages:
            owners.setdefault(p, set()).add(fam.name)
    stalker = [f for f in feed.families if f.type == "stalkerware" and f.packages]
    chosen = [stalker[0], stalker[len(stalker) // 2], stalker[-1]]
    apps = [
        {
            "package": fam.packages[0],
            "label": f"Planted {i}",
            "installer": "com.google.android.packageinstaller",
            "installed": "-40d",
        }
        for i, fam in enumerate(chosen)
    ]
    spec = load_spec_data(
        {"name": "planted-echap", "extends": "small", "apps": apps}, search=[SPEC_DIR]
    )
    profile = render_cached(spec, tmp_path / "cache")
    acquisition = collect_profile_folder(profile, tmp_path / "acq")
    index, rule_sets = load_detection(store)
    assert any(p.feed_id == "echap" for p in index.provenance)
    result = analyse(
        build_evidence(acquisition, rule_sets=rule_sets),
        index,
        now=NOW,
        rule_sets=[rs.info for rs in rule_sets],
    )
    for fam in chosen:
        pkg = fam.packages[0]
        (f,) = [f for f in result.findings if f.rule == "SS-IOC-PKG" and f.package == pkg]
        assert fam.name in f.families
        assert set(f.families) == owners[pkg]
        assert f.matches[0].feed.startswith("echap@")
