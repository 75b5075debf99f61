"""Fixtures for the generator's tests: every spec rendered once per session into a temp cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from gen_helpers import Rendered

from stalkerscan.simulator import scenarios


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A per-session profile cache (never the user's cache)."""
    return tmp_path_factory.mktemp("profile-cache")


@pytest.fixture(scope="session")
def render(cache_dir: Path):  # type: ignore[no-untyped-def]
    """`render(name) -> Rendered` for a shipped spec (cached for the session)."""
    done: dict[str, Rendered] = {}

    def _render(name: str) -> Rendered:
        if name not in done:
            done[name] = Rendered(scenarios.resolve(name, cache_dir))
        return done[name]

    return _render
