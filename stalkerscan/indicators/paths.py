"""Where the feed store and the local indicators live."""

from __future__ import annotations

import os
from pathlib import Path

ENV_INDICATORS_DIR = "STALKERSCAN_INDICATORS_DIR"
ENV_DATA_DIR = "STALKERSCAN_DATA_DIR"
ENV_LOCAL_DIR = "STALKERSCAN_LOCAL_INDICATORS"


def data_dir() -> Path:
    """The per-user data directory (STALKERSCAN_DATA_DIR, else platformdirs)."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("stalkerscan", appauthor=False))


def indicators_dir(option: Path | str | None = None) -> Path:
    """The feed store: `--indicators-dir`, else STALKERSCAN_INDICATORS_DIR, else DATA/indicators."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_INDICATORS_DIR)
    if env:
        return Path(env).expanduser()
    return data_dir() / "indicators"


def local_dir(option: Path | str | None = None, store: Path | None = None) -> Path:
    """The local-indicators folder: option, else STALKERSCAN_LOCAL_INDICATORS, else STORE/local."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_LOCAL_DIR)
    if env:
        return Path(env).expanduser()
    return (store if store is not None else indicators_dir()) / "local"


def demo_dir() -> Path:
    """The fictional demo feed shipped inside the package (Echap layout)."""
    return Path(__file__).resolve().parent / "data" / "demo"
