"""Committed goldens: small rendered profiles (fixtures/profiles/golden-*) equal a fresh render
of their specs, so any change of an output format shows up as a reviewable diff.

Re-render after an intended change:
    STALKERSCAN_UPDATE_GOLDEN=1 python -m pytest tests/generate -k golden
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from stalkerscan.simulator.generate import load_spec, render_spec
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.scenarios import SPEC_DIR

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "profiles"
SPECS = sorted((ROOT / "specs").glob("golden-*.yaml"))


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("spec_file", SPECS, ids=[s.stem for s in SPECS])
def test_golden_profile_matches_a_fresh_render(spec_file: Path, tmp_path: Path) -> None:
    spec = load_spec(spec_file, search=[SPEC_DIR])
    fresh = tmp_path / spec.name
    render_spec(spec, fresh)
    golden = ROOT / spec.name
    if os.environ.get("STALKERSCAN_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(fresh, golden)
    assert golden.is_dir(), f"missing golden {golden}: run with STALKERSCAN_UPDATE_GOLDEN=1"
    got, want = _files(fresh), _files(golden)
    assert sorted(got) == sorted(want)
    changed = [name for name in got if got[name] != want[name]]
    assert not changed, f"{spec.name}: outputs differ from the golden: {changed[:5]}"
    Profile.load(golden)
