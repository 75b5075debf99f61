"""Indicator feeds: the Echap stalkerware feed, the fictional demo feed and local indicators.

Public API for the matchers (see docs/indicators.md):

    from stalkerscan.indicators import load_active_index, load_demo_index

    index = load_active_index()            # active Echap version + local indicators
    index.by_package("com.example.app")     # -> list[Attribution]
    index.by_package_casefold(name)         # same name in another case: a weaker hint
    index.by_certificate("61:ED:37:...")    # SHA-1 or SHA-256; public keys never match alone
    index.by_sample_hash(apk_sha256)
    index.by_host("a.c2.example")           # exact host or a subdomain of a listed host
    index.by_ip("192.0.2.1")
    index.provenance                        # feeds used: id, source, commit, sha256s, counts
    index.missing                           # feeds that could not be loaded, and why

This module imports nothing heavy: PyYAML and pydantic load only when a feed must be parsed
(no cached index yet).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from stalkerscan.errors import FeedError
from stalkerscan.indicators import paths
from stalkerscan.indicators.index import (
    Attribution,
    FeedProvenance,
    FeedSource,
    IndicatorIndex,
    load_index,
    load_part,
)

__all__ = [
    "Attribution",
    "FeedProvenance",
    "FeedSource",
    "IndicatorIndex",
    "active_feed_source",
    "active_rules_path",
    "demo_feed_source",
    "load_active_index",
    "load_demo_index",
    "load_index",
    "local_feed_source",
]

DEMO_FEED_ID = "demo"
LOCAL_FEED_ID = "local"


def _digest_dir(folder: Path, names: list[str]) -> str:
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode() + b"\0" + hashlib.sha256((folder / name).read_bytes()).digest())
    return h.hexdigest()


def demo_feed_source() -> FeedSource:
    """The fictional training feed shipped inside the package (TrainingSpy, FamilyLocator)."""
    from stalkerscan.indicators.layout import FEED_FILES

    folder = paths.demo_dir()
    return FeedSource(
        feed_id=DEMO_FEED_ID,
        kind="echap",
        path=folder,
        version=f"demo-{_digest_dir(folder, list(FEED_FILES))[:10]}",
        source="stalkerscan demo feed (fictional, packaged)",
    )


def active_feed_source(indicators_dir: Path | str | None = None) -> FeedSource | None:
    """The active installed Echap version as a loadable feed, or None when none is installed."""
    from stalkerscan.indicators.store import FeedStore

    info = FeedStore(indicators_dir).active()
    return info.feed_source() if info is not None else None


def active_rules_path(indicators_dir: Path | str | None = None) -> Path | None:
    """The active feed version's `rules.yar` (uncompiled text), or None when it has none."""
    from stalkerscan.indicators.store import FeedStore

    info = FeedStore(indicators_dir).active()
    return info.rules_path if info is not None else None


def local_feed_source(
    folder: Path | str | None = None, indicators_dir: Path | str | None = None
) -> FeedSource | None:
    """The local-indicators folder as a feed (strictly checked at load), or None if absent/empty."""
    store_root = paths.indicators_dir(indicators_dir)
    path = paths.local_dir(folder, store_root)
    if not path.is_dir():
        return None
    names = sorted(
        p.name
        for p in path.iterdir()
        if p.is_file() and p.suffix in (".yaml", ".yml") and not p.name.startswith(".")
    )
    if not names:
        return None
    return FeedSource(
        feed_id=LOCAL_FEED_ID,
        kind="local",
        path=path,
        version=f"local-{_digest_dir(path, names)[:10]}",
        source=str(path.resolve()),
    )


def load_active_index(
    indicators_dir: Path | str | None = None,
    *,
    local_dir: Path | str | None = None,
    include_local: bool = True,
    include_demo: bool = False,
    strict: bool = False,
) -> IndicatorIndex:
    """The index a scan uses: [demo +] active Echap version [+ local indicators].

    A feed that cannot be loaded (none installed, files changed on disk, a local file with an
    error) is listed in `index.missing` with the reason and the others are still used; with
    `strict=True` such a problem raises FeedError instead.
    """
    store_root = paths.indicators_dir(indicators_dir)
    cache_dir = store_root / "cache"
    index = IndicatorIndex()

    def add(label: str, get_source: Callable[[], FeedSource | None]) -> None:
        try:
            src = get_source()
            if src is None:
                if label == "echap":
                    index.missing.append(
                        "No indicator feed is installed: run `stalkerscan indicators update`."
                    )
                return
            index.parts.append(load_part(src, cache_dir))
        except (FeedError, OSError) as err:
            if strict:
                raise
            index.missing.append(f"The {label} indicators were not used: {err}")

    if include_demo:
        add("demo", demo_feed_source)
    add("echap", lambda: active_feed_source(store_root))
    if include_local:
        add("local", lambda: local_feed_source(local_dir, store_root))
    return index


def load_demo_index(indicators_dir: Path | str | None = None) -> IndicatorIndex:
    """The trainers' demo index: the fictional demo feed, plus the real feed and local
    indicators when they are installed."""
    return load_active_index(indicators_dir, include_demo=True)
