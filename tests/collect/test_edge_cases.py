"""Refusals, caps, timeouts, interrupts and hostile sync servers."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pytest

from stalkerscan.collect import CollectOptions, Status, collect, load_manifest, verify_acquisition
from stalkerscan.device.base import StreamResult
from stalkerscan.errors import ExitCode
from stalkerscan.simulator.server import SimulatedPhone

from .conftest import ProfileTransport, build_profile
from .test_collect_simulated import phone_and_transport
from .test_faults import collect_args, run_cli


def test_refusals_and_missing_services_are_skipped_with_the_reason(tmp_path: Path) -> None:
    profile = build_profile(
        commands={
            "dumpsys account": {
                "text": "Permission Denial: can't dump AccountsManager from from pid=1, uid=2000"
                " without permission android.permission.DUMP\n"
            },
            "cmd package query-activities --brief --user 0 -a android.intent.action.MAIN "
            "-c android.intent.category.LAUNCHER": {
                "text": "Exception occurred while executing 'query-activities':\n"
                "java.lang.SecurityException: Shell does not have permission\n",
                "exit": 255,
            },
            "settings --user 0 list system": {"text": "Unknown command: list\n", "exit": 1},
        }
    )
    result = collect(ProfileTransport(profile), tmp_path / "acq", CollectOptions(pull=False))
    m = result.manifest
    assert result.complete
    expect = {
        "account": "refused by the phone",
        "launcher_u0": "refused by the phone",
        "role": "service not available",
        "settings_system_u0": "not supported",
    }
    for name, words in expect.items():
        record = m.artifact(name)
        assert record is not None and record.status == Status.SKIPPED, (name, record)
        assert words in (record.reason or ""), (name, record.reason)
    # The next collectors still ran.
    assert m.artifact("usagestats").status == Status.OK  # type: ignore[union-attr]


def test_outputs_over_the_cap_are_truncated_and_say_so(tmp_path: Path) -> None:
    big = "".join(f"usage line {i}\n" for i in range(5000))
    profile = build_profile(commands={"dumpsys usagestats": {"text": big}})
    out = tmp_path / "acq"
    options = CollectOptions(pull=False, max_artifact_bytes=4096)
    result = collect(ProfileTransport(profile), out, options)
    record = result.manifest.artifact("usagestats")
    assert record is not None and record.status == Status.TRUNCATED and record.truncated
    assert record.size == 4096 and "4096" in (record.reason or "")
    assert (out / "raw" / "usagestats.txt").read_bytes() == big.encode()[:4096]
    # The artifact after it in the same session is intact.
    assert result.manifest.artifact("users").status == Status.OK  # type: ignore[union-attr]
    assert verify_acquisition(out).ok


def test_a_session_that_times_out_is_failed_and_the_rest_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acq"
    profile = build_profile(faults={"hang_on_command": "dumpsys package"})
    with SimulatedPhone(profile, port=0) as phone:
        code, err = run_cli(collect_args(phone, out, "--session-timeout", "1"), capsys)
        assert code == ExitCode.INCOMPLETE, err
        m = load_manifest(out)
        assert m.artifact("dumpsys_package").status == Status.NOT_COLLECTED  # type: ignore[union-attr]
        assert m.hashing["status"] == "ok" and m.pull["status"] == "ok"
        assert m.stopped is not None and "dumpsys package" in m.stopped["stage"]
        assert "dumpsys_package" in err
        # Once the phone answers again, --resume fetches what is missing.
        phone.set_faults(hang_on_command=None)
        args = collect_args(phone, out)
        args[args.index("--out")] = "--resume"
        code, err = run_cli(args, capsys)
    assert code == 0, err
    assert load_manifest(out).complete and verify_acquisition(out).ok


def test_sync_server_sending_more_than_announced_keeps_nothing(tmp_path: Path) -> None:
    out = tmp_path / "acq"
    profile = build_profile(30, 4, faults={"sync_extra_bytes": 100_000})
    with phone_and_transport(profile) as (_, transport):
        result = collect(transport, out, CollectOptions())
    pulled = result.manifest.pulled_apks
    assert pulled
    for p in pulled:
        assert p.status == Status.FAILED and p.file is None
        assert "sync protocol" in (p.note or "")
    assert not list((out / "apks").iterdir())
    assert verify_acquisition(out).ok


def test_deep_without_sha256sum_hashes_pulled_apks_on_the_host(tmp_path: Path) -> None:
    binaries = ["sh", "echo", "pm", "dumpsys", "settings", "cmd", "getprop", "date", "which"]
    profile = build_profile(20, 3, binaries=binaries)
    result = collect(ProfileTransport(profile), tmp_path / "acq", CollectOptions(deep=True))
    m = result.manifest
    assert m.hashing["status"] == "skipped" and "--deep" in m.hashing["reason"]
    hashed = {h.remote_path: h for h in m.apk_hashes}
    for p in m.pulled_apks:
        assert hashed[p.remote_path].sha256 == p.sha256
        assert "this computer" in (hashed[p.remote_path].reason or "")


class InterruptingTransport(ProfileTransport):
    """Ctrl-C arrives during the second shell session."""

    def _shell_to_file(
        self, command: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> StreamResult:
        if len(self.commands) == 1:
            raise KeyboardInterrupt
        return super()._shell_to_file(command, sink, timeout=timeout, max_bytes=max_bytes)


def test_interrupt_leaves_a_valid_acquisition_that_says_so(tmp_path: Path) -> None:
    out = tmp_path / "acq"
    with pytest.raises(KeyboardInterrupt):
        collect(InterruptingTransport(build_profile()), out, CollectOptions())
    m = load_manifest(out)
    assert m.complete is False
    assert m.stopped is not None and "interrupted" in m.stopped["reason"]
    assert m.artifact("getprop").status == Status.OK  # type: ignore[union-attr]
    assert m.artifact("dumpsys_package").status == Status.NOT_COLLECTED  # type: ignore[union-attr]
    assert verify_acquisition(out).ok
