"""The scenario/profile generator: compact YAML specs -> simulated-phone profile folders.

Public API:
    load_spec(path) -> ScenarioSpec                  # validate a spec file (spec.py)
    build_phone(spec) -> Phone                       # the derived, consistent phone state
    render_spec(spec, folder) -> Path                # write profile.yaml + outputs/ + apks/
    render_cached(spec, cache_dir=None) -> Path      # same, cached on disk by spec hash
    spec_hash(spec) -> str

Format: docs/profiles.md. Renderers: render_packages.py, render_services.py.
"""

from __future__ import annotations

from stalkerscan.simulator.generate.cache import cache_root, render_cached, spec_hash
from stalkerscan.simulator.generate.model import Phone, build_phone
from stalkerscan.simulator.generate.spec import ScenarioSpec, load_spec, load_spec_data
from stalkerscan.simulator.generate.writer import STANDARD_LINK, render_spec

GENERATOR_VERSION = "1"

__all__ = [
    "GENERATOR_VERSION",
    "STANDARD_LINK",
    "Phone",
    "ScenarioSpec",
    "build_phone",
    "cache_root",
    "load_spec",
    "load_spec_data",
    "render_cached",
    "render_spec",
    "spec_hash",
]
