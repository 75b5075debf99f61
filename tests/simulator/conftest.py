"""Fixtures for the simulated phone's tests: profiles and a running phone on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sim_helpers import BIG_APK, BIG_SIZE, MINIMAL

from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone


@pytest.fixture(scope="session")
def minimal_profile() -> Profile:
    """The hand-written minimal profile plus a generated 20 MB APK and 1 MB `dumpsys package`."""
    base = Profile.load(MINIMAL)
    spec = base.spec
    assert spec is not None
    data = spec.model_dump(by_alias=True, exclude_none=True)
    data["files"][BIG_APK] = {"generate": {"size": BIG_SIZE, "seed": 2026}}
    data["commands"]["dumpsys package"] = {"generate": {"size": 1_000_000, "seed": 1, "text": True}}
    return Profile.from_dict(data, base_dir=MINIMAL, source=str(MINIMAL / "profile.yaml"))


@pytest.fixture
def phone(minimal_profile: Profile) -> Iterator[SimulatedPhone]:
    """A simulated phone serving the minimal profile (no AUTH, no latency)."""
    with SimulatedPhone(minimal_profile) as p:
        yield p
