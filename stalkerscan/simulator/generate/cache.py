"""On-disk cache of rendered profiles, keyed by a hash of the spec and the generator's code.

Rendering the 5,000-package profile takes seconds; the demo and the tests render each spec
once per machine. The cache lives outside the repository (`$STALKERSCAN_PROFILE_CACHE`, else
the per-user cache directory) and a folder appears atomically (rendered aside, then renamed).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from stalkerscan.simulator.generate.spec import ScenarioSpec

_CODE_FILES = (
    "android.py",
    "library.py",
    "model.py",
    "render_packages.py",
    "render_services.py",
    "writer.py",
    "hostile.py",
    "spec.py",
)


def cache_root() -> Path:
    """Where rendered profiles are cached (created 0700 on first use)."""
    env = os.environ.get("STALKERSCAN_PROFILE_CACHE")
    if env:
        root = Path(env)
    else:
        import platformdirs

        root = Path(platformdirs.user_cache_dir("stalkerscan")) / "profiles"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def spec_hash(spec: ScenarioSpec, apk_dir: Path | None = None) -> str:
    """A stable hash of the spec, the generator's source and the real APKs it copies."""
    from stalkerscan.simulator.generate.model import APK_DIR

    h = hashlib.sha256()
    h.update(json.dumps(spec.model_dump(mode="json", by_alias=True), sort_keys=True).encode())
    here = Path(__file__).resolve().parent
    for name in _CODE_FILES:
        h.update(name.encode())
        h.update((here / name).read_bytes())
    apks = apk_dir or APK_DIR
    for app in spec.apps:
        names = [app.apk.source] if app.apk and app.apk.source else []
        names += list(app.apk.split_sources.values()) if app.apk else []
        for n in names:
            p = apks / n
            h.update(n.encode())
            h.update(hashlib.sha256(p.read_bytes()).digest() if p.is_file() else b"missing")
    return h.hexdigest()[:16]


def render_cached(
    spec: ScenarioSpec, cache_dir: Path | None = None, apk_dir: Path | None = None
) -> Path:
    """The folder of the rendered profile for `spec`, rendering it if not cached yet."""
    from stalkerscan.simulator.generate.writer import render_spec

    root = cache_dir or cache_root()
    root.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in spec.name)[:60]
    final = root / f"{safe}-{spec_hash(spec, apk_dir)}"
    if (final / "profile.yaml").is_file():
        return final
    tmp = Path(tempfile.mkdtemp(prefix=f".{safe}-", dir=root))
    try:
        render_spec(spec, tmp, apk_dir)
        tmp.chmod(0o700)
        try:
            tmp.rename(final)
        except OSError:
            # Another process rendered the same spec first: theirs is identical.
            if not (final / "profile.yaml").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final
