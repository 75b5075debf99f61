"""The read-only guarantee at the transport: nothing reaches the phone without the allowlist."""

from __future__ import annotations

import io
from typing import BinaryIO

import pytest
from devsupport import SMALL_APK

from stalkerscan.device.allowlist import check_command, is_safe_remote_path
from stalkerscan.device.base import RemoteStat, ShellResult, StreamResult, Transport
from stalkerscan.errors import CommandRefused
from stalkerscan.simulator.server import SimulatedPhone

CHANGING = [
    "pm uninstall org.example.notes",
    "settings put global adb_enabled 0",
    "getprop ; reboot",
    "am force-stop org.example.notes",
    "dumpsys deviceidle whitelist +org.example.notes",
]


class RecordingTransport(Transport):
    """A fake transport that records what reaches the concrete methods."""

    def __init__(self) -> None:
        super().__init__("FAKE")
        self.reached: list[str] = []

    def _shell(self, command: str, *, timeout: float, max_bytes: int | None) -> ShellResult:
        self.reached.append(command)
        return ShellResult(stdout=b"", exit_code=0)

    def _shell_to_file(
        self, command: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> StreamResult:
        self.reached.append(command)
        return StreamResult(size=0, exit_code=0)

    def _pull(
        self, remote_path: str, sink: BinaryIO, *, timeout: float, max_bytes: int | None
    ) -> int:
        self.reached.append(remote_path)
        return 0

    def _stat(self, remote_path: str, *, timeout: float) -> RemoteStat | None:
        self.reached.append(remote_path)
        return None

    def close(self) -> None:
        pass


@pytest.mark.parametrize("command", CHANGING)
def test_the_public_api_refuses_before_the_subclass_sees_anything(command: str) -> None:
    t = RecordingTransport()
    with pytest.raises(CommandRefused):
        t.shell(command, timeout=1)
    with pytest.raises(CommandRefused):
        t.shell_to_file(command, io.BytesIO(), timeout=1)
    with pytest.raises(CommandRefused):
        t.pull("/data/app/../../data/system/x", io.BytesIO(), timeout=1)
    with pytest.raises(CommandRefused):
        t.stat("relative/path", timeout=1)
    assert t.reached == []
    assert t.stats.shell_sessions == 0


def test_a_subclass_cannot_redefine_the_gate() -> None:
    with pytest.raises(TypeError, match="bypass the read-only allowlist"):

        class Sneaky(RecordingTransport):
            def shell(
                self, command: str, *, timeout: float, max_bytes: int | None = None
            ) -> ShellResult:
                return self._shell(command, timeout=timeout, max_bytes=max_bytes)

    with pytest.raises(TypeError, match="pull"):

        class SneakyPull(RecordingTransport):
            def pull(
                self,
                remote_path: str,
                sink: BinaryIO,
                *,
                timeout: float,
                max_bytes: int | None = None,
            ) -> int:
                return 0


def test_refused_commands_never_reach_the_simulated_phone(
    transport: Transport, phone: SimulatedPhone
) -> None:
    for command in CHANGING:
        with pytest.raises(CommandRefused):
            transport.shell(command, timeout=5)
    assert phone.command_log.commands() == []


# What the collectors send (docs/architecture.md), plus a marker batch as `collect` joins them.
ALLOWED_SESSION = [
    "getprop",
    "getenforce",
    "date +%s",
    "which su",
    "which sha256sum",
    "pm list users",
    "pm list packages -f -i -U -u --user 0",
    "pm list packages -d --user 0",
    "cmd package query-activities --brief --user 0 -a android.intent.action.MAIN"
    " -c android.intent.category.LAUNCHER",
    "dumpsys package",
    "dumpsys device_policy",
    "dumpsys accessibility",
    "dumpsys role",
    "dumpsys deviceidle whitelist",
    "settings list global",
    "settings --user 0 list secure",
    f"sha256sum {SMALL_APK}",
    "echo ==SS:1== ; getprop ro.product.model 2>/dev/null ; echo ==RC:$?==",
]


def test_every_command_the_phone_logged_passes_the_allowlist(
    transport: Transport, phone: SimulatedPhone
) -> None:
    for command in ALLOWED_SESSION:
        transport.shell(command, timeout=10)
    transport.shell_to_file("dumpsys package", io.BytesIO(), timeout=10)
    transport.stat(SMALL_APK, timeout=5)
    transport.pull(SMALL_APK, io.BytesIO(), timeout=5)

    entries = phone.command_log.entries()
    shell_entries = [e for e in entries if e.kind in ("shell", "shell_v2", "exec")]
    # A sync session is logged once when opened (no command), then once per request.
    sync_entries = [e for e in entries if e.kind == "sync" and e.command]
    assert len(shell_entries) == len(ALLOWED_SESSION) + 1
    assert {e.kind for e in entries} <= {"shell", "sync"}
    for entry in shell_entries:
        check_command(entry.command)  # raises CommandRefused if anything slipped through
        # What the phone ran is what we asked for, plus only the exit-status echo.
        assert entry.command.rsplit(" ; echo ", 1)[0] in [*ALLOWED_SESSION, "dumpsys package"]
    assert sync_entries, "stat and pull must appear in the log"
    for entry in sync_entries:
        verb, _, path = entry.command.partition(" ")
        assert verb in ("STAT", "RECV", "LIST") and is_safe_remote_path(path)
