"""Issue 3's Done-when, per profile: `collect` writes an acquisition whose manifest verifies (every
sha256 recomputed here) and whose parsed evidence equals a golden file.

Each profile is collected once per session (no link latency, no APK pull: pulls are tested in
test_collect_simulated). Every saved artifact is parsed with its evidence parser, called
directly (not through evidence/build.py), and dumped as JSON with stable ordering into
`fixtures/evidence-golden/<profile>.json`. After an intended change of a parser or a profile:

    STALKERSCAN_UPDATE_GOLDEN=1 python -m pytest tests/collect/test_profiles_golden.py

The 5,000-package profiles (huge, hostile-huge) are collected by the session-count test in
test_sessions.py and by the benchmarks; their output formats are the same renderers as the
others'.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stalkerscan.collect import CollectOptions, Status, collect, verify_acquisition
from stalkerscan.collect.manifest import Manifest
from stalkerscan.evidence import (
    accessibility,
    accounts,
    appops,
    device,
    device_policy,
    deviceidle,
    getprop,
    hashes,
    input_method,
    launcher,
    notification,
    package,
    pm_list,
    role,
    settings,
    usagestats,
    users,
    vpn,
)
from stalkerscan.simulator import scenarios
from stalkerscan.simulator.profile import Profile

from .test_collect_simulated import phone_and_transport

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "fixtures" / "evidence-golden"
UPDATE = os.environ.get("STALKERSCAN_UPDATE_GOLDEN") == "1"

BIG = {"huge", "hostile-huge"}
# typical-zero is typical with no link latency: the same phone once latency is removed here.
SAME_PHONE = {"typical-zero"}
SPECS = sorted(i.name for i in scenarios.list_profiles() if i.name not in BIG | SAME_PHONE)
# Hand-written and committed rendered profiles (fixtures/profiles/*/profile.yaml).
FOLDERS = sorted(p.parent.name for p in (ROOT / "fixtures" / "profiles").glob("*/profile.yaml"))
NAMES = [*SPECS, *FOLDERS]

Parser = Callable[[Path], Any]


def _bytes(parse: Callable[[bytes], Any]) -> Parser:
    return lambda path: parse(path.read_bytes())


def _settings(namespace: str) -> Parser:
    return lambda path: settings.parse_settings(path.read_bytes(), namespace)  # type: ignore[arg-type]


# Artifact name (pattern) -> its evidence parser. An artifact without a parser fails the test:
# a new collector must come with its parser.
PARSERS: list[tuple[str, Parser]] = [
    (r"getprop", _bytes(getprop.parse_getprop)),
    (r"selinux", _bytes(device.parse_getenforce)),
    (r"device_time", _bytes(device.parse_device_time)),
    (r"su_path", _bytes(device.parse_which_su)),
    (r"sha256sum_path", _bytes(device.parse_which_sha256sum)),
    (r"users", _bytes(users.parse_pm_list_users)),
    (r"packages(_disabled)?_u\d+", _bytes(pm_list.parse_pm_list_packages)),
    (r"launcher_u\d+", _bytes(launcher.parse_launcher_query)),
    (r"settings_global", _settings("global")),
    (r"settings_secure_u\d+", _settings("secure")),
    (r"settings_system_u\d+", _settings("system")),
    (r"device_policy", _bytes(device_policy.parse_device_policy)),
    (r"accessibility", _bytes(accessibility.parse_accessibility)),
    (r"notification", _bytes(notification.parse_notification)),
    (r"appops", _bytes(appops.parse_appops)),
    (r"input_method", _bytes(input_method.parse_input_method)),
    (r"role", _bytes(role.parse_role)),
    (r"deviceidle", _bytes(deviceidle.parse_deviceidle_whitelist)),
    (r"connectivity", _bytes(vpn.parse_connectivity_vpns)),
    (r"account", _bytes(accounts.parse_accounts)),
    (r"usagestats", _bytes(usagestats.parse_usagestats)),
    (r"dumpsys_package", package.parse_dumpsys_package_file),
    (r"apk_hashes(_\d+)?", _bytes(hashes.parse_sha256sum)),
]


def parser_for(name: str) -> Parser:
    """The evidence parser of artifact `name` (KeyError when there is none)."""
    for pattern, parse in PARSERS:
        if re.fullmatch(pattern, name):
            return parse
    raise KeyError(f"no evidence parser for artifact {name!r}")


def load_profile(name: str) -> Profile:
    """A shipped spec (rendered, cached) or a committed profile folder, without link latency."""
    if name in SPECS:
        return scenarios.load(name).with_changes(link={})
    return Profile.load(ROOT / "fixtures" / "profiles" / name).with_changes(link={})


class Collected:
    """One profile's acquisition, collected once per session."""

    def __init__(self, root: Path, manifest: Manifest, complete: bool, summary: str) -> None:
        self.root, self.manifest, self.complete, self.summary = root, manifest, complete, summary


@pytest.fixture(scope="session")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Collected]:
    """`collected(name)`: collect the profile over real TCP once, then reuse the folder."""
    done: dict[str, Collected] = {}
    base = tmp_path_factory.mktemp("golden-acq")

    def get(name: str) -> Collected:
        if name not in done:
            out = base / name
            with phone_and_transport(load_profile(name)) as (_, transport):
                result = collect(transport, out, CollectOptions(pull=False))
            done[name] = Collected(out, result.manifest, result.complete, result.summary())
        return done[name]

    return get


def parsed_evidence(acq: Collected) -> dict[str, Any]:
    """Every artifact parsed with its parser, as JSON-ready data in the manifest's order."""
    out: dict[str, Any] = {}
    for record in acq.manifest.artifacts:
        key = record.name if record.part is None else f"{record.name}_{record.part}"
        entry: dict[str, Any] = {"status": str(record.status.value)}
        if record.part is None:  # a hash part's command is its list of paths: in the manifest
            entry["command"] = record.command
        if record.reason:
            entry["reason"] = record.reason
        if record.exit_code is not None:
            entry["exit_code"] = record.exit_code
        if record.file is not None:
            model = parser_for(record.name)(acq.root / record.file)
            entry["parsed"] = model.model_dump(mode="json", exclude_defaults=True)
        out[key] = entry
    return out


def _dump(data: Any, depth: int = 0) -> str:
    """Stable JSON: keys sorted; nesting opened down to one line per record (package, op, ...),
    so a golden diff shows which record changed while the files stay small."""
    if depth == 0:
        return _dump(data, 1) + "\n"
    pad = " " * depth
    if depth <= 4 and isinstance(data, dict) and data:
        items = [f"{pad}{json.dumps(k)}: {_dump(data[k], depth + 1)}" for k in sorted(data)]
        return "{\n" + ",\n".join(items) + "\n" + " " * (depth - 1) + "}"
    if depth <= 4 and isinstance(data, list) and data:
        items = [f"{pad}{_dump(v, depth + 1)}" for v in data]
        return "[\n" + ",\n".join(items) + "\n" + " " * (depth - 1) + "]"
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("name", NAMES)
def test_acquisition_of_each_profile_verifies(
    collected: Callable[[str], Collected], name: str
) -> None:
    acq = collected(name)
    assert acq.complete, acq.summary
    report = verify_acquisition(acq.root)
    assert report.ok and not report.problems, report.problems
    # Do not trust verify alone: recompute every artifact's size and sha256 here.
    with_files = [r for r in acq.manifest.artifacts if r.file is not None]
    assert with_files
    for record in with_files:
        assert record.file is not None
        data = (acq.root / record.file).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (record.size, record.sha256)
    # Every collector ran: each artifact ended ok, failed or skipped with a reason.
    for record in acq.manifest.artifacts:
        assert record.status in (Status.OK, Status.FAILED, Status.SKIPPED), record
        if record.status == Status.SKIPPED:
            assert record.reason, record


@pytest.mark.parametrize("name", NAMES)
def test_parsed_evidence_equals_the_golden_file(
    collected: Callable[[str], Collected], name: str
) -> None:
    text = _dump(parsed_evidence(collected(name)))
    golden = GOLDEN / f"{name}.json"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"{golden} is missing: run with STALKERSCAN_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8"), (
        f"parsed evidence of {name} differs from {golden.relative_to(ROOT)}; after an intended "
        "change: STALKERSCAN_UPDATE_GOLDEN=1 python -m pytest tests/collect/test_profiles_golden.py"
    )


def test_every_golden_file_belongs_to_a_profile() -> None:
    """A profile removed or renamed leaves no stale golden file behind."""
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(NAMES)


def test_an_artifact_without_a_parser_is_an_error() -> None:
    with pytest.raises(KeyError, match="no evidence parser"):
        parser_for("something_new")
    assert parser_for("packages_disabled_u10") is parser_for("packages_u0")
