"""How long loading the indicator index takes, in a fresh process, with the on-disk cache.

    python benchmarks/bench_index.py [--source FEED_DIR] [--runs 21]

The feed (default: the Echap snapshot in $STALKERSCAN_ECHAP_DIR or ../shared/echap) is installed
into a temporary store; then each run starts a new Python process that imports
`stalkerscan.indicators` and times `load_active_index()` (reading the active version, checking
every file's sha256, loading the cached compiled index). The target is a median under 100 ms.
The first, cold load (no cache: YAML parsed and compiled) is reported separately.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CHILD = """
import sys, time
t0 = time.perf_counter()
from stalkerscan.indicators import load_active_index
t1 = time.perf_counter()
index = load_active_index(sys.argv[1], include_local=False, strict=True)
t2 = time.perf_counter()
assert index.by_package is not None and not index.missing
print(f"{(t1 - t0) * 1000:.3f} {(t2 - t1) * 1000:.3f} {int('yaml' in sys.modules)}")
"""


def _default_source() -> Path:
    env = os.environ.get("STALKERSCAN_ECHAP_DIR")
    snapshot = Path(env) if env else REPO.parent / "shared" / "echap"
    if (snapshot / "ioc.yaml").is_file():
        return snapshot
    print("Echap snapshot not found: measuring the small fictional test feed instead.")
    return REPO / "fixtures" / "feeds" / "good"


def _run_child(store: Path) -> tuple[float, float, bool]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(store)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    imp, load, yaml_loaded = out.stdout.split()
    return float(imp), float(load), yaml_loaded == "1"


def main() -> None:
    """Install the feed in a temporary store and time index loads in fresh processes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None, help="feed folder or zip")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    source = args.source or _default_source()

    from stalkerscan.indicators.fetch import LocalFetcher
    from stalkerscan.indicators.store import FeedStore
    from stalkerscan.indicators.update import update_feed

    tmp = Path(tempfile.mkdtemp(prefix="bench-index-"))
    try:
        store = FeedStore(tmp / "store")
        info = update_feed(store, LocalFetcher(source)).version
        shutil.rmtree(store.cache_dir)
        _imp, cold, cold_yaml = _run_child(store.root)
        runs = [_run_child(store.root) for _ in range(args.runs)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    loads = [r[1] for r in runs]
    imports = [r[0] for r in runs]
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    print(
        f"feed: {source} ({info.counts.get('families')} families, "
        f"{info.counts.get('sample_hashes')} sample hashes)"
    )
    print(f"cold load (no cache, parses YAML: {cold_yaml}): {cold:.1f} ms")
    print(
        f"cached load, {len(loads)} fresh processes: median {statistics.median(loads):.1f} ms "
        f"(min {min(loads):.1f}, max {max(loads):.1f}); PyYAML imported: "
        f"{any(r[2] for r in runs)}"
    )
    print(f"import of stalkerscan.indicators: median {statistics.median(imports):.1f} ms")
    verdict = "OK" if statistics.median(loads) < 100 else "OVER the 100 ms target"
    print(f"target: median under 100 ms -> {verdict}")


if __name__ == "__main__":
    main()
