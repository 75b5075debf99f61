"""Shared fixtures for the transport tests: a test profile, a simulated phone, isolated dirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from devsupport import PROFILE, free_port, quick

from stalkerscan.device.connect import open_transport
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone


@pytest.fixture(scope="session")
def profile() -> Profile:
    return Profile.from_dict(PROFILE)


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir (and so one host key) for the session: RSA keygen costs ~0.1 s."""
    return tmp_path_factory.mktemp("stalkerscan-data")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, key_dir: Path, tmp_path: Path) -> None:
    """Our data dir, a HOME without ~/.android, and an adb server address where none runs."""
    monkeypatch.setenv("STALKERSCAN_DATA_DIR", str(key_dir))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(free_port()))
    monkeypatch.delenv("ANDROID_SERIAL", raising=False)


@pytest.fixture
def phone(profile: Profile) -> Iterator[SimulatedPhone]:
    with SimulatedPhone(profile, port=0) as p:
        yield p


@pytest.fixture
def transport(phone: SimulatedPhone) -> Iterator[object]:
    with open_transport(phone.serial_tcp, opts=quick()) as t:
        yield t
