"""Hardening tests (issue 9): each test declares the row of docs/reliability.md it proves.

    @pytest.mark.proves("hostile", "Terminal escapes, rich markup, RTL/zero-width in labels",
                        "no raw ESC or bidi character reaches the terminal")
    def test_...

The marker's (area, input, outcome) is attached to the test's JUnit XML record as the property
`proves` (JSON); `scripts/reliability_table.py` turns a JUnit XML of this suite into the table.
Rows proven by tests elsewhere in the suite are listed in `references.py`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from support import Sandbox

# `HYPOTHESIS_PROFILE=long` (fuzz/README.md) raises the example counts of the property tests here.
settings.register_profile("ci", deadline=None, max_examples=10)
settings.register_profile(
    "long", deadline=None, max_examples=int(os.environ.get("STALKERSCAN_FUZZ_EXAMPLES", "400"))
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    """Register the `proves` marker (the `slow` marker lives in pyproject.toml)."""
    config.addinivalue_line(
        "markers", "proves(area, input, outcome): the docs/reliability.md row this test proves"
    )


@pytest.fixture(autouse=True)
def _record_row(request: pytest.FixtureRequest, record_property: Callable[..., None]) -> None:
    """Attach the `proves` marker's row to the JUnit XML record of the test."""
    for mark in request.node.iter_markers("proves"):
        area, what, outcome = mark.args
        record_property("proves", json.dumps({"area": area, "input": what, "outcome": outcome}))


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    """A sealed place to run the CLI (fresh HOME, cwd, TMPDIR, tripwire PATH, no network)."""
    return Sandbox(tmp_path / "sandbox")


@pytest.fixture(scope="session")
def profile_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A per-session cache for rendered scenario profiles (never the user's cache)."""
    return tmp_path_factory.mktemp("profile-cache")


@pytest.fixture(scope="session")
def scenario(profile_cache: Path) -> Callable[[str], Path]:
    """`scenario(name) -> profile folder`, rendered once per session."""
    from stalkerscan.simulator import scenarios

    def resolve(name: str) -> Path:
        return scenarios.resolve(name, profile_cache)

    return resolve


@pytest.fixture(scope="session")
def covert_case(tmp_path_factory: pytest.TempPathFactory, scenario: Callable[[str], Path]) -> Path:
    """One finished `scan` of the covert phone (reports + acquisition + pulled APKs), run under
    umask 000 (the scan must not rely on a careful umask). Read-only for the tests: copy it
    before changing anything."""
    from support import scan_args

    from stalkerscan.simulator.server import SimulatedPhone

    sandbox = Sandbox(tmp_path_factory.mktemp("covert-case") / "sandbox")
    out = sandbox.cwd / "case"
    old = os.umask(0)
    try:
        with SimulatedPhone(scenario("covert")) as phone:
            r = sandbox.run(*scan_args(phone.serial_tcp, out, "--max-pull-mb", "4"))
    finally:
        os.umask(old)
    assert r.returncode == 1, r.stderr
    return out


@pytest.fixture(scope="session")
def _host_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """In-process collections use a throwaway host key (never the user's own)."""
    old = os.environ.get("STALKERSCAN_DATA_DIR")
    path = tmp_path_factory.mktemp("stalkerscan-data")
    os.environ["STALKERSCAN_DATA_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("STALKERSCAN_DATA_DIR", None)
    else:
        os.environ["STALKERSCAN_DATA_DIR"] = old
