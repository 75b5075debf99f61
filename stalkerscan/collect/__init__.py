"""The collection pipeline: collectors, batched read-only commands, the acquisition folder.

Public API:
    collect(transport, out_dir, options) -> AcquisitionResult
    CollectOptions, AcquisitionResult
    load_manifest(path) -> Manifest ; verify_acquisition(path) -> VerifyReport
    REGISTRY (the collectors), select_apps / IndicatorLookup (what to pull)
Format of the folder and of manifest.json: docs/acquisition.md.
"""

from __future__ import annotations

from stalkerscan.collect.collectors import REGISTRY, Collector
from stalkerscan.collect.manifest import (
    Manifest,
    Status,
    VerifyReport,
    load_manifest,
    verify_acquisition,
)
from stalkerscan.collect.pipeline import AcquisitionResult, CollectOptions, collect
from stalkerscan.collect.selection import IndicatorLookup, select_apps
from stalkerscan.collect.store import DiskFullError

__all__ = [
    "REGISTRY",
    "AcquisitionResult",
    "CollectOptions",
    "Collector",
    "DiskFullError",
    "IndicatorLookup",
    "Manifest",
    "Status",
    "VerifyReport",
    "collect",
    "load_manifest",
    "select_apps",
    "verify_acquisition",
]
