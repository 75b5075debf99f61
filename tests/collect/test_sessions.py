"""Issue 3's Done-when on the shipped profiles of 50, 300 and 5,000 packages, read from the
simulated phone's own command log:

- the collection opens the same number of shell sessions whatever the package count;
- every entry of the log is read-only: shell commands pass the allowlist, sync requests are
  STAT/LIST/RECV of safe paths (a sync session's opening is logged with an empty command;
  SEND would write to the phone and must never appear).

Hashing is measured apart, honestly: its sessions do not depend on the number of apps while the
paths fit one command line (10 and 500 user apps: one session, test_collect_simulated.py), and
beyond that they grow with the bytes of the paths, one session per 64 KiB command line (Linux
caps one `sh -c` argument at 128 KiB): the 5,000-package profile takes about 14.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from stalkerscan.collect import CollectOptions, collect
from stalkerscan.collect.hashing import (
    DEFAULT_MAX_COMMAND_BYTES,
    HashTarget,
    chunk_commands,
    command_limit,
)
from stalkerscan.collect.inventory import read_dumpsys_package, read_packages
from stalkerscan.device.allowlist import check_command, is_safe_remote_path
from stalkerscan.simulator import scenarios

from .conftest import build_profile
from .test_collect_simulated import phone_and_transport

PROFILES = {"small": 50, "typical": 300, "huge": 5000}
# Clean phones pull nothing; the covert scenario pulls its stalkerware, so sync is in a log too.
PULLING = "covert"
SHELL_KINDS = ("shell", "shell_v2", "exec")
READ_SYNC = ("STAT", "LIST", "RECV")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, list[Any]]]:
    """Each profile collected once (APKs pulled as selected; hashing measured below)."""
    out: dict[str, tuple[Any, list[Any]]] = {}
    base = tmp_path_factory.mktemp("sessions")
    for name in [*PROFILES, PULLING]:
        profile = scenarios.load(name).with_changes(link={})
        with phone_and_transport(profile) as (phone, transport):
            result = collect(transport, base / name, CollectOptions(hashing=False))
            log = phone.command_log.entries()
        assert result.complete, result.summary()
        out[name] = (result, log)
    return out


def test_profiles_have_the_package_counts_they_claim(runs: dict[str, Any]) -> None:
    from stalkerscan.evidence.pm_list import parse_pm_list_packages

    for name, count in PROFILES.items():
        result, _ = runs[name]
        record = result.manifest.artifact("packages_u0")
        assert record is not None and record.file is not None
        listed = parse_pm_list_packages((result.path / record.file).read_bytes()).packages
        assert len(listed) == count, (name, len(listed))


def test_collection_shell_sessions_are_the_same_for_50_300_and_5000_packages(
    runs: dict[str, Any],
) -> None:
    from_log = {name: sum(1 for e in runs[name][1] if e.kind in SHELL_KINDS) for name in PROFILES}
    from_manifest = {name: runs[name][0].manifest.session_counts() for name in PROFILES}
    assert len(set(from_log.values())) == 1, from_log
    # The manifest counts the same sessions as the phone saw, all of them collection sessions.
    for name, counts in from_manifest.items():
        assert counts == {"collect": from_log[name]}, (name, counts, from_log)
    assert from_log["huge"] <= 6, from_log  # identity, main lists, dumpsys package (+ fallbacks)


def test_every_entry_of_the_command_log_is_read_only(runs: dict[str, Any]) -> None:
    sync_requests = 0
    for name, (_, log) in runs.items():
        for e in log:
            if e.kind in SHELL_KINDS:
                check_command(e.command)  # raises CommandRefused for anything not read-only
            elif e.kind == "sync":
                if not e.command:
                    continue  # the opening of a sync session: no request yet
                verb, _, path = e.command.partition(" ")
                assert verb in READ_SYNC, (name, e.command)  # never SEND/DATA/DONE
                assert is_safe_remote_path(path), (name, e.command)
                sync_requests += 1
            else:
                pytest.fail(f"{name}: unexpected service {e.kind} {e.service!r} {e.command!r}")
    # The covert app was pulled, so the sync branch above was exercised, not vacuous.
    assert runs[PULLING][0].manifest.pulled_apks
    assert sync_requests > 0


def _hash_sessions(profile: Any, tmp: Path) -> tuple[int, list[str]]:
    with phone_and_transport(profile) as (phone, transport):
        result = collect(transport, tmp, CollectOptions(pull=False))
        log = phone.command_log.entries()
    assert result.complete
    commands = [e.command for e in log if e.kind in SHELL_KINDS and "sha256sum '" in e.command]
    return result.manifest.session_counts().get("hash", 0), commands


def test_hashing_5000_apps_is_bounded_by_the_bytes_of_the_paths(tmp_path: Path) -> None:
    """Not constant beyond one command line: one session per 64 KiB of quoted paths."""
    profile = build_profile(5200, 5000, with_splits=tuple(range(0, 5000, 5)))
    sessions, commands = _hash_sessions(profile, tmp_path / "acq")
    assert len(commands) == sessions
    # Every batch fits 64 KiB (the phone also sees the transport's short exit-status echo).
    assert all(len(c.encode()) <= DEFAULT_MAX_COMMAND_BYTES + 64 for c in commands)
    # The count is what packing the quoted paths by bytes gives, and no more.
    folder = tmp_path / "acq"
    apps = read_packages({0: folder / "raw" / "packages_u0.txt"})
    read_dumpsys_package(folder / "raw" / "dumpsys_package.txt", apps)
    targets = [
        HashTarget(a.package, p)
        for a in sorted(apps.values(), key=lambda a: a.package)
        if a.on_data
        for p in a.apk_paths()
    ]
    assert len(targets) == 6000  # 5,000 base APKs and 1,000 splits
    limit = command_limit(DEFAULT_MAX_COMMAND_BYTES)
    expected = len(chunk_commands(targets, limit))
    assert sessions == expected
    path_bytes = sum(len(t.remote_path) + 3 for t in targets)  # quotes and a space
    assert sessions <= math.ceil(path_bytes / (limit - len("sha256sum"))) + 1
    assert sessions > 1  # honest: hashing is not constant in the number of apps


@pytest.mark.parametrize("n_user_apps", [10, 500])
def test_hashing_fits_one_session_while_the_paths_fit_one_command_line(
    tmp_path: Path, n_user_apps: int
) -> None:
    sessions, commands = _hash_sessions(build_profile(n_user_apps + 50, n_user_apps), tmp_path)
    assert sessions == len(commands) == 1


def test_the_real_huge_profile_hashes_in_about_14_sessions() -> None:
    """The figure quoted in docs/acquisition.md, computed from the huge profile's own paths."""
    profile = scenarios.load("huge")
    paths = sorted(p for p in profile.files if p.startswith("/data/app/") and p.endswith(".apk"))
    chunks = chunk_commands(
        [HashTarget("p", p) for p in paths], command_limit(DEFAULT_MAX_COMMAND_BYTES)
    )
    assert 10 <= len(chunks) <= 20, len(chunks)
