"""Issue 9 item 3, read-only proven by a property: whatever scenario, collectors, flags, limits
and faults, and whether it resumes, a collection sends the simulated phone nothing but
allowlisted read-only commands and read-only sync requests.

Hypothesis draws the scenario (every shipped spec but the two huge ones, which the long run
covers through tests/hardening/test_huge_outputs.py), a subset of the collectors, hashing,
pulling, --deep, the pull and per-command byte caps, the session timeout, a disconnect fault
and a resume. CI runs a few examples per run (different ones each run); `HYPOTHESIS_PROFILE=long`
runs hundreds (fuzz/README.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import log_violations

from stalkerscan.collect.collectors import REGISTRY
from stalkerscan.collect.pipeline import CollectOptions, collect
from stalkerscan.device.connect import open_transport
from stalkerscan.errors import StalkerscanError
from stalkerscan.simulator import scenarios
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone

SCENARIOS = [i.name for i in scenarios.list_profiles() if i.name not in ("huge", "hostile-huge")]
_counter = itertools.count()

options_st = st.fixed_dictionaries(
    {
        "scenario": st.sampled_from(SCENARIOS),
        "collectors": st.lists(st.sampled_from(REGISTRY), unique_by=lambda c: c.name),
        "hashing": st.booleans(),
        "pull": st.booleans(),
        "deep": st.booleans(),
        "max_pull_bytes": st.sampled_from([0, 1 << 20, 8 << 20]),
        "max_command_bytes": st.sampled_from([None, 4096]),
        "fault": st.sampled_from(
            [
                None,
                {"drop_after_commands": 2},
                {"drop_on_command": "dumpsys"},
                {"drop_in_sync_after_bytes": 100},
                {"sync_extra_bytes": 10},
            ]
        ),
        "resume": st.booleans(),
    }
)


def run_collect(phone: SimulatedPhone, out: Path, draw: dict[str, Any], resume: bool) -> None:
    """One in-process collection over TCP with the drawn options (errors are fine here)."""
    chosen = draw["collectors"]
    # An empty draw means "the full registry", the CLI's default.
    collectors = tuple(c for c in REGISTRY if c in chosen) if chosen else REGISTRY
    kwargs: dict[str, Any] = {}
    if draw["max_command_bytes"] is not None:
        kwargs["max_command_bytes"] = draw["max_command_bytes"]
    options = CollectOptions(
        hashing=draw["hashing"],
        pull=draw["pull"],
        deep=draw["deep"],
        max_pull_bytes=draw["max_pull_bytes"],
        session_timeout=20.0,
        pull_timeout=20.0,
        resume=resume,
        collectors=collectors,
        **kwargs,
    )
    try:
        transport = open_transport(phone.serial_tcp, via="tcp", timeout=10)
    except StalkerscanError:
        return
    try:
        collect(transport, out, options)
    except StalkerscanError:
        pass  # a disconnect or refusal is an outcome; what matters is what the phone saw
    finally:
        transport.close()


@pytest.mark.usefixtures("_host_key_dir")
@pytest.mark.proves(
    "read-only",
    "property test (hypothesis): any shipped scenario x any subset of collectors x "
    "hash/pull/deep x byte caps x disconnect/sync faults x resume, in-process over TCP",
    "every command in the phone's log passes the allowlist; sync only STAT/RECV; no install, "
    "uninstall, clear, disable, kill, settings put or push",
)
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(draw=options_st)
def test_every_command_path_is_read_only(
    draw: dict[str, Any], scenario: Callable[[str], Path], tmp_path: Path
) -> None:
    # No simulated latency: what is sent matters here, not how long the phone takes to hash.
    profile = Profile.load(scenario(draw["scenario"])).with_changes(link={})
    if draw["fault"]:
        profile = profile.with_changes(faults=draw["fault"])
    out = tmp_path / f"acq-{next(_counter)}"
    with SimulatedPhone(profile) as phone:
        run_collect(phone, out, draw, resume=False)
        if draw["resume"] and (out / "manifest.json").exists():
            phone.set_faults()  # the cable is back
            run_collect(phone, out, draw, resume=True)
        log = phone.command_log.entries()
    assert log_violations(log) == []


@pytest.mark.parametrize(
    ("kind", "command"),
    [
        ("shell", "pm uninstall org.example.app"),
        ("shell", "settings put global adb_enabled 0"),
        ("shell", "pm clear org.example.app"),
        ("shell", "am force-stop org.example.app"),
        ("shell", "getprop; reboot"),
        ("exec", "rm -rf /sdcard"),
        ("sync", "SEND /data/local/tmp/x,33206"),
        ("refused", "reboot:"),
    ],
)
def test_the_checker_catches_changing_commands(kind: str, command: str) -> None:
    from stalkerscan.simulator.server import LogEntry

    entry = LogEntry(0.0, 1, "127.0.0.1:1", kind, kind, command)
    assert log_violations([entry]) != []
