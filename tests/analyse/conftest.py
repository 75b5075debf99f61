"""Acquisitions of the simulated phone's profiles, collected once per test session.

Each profile is rendered by the generator, served by the simulated phone over real TCP and the
real ADB protocol, and collected by the real pipeline (`stalkerscan.collect.collect`) into a
temporary folder; the tests then analyse those folders. Profiles are collected in parallel
threads (the work is mostly I/O and fsync) so the whole set takes seconds, not minutes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stalkerscan.collect import CollectOptions, collect
from stalkerscan.simulator import scenarios
from stalkerscan.simulator.server import SimulatedPhone

# Profiles whose findings are asserted (hostile-huge, huge and typical are benchmark-sized).
PROFILES = (
    "clean",
    "covert",
    "dual-use",
    "removed",
    "work-profile",
    "rooted",
    "hostile",
    "small",
    "android7-samsung",
    "android9-huawei",
    "android10-aosp",
    "android11-xiaomi",
    "android13-samsung",
    "android14-oppo",
    "android15-vivo",
    "android16-pixel",
    "android14-hyperos",
    "apk-zoo",
)
MAX_PULL = 4 * 1024 * 1024  # the training APKs are pulled first; the cap skips big fillers
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # the injected scan clock


def collect_profile(name: str, cache: Path, out: Path) -> Path:
    """Render, serve and collect one profile; the acquisition folder."""
    return collect_profile_folder(scenarios.resolve(name, cache), out)


def collect_profile_folder(profile: Path, out: Path) -> Path:
    """Serve a rendered profile folder and collect it; the acquisition folder."""
    from stalkerscan.device.connect import open_transport

    with SimulatedPhone(profile, port=0) as phone:
        transport = open_transport(phone.serial_tcp, via="tcp", timeout=10)
        try:
            result = collect(transport, out, CollectOptions(max_pull_bytes=MAX_PULL))
        finally:
            transport.close()
    assert result.complete, result.summary()
    return out


@pytest.fixture(scope="session", autouse=True)
def _host_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A throwaway host key and data folder (never the user's own)."""
    old = os.environ.get("STALKERSCAN_DATA_DIR")
    os.environ["STALKERSCAN_DATA_DIR"] = str(tmp_path_factory.mktemp("stalkerscan-data"))
    yield
    if old is None:
        os.environ.pop("STALKERSCAN_DATA_DIR", None)
    else:
        os.environ["STALKERSCAN_DATA_DIR"] = old


@pytest.fixture(scope="session")
def acquisitions(tmp_path_factory: pytest.TempPathFactory, _host_key_dir: None) -> dict[str, Path]:
    """profile name -> its acquisition folder (collected once per session)."""
    cache = tmp_path_factory.mktemp("profile-cache")
    root = tmp_path_factory.mktemp("acquisitions")
    # Render serially (the cache is shared); collect in parallel (the first collections
    # create the host key together, which stalkerscan.device.keys makes safe).
    for name in PROFILES:
        scenarios.resolve(name, cache)
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {n: pool.submit(collect_profile, n, cache, root / n) for n in PROFILES}
        return {n: f.result() for n, f in futures.items()}


@pytest.fixture(scope="session")
def indicators_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty indicator store: only the packaged demo feed is used."""
    return tmp_path_factory.mktemp("indicators")


@pytest.fixture(scope="session")
def detection(indicators_dir: Path):  # type: ignore[no-untyped-def]
    """(index, rule sets): the demo feed and the project's YARA rules, compiled once."""
    from stalkerscan.commands.check import load_detection

    return load_detection(indicators_dir)


def copy_acquisition(src: Path, dst: Path) -> Path:
    """A writable copy of an acquisition folder (to damage it)."""
    shutil.copytree(src, dst)
    return dst
