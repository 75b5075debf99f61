"""Scenario specs of the simulated phone, and the API the demo and `simulate` use.

    list_scenarios() -> list[ScenarioInfo]      # the trainers' scenarios (demo --list)
    list_profiles() -> list[ScenarioInfo]       # every spec shipped (scenarios + device profiles)
    resolve(name, cache_dir=None) -> Path       # render (cached, deterministic); profile folder
    load(name) -> Profile                       # the loaded simulator Profile
    derive(base, name, **overrides) -> ScenarioSpec   # plant apps/settings on a shipped spec
    render(spec, cache_dir=None) -> Path        # render (cached) any spec
    spec_path(name) -> Path ; load_scenario_spec(name) -> ScenarioSpec

Specs are YAML files in this package (format: docs/profiles.md). Rendering happens into a
cache directory outside the repository (see stalkerscan.simulator.generate.cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stalkerscan.errors import UsageError

if TYPE_CHECKING:
    from stalkerscan.simulator.generate.spec import ScenarioSpec
    from stalkerscan.simulator.profile import Profile

SPEC_DIR = Path(__file__).resolve().parent
# The order `demo --list` shows them in.
TRAINER_ORDER = ("clean", "covert", "dual-use", "removed", "work-profile")


@dataclass(frozen=True)
class ScenarioInfo:
    """What a trainer sees for one scenario."""

    name: str
    title: str
    description: str
    trainer: bool
    expected: tuple[str, ...] = ()
    expect: dict[str, Any] | None = None  # machine-readable: max_level, apps, device, absent


def _all_names() -> list[str]:
    return sorted(p.stem for p in SPEC_DIR.glob("*.yaml"))


def spec_path(name: str) -> Path:
    """The spec file of `name`; UsageError naming the choices when there is none."""
    if name in _all_names():
        return SPEC_DIR / f"{name}.yaml"
    choices = ", ".join(_all_names())
    raise UsageError(
        f"There is no scenario or profile named {name!r}.", f"Choose one of: {choices}."
    )


def load_scenario_spec(name: str) -> ScenarioSpec:
    """The validated spec of `name` (with `extends:` resolved)."""
    from stalkerscan.simulator.generate.spec import load_spec

    return load_spec(spec_path(name), search=[SPEC_DIR])


def _info(name: str) -> ScenarioInfo:
    import yaml

    raw = yaml.safe_load((SPEC_DIR / f"{name}.yaml").read_text(encoding="utf-8")) or {}
    return ScenarioInfo(
        name=name,
        title=str(raw.get("title") or name),
        description=" ".join(str(raw.get("description") or "").split()),
        trainer=bool(raw.get("trainer", False)),
        expected=tuple(str(x) for x in raw.get("expected") or ()),
        expect=raw.get("expect") if isinstance(raw.get("expect"), dict) else None,
    )


def list_scenarios() -> list[ScenarioInfo]:
    """The trainers' scenarios, in the order the demo lists them."""
    infos = [_info(n) for n in _all_names()]
    trainer = [i for i in infos if i.trainer]
    order = {n: k for k, n in enumerate(TRAINER_ORDER)}
    return sorted(trainer, key=lambda i: (order.get(i.name, len(order)), i.name))


def list_profiles() -> list[ScenarioInfo]:
    """Every spec shipped: scenarios, device/version profiles, benchmark and hostile profiles."""
    return [_info(n) for n in _all_names()]


def resolve(name: str, cache_dir: Path | None = None) -> Path:
    """The rendered profile folder of `name` (rendered on first use, then cached)."""
    from stalkerscan.simulator.generate.cache import render_cached

    return render_cached(load_scenario_spec(name), cache_dir)


def derive(base: str, name: str, **overrides: Any) -> ScenarioSpec:
    """A new spec that extends the shipped spec `base` (e.g. to plant an app in a test).

    `overrides` are spec keys (`apps=[{"package": ...}]`, `settings={...}`, `device={...}`);
    apps with a package already in the base are merged key by key, others are added.
    """
    from stalkerscan.simulator.generate.spec import load_spec_data

    spec_path(base)  # a clear error for an unknown base
    data: dict[str, Any] = {"name": name, "extends": base, **overrides}
    return load_spec_data(data, source=f"<derived from {base}>", search=[SPEC_DIR])


def render(spec: ScenarioSpec, cache_dir: Path | None = None) -> Path:
    """The rendered (cached) profile folder of any spec, e.g. one made by `derive`."""
    from stalkerscan.simulator.generate.cache import render_cached

    return render_cached(spec, cache_dir)


def load(name: str, cache_dir: Path | None = None) -> Profile:
    """The simulator Profile of `name`, ready to serve."""
    from stalkerscan.simulator.profile import Profile

    return Profile.load(resolve(name, cache_dir))
