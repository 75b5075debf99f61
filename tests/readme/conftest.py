"""Fixtures of the README check."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def profile_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Rendered scenario profiles, shared by the tests of this folder."""
    return tmp_path_factory.mktemp("profile-cache")
