"""`collect` against the simulated phone over real TCP and the real ADB protocol."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from stalkerscan.collect import (
    CollectOptions,
    Status,
    collect,
    load_manifest,
    verify_acquisition,
)
from stalkerscan.device.allowlist import is_allowed
from stalkerscan.device.base import Transport
from stalkerscan.simulator.profile import Profile
from stalkerscan.simulator.server import SimulatedPhone

from .conftest import app_dir, build_profile, file_mode

MINIMAL = Path(__file__).resolve().parents[2] / "fixtures" / "profiles" / "minimal"


@contextmanager
def phone_and_transport(profile: Profile | Path) -> Iterator[tuple[SimulatedPhone, Transport]]:
    """A running simulated phone and a connected adb-shell transport to it."""
    from stalkerscan.device.connect import open_transport

    with SimulatedPhone(profile, port=0) as phone:
        transport = open_transport(phone.serial_tcp, via="tcp", timeout=10)
        try:
            yield phone, transport
        finally:
            transport.close()


def shell_commands(phone: SimulatedPhone) -> list[str]:
    """The shell commands the phone received (sync requests excluded)."""
    return [e.command for e in phone.command_log.entries() if e.kind == "shell"]


def test_minimal_profile_acquisition_verifies(tmp_path: Path) -> None:
    out = tmp_path / "acq"
    with phone_and_transport(MINIMAL) as (_, transport):
        result = collect(transport, out, CollectOptions())
    assert result.complete and result.error is None
    report = verify_acquisition(out)
    assert report.ok, report.problems
    assert report.files_checked >= 20
    m = load_manifest(out)
    assert m.complete is True
    assert m.device.device_serial == "SIM-MINIMAL-14"
    assert m.device.serial == transport.serial
    assert m.device.model == "Pixel 7"
    assert m.device_time == 1763600000
    # The minimal profile answers some commands and not others: each is recorded honestly.
    assert m.artifact("packages_u0") is not None
    assert m.artifact("packages_u0").status == Status.OK  # type: ignore[union-attr]
    role = m.artifact("role")
    assert role is not None and role.status == Status.OK
    accessibility = m.artifact("accessibility")
    assert accessibility is not None and accessibility.status == Status.SKIPPED
    assert accessibility.reason and "not available" in accessibility.reason
    settings_global = m.artifact("settings_global")
    assert settings_global is not None and settings_global.status == Status.FAILED
    assert settings_global.exit_code == 255
    # Both user apps were hashed on the phone; the hashes are the files' real digests.
    from stalkerscan.simulator.profile import Profile as P

    prof = P.load(MINIMAL)
    for h in m.apk_hashes:
        assert h.sha256 == prof.files[h.remote_path].content.digest("sha256")


def test_manifest_fields_and_modes(tmp_path: Path) -> None:
    out = tmp_path / "acq"
    with phone_and_transport(build_profile()) as (_, transport):
        collect(transport, out, CollectOptions())
    assert file_mode(out) == 0o700
    for sub in ("raw", "apks"):
        assert file_mode(out / sub) == 0o700
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files
    assert all(file_mode(p) == 0o600 for p in files), [(p, oct(file_mode(p))) for p in files]
    data = json.loads((out / "manifest.json").read_text())
    assert data["schema"] == "stalkerscan.acquisition" and data["schema_version"] == 1
    assert data["tool"]["name"] == "stalkerscan"
    for record in data["artifacts"]:
        for key in ("name", "command", "user", "exit_code", "stderr", "size", "sha256"):
            assert key in record
        assert {"status", "duration_s"} <= set(record)


def test_every_command_sent_is_on_the_allowlist(tmp_path: Path) -> None:
    with phone_and_transport(build_profile(users=(0, 10))) as (phone, transport):
        collect(transport, tmp_path / "acq", CollectOptions(deep=True))
        commands = shell_commands(phone)
    assert commands
    for command in commands:
        assert is_allowed(command), command
    # Per-user commands ran for both users, in the same sessions.
    joined = "\n".join(commands)
    assert "--user 10 list secure" in joined and "--user 0 list secure" in joined


def _sessions(n_packages: int, n_user_apps: int, tmp_path: Path) -> tuple[int, dict[str, int]]:
    profile = build_profile(n_packages, n_user_apps)
    out = tmp_path / f"acq-{n_packages}-{n_user_apps}"
    with phone_and_transport(profile) as (phone, transport):
        result = collect(transport, out, CollectOptions())
        sessions = len(shell_commands(phone))
    assert result.complete
    assert verify_acquisition(out).ok
    return sessions, result.manifest.session_counts()


def test_session_count_is_constant_in_the_number_of_packages(tmp_path: Path) -> None:
    counts = {n: _sessions(n, min(n // 2, 300), tmp_path) for n in (50, 300, 5000)}
    totals = {n: c[0] for n, c in counts.items()}
    assert len(set(totals.values())) == 1, counts
    assert totals[5000] <= 6, counts  # identity, main, package, hashing
    assert counts[5000][1] == {"collect": 3, "hash": 1}, counts


def test_hashing_sessions_are_the_same_for_10_and_500_user_apps(tmp_path: Path) -> None:
    ten = _sessions(60, 10, tmp_path)[1]
    five_hundred = _sessions(550, 500, tmp_path)[1]
    assert ten["hash"] == five_hundred["hash"] == 1


def test_small_payload_phone_gets_smaller_hash_commands(tmp_path: Path) -> None:
    """An old phone (4 KiB ADB payload) cannot take a 64 KiB command line."""
    profile = build_profile(120, 100, max_payload=4096)
    with phone_and_transport(profile) as (phone, transport):
        result = collect(transport, tmp_path / "acq", CollectOptions(pull=False))
        hash_commands = [c for c in shell_commands(phone) if "sha256sum" in c]
    assert result.complete
    assert len(hash_commands) > 1
    assert all(len(c.encode()) <= 4096 for c in hash_commands)
    assert sum(1 for h in result.manifest.apk_hashes if h.sha256) == 101  # 100 + one split


def test_unsafe_remote_paths_are_never_sent(tmp_path: Path) -> None:
    evil = (
        ("org.example.evila", "/data/app/x/../../../etc/base.apk", "null"),
        ("org.example.evilb", "/data/app/x;reboot/base.apk", "null"),
        ("org.example.evilc", "/data/app/$(id)/base.apk", "null"),
    )
    profile = build_profile(extra_packages=evil)
    with phone_and_transport(profile) as (phone, transport):
        result = collect(transport, tmp_path / "acq", CollectOptions(deep=True))
        log = [e.command for e in phone.command_log.entries()]
    assert result.complete
    for _, path, _ in evil:
        assert all(path not in entry for entry in log), path
    skipped = {h.remote_path: h for h in result.manifest.apk_hashes}
    for _, path, _ in evil:
        assert skipped[path].status == Status.SKIPPED
        assert "never sent" in (skipped[path].reason or "")


def test_selective_pull_picks_the_right_apps_with_safe_names(tmp_path: Path) -> None:
    out = tmp_path / "acq"
    profile = build_profile(
        40, 8, sideloaded=(1,), hidden=(2,), with_splits=(3,), accessibility=(4,)
    )
    with phone_and_transport(profile) as (_, transport):
        result = collect(transport, out, CollectOptions())
    pulled = result.manifest.pulled_apks
    by_package: dict[str, list[str]] = {}
    for p in pulled:
        by_package.setdefault(p.package, []).extend(r.split(":")[0] for r in p.reasons)
    assert set(by_package) == {"org.example.app0001", "org.example.app0002", "org.example.app0004"}
    assert "sideloaded" in by_package["org.example.app0001"]
    assert "hidden" in by_package["org.example.app0002"]
    assert "sensitive-grant" in by_package["org.example.app0004"]
    for p in pulled:
        assert p.status == Status.OK and p.verified, p
        assert p.file is not None and re.fullmatch(r"apks/\d{4}\.apk", p.file)
        assert (out / p.file).read_bytes() == profile.files[p.remote_path].content.read_all()
    # The store apps with an icon and no grant stay on the phone.
    assert "org.example.app0005" not in by_package


def test_deep_pulls_every_app_on_data_including_splits(tmp_path: Path) -> None:
    profile = build_profile(30, 6, with_splits=(3,))
    with phone_and_transport(profile) as (phone, transport):
        result = collect(transport, tmp_path / "acq", CollectOptions(deep=True))
        shells = [e for e in phone.command_log.entries() if e.kind == "shell"]
        conns = {e.conn for e in phone.command_log.entries()}
    paths = {p.remote_path for p in result.manifest.pulled_apks}
    assert f"{app_dir(3)}/split_config.en.apk" in paths
    assert len(paths) == 7  # six base APKs and one split
    assert all(p.verified for p in result.manifest.pulled_apks)
    assert len(conns) == 1  # one connection for everything, pulls included
    assert len(shells) == 4


def test_pull_size_cap_is_respected(tmp_path: Path) -> None:
    profile = build_profile(30, 6)
    with phone_and_transport(profile) as (_, transport):
        result = collect(transport, tmp_path / "acq", CollectOptions(deep=True, max_pull_bytes=60))
    pulled = [p for p in result.manifest.pulled_apks if p.status == Status.OK]
    capped = [p for p in result.manifest.pulled_apks if p.status == Status.SKIPPED]
    assert sum(p.size for p in pulled) <= 60
    assert capped and all("limit" in (p.note or "") for p in capped)


def test_account_names_are_masked_before_they_touch_the_disk(tmp_path: Path) -> None:
    out = tmp_path / "acq"
    with phone_and_transport(build_profile()) as (_, transport):
        collect(transport, out, CollectOptions(pull=False))
    account = load_manifest(out).artifact("account")
    assert account is not None and account.status == Status.OK and account.masked
    for path in out.rglob("*"):
        if path.is_file():
            assert b"alex.fictional" not in path.read_bytes(), path
    assert b"com.google" in (out / "raw" / "account.txt").read_bytes()


@pytest.mark.parametrize(
    "missing", [["sh", "echo", "pm", "dumpsys", "settings", "cmd", "getprop", "date", "which"]]
)
def test_no_sha256sum_records_hashing_as_skipped(tmp_path: Path, missing: list[str]) -> None:
    profile = build_profile(binaries=missing)
    with phone_and_transport(profile) as (phone, transport):
        result = collect(transport, tmp_path / "acq", CollectOptions(pull=False))
        commands = shell_commands(phone)
    assert result.complete
    assert result.manifest.hashing["status"] == "skipped"
    assert "sha256sum" in result.manifest.hashing["reason"]
    assert not any("sha256sum /" in c for c in commands)
    assert all(h.status == Status.SKIPPED for h in result.manifest.apk_hashes)


def test_two_phones_at_once_do_not_mix(tmp_path: Path) -> None:
    """Two collections in parallel threads, one per phone: each folder holds its own phone."""
    import threading

    profiles = {"a": build_profile(40, 5), "b": build_profile(80, 12)}
    results: dict[str, object] = {}

    def run(key: str, phone: SimulatedPhone) -> None:
        from stalkerscan.device.connect import open_transport

        transport = open_transport(phone.serial_tcp, via="tcp", timeout=10)
        try:
            results[key] = collect(transport, tmp_path / key, CollectOptions())
        finally:
            transport.close()

    with SimulatedPhone(profiles["a"], port=0) as pa, SimulatedPhone(profiles["b"], port=0) as pb:
        threads = [threading.Thread(target=run, args=(k, p)) for k, p in (("a", pa), ("b", pb))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        serials = {"a": pa.serial_tcp, "b": pb.serial_tcp}
    for key, user_apps in (("a", 5), ("b", 12)):
        m = load_manifest(tmp_path / key)
        assert m.complete and m.device.serial == serials[key]
        assert len(m.apk_hashes) == user_apps + 1  # one app has a split
        assert verify_acquisition(tmp_path / key).ok
        answer = profiles[key].lookup_command(
            ["pm", "list", "packages", "-f", "-i", "-U", "-u", "--user", "0"]
        )
        assert answer is not None and answer.stdout is not None
        saved = (tmp_path / key / "raw" / "packages_u0.txt").read_bytes()
        assert saved == answer.stdout.read_all()
