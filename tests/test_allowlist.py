"""The read-only allowlist accepts the commands we send and refuses everything else."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stalkerscan.device.allowlist import check_command, is_allowed, is_safe_remote_path
from stalkerscan.errors import CommandRefused

ALLOWED = [
    "getprop",
    "getenforce",
    "date +%s",
    "which su",
    "pm list users",
    "pm list packages -f -i -U -u --user 0",
    "pm list packages -d --user 10",
    "cmd package query-activities --brief --user 0 -a android.intent.action.MAIN"
    " -c android.intent.category.LAUNCHER",
    "dumpsys package",
    "dumpsys deviceidle whitelist",
    "settings --user 0 list secure",
    "settings get global package_verifier_enable",
    "sha256sum /data/app/~~a1==/com.example-b2==/base.apk /system/app/X/X.apk",
    "echo ==SS:1== ; getprop 2>/dev/null ; echo ==RC:$?==",
    "dumpsys role 2>&1 && echo ok || echo failed",
    "command -v sha256sum",
]

REFUSED = [
    "pm uninstall com.example",
    "pm clear com.example",
    "pm disable-user com.example",
    "pm install /sdcard/x.apk",
    "pm grant com.x android.permission.READ_SMS",
    "settings put global adb_enabled 0",
    "settings delete secure x",
    "am force-stop com.example",
    "am start -n com.x/.Main",
    "cmd package uninstall com.x",
    "dumpsys deviceidle whitelist +com.x",
    "dumpsys battery set level 5",
    "dumpsys batterystats --reset",
    "rm -rf /sdcard",
    "reboot",
    "getprop | sh",
    "getprop > /sdcard/x",
    "getprop; rm -rf /",
    "echo $(id)",
    "echo `id`",
    "sha256sum /data/app/../../x",
    "sha256sum relative/path.apk",
    "sha256sum /data/app/*/base.apk",
    "getprop\nreboot",
    "getprop &",
    "svc wifi disable",
    "setprop persist.x 1",
    "content insert --uri content://settings/secure",
    "input keyevent 26",
    "monkey -p com.x 1",
    "",
    ";",
    "getprop;",
    "pm list packages 'a b'",
    "echo ok 2>/sdcard/x",
]


@pytest.mark.parametrize("command", ALLOWED)
def test_read_only_commands_pass(command: str) -> None:
    check_command(command)


@pytest.mark.parametrize("command", REFUSED)
def test_changing_or_unsafe_commands_are_refused(command: str) -> None:
    with pytest.raises(CommandRefused):
        check_command(command)


@given(st.text(max_size=200))
def test_allowlist_never_crashes(command: str) -> None:
    # Any text either passes or is refused with CommandRefused; nothing else escapes.
    assert is_allowed(command) in (True, False)


@given(
    st.text(alphabet=" ab", max_size=3),
    # Quotes are not listed: quoting a safe word yields the same safe word in any shell.
    st.text(alphabet="|`<>()*?\n\\", min_size=1, max_size=4),
    st.text(alphabet=" ab", max_size=3),
)
def test_metacharacters_after_a_safe_command_are_refused(pre: str, meta: str, post: str) -> None:
    assert not is_allowed("getprop " + pre + meta + post)


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ("/data/app/com.x-1/base.apk", True),
        ("/data/app/~~Ab_-==/com.x-Zz==/split_config.arm64_v8a.apk", True),
        ("/data/app/../x", False),
        ("/data//app", False),
        ("data/app/x.apk", False),
        ("/data/app/x y.apk", False),
        ("/data/app/x;rm.apk", False),
        ("/data/app/x\n.apk", False),
    ],
)
def test_remote_paths(path: str, ok: bool) -> None:
    assert is_safe_remote_path(path) is ok
