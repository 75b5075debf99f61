"""Allowlist tightenings found while building the transports (base: tests/test_allowlist.py)."""

from __future__ import annotations

import pytest

from stalkerscan.device.allowlist import check_command, is_safe_remote_path
from stalkerscan.errors import CommandRefused


@pytest.mark.parametrize(
    "command",
    [
        "getprop \\a",  # shlex would check `getprop a`; the shell's view may differ
        "pm list packages \\-f",
        "echo \\$?",
        "sha256sum /dev/watchdog",  # opening it can reboot the phone
        "sha256sum /proc/self/mem",
        "sha256sum /sys/power/state",
        "sha256sum /d/tracing/trace_pipe",
        "sha256sum /data/app/x/base.apk /dev/zero",
    ],
)
def test_refused(command: str) -> None:
    with pytest.raises(CommandRefused):
        check_command(command)


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ("/dev/watchdog", False),
        ("/proc/1/environ", False),
        ("/sys/kernel/debug", False),
        ("/d/x", False),
        ("/device/x.apk", True),  # only the exact roots are pseudo-filesystems
        ("/data/app/~~a==/org.example-b==/base.apk", True),
        ("/system/priv-app/Foo/Foo.apk", True),
    ],
)
def test_pseudo_filesystems_are_not_read(path: str, ok: bool) -> None:
    assert is_safe_remote_path(path) is ok


def test_what_the_transports_add_still_passes() -> None:
    # The exit-status echo appended by the adb-shell transport.
    check_command("dumpsys package 2>&1 ; echo SSX0123456789abcdefX$?")
