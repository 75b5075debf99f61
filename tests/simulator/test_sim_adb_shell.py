"""adb-shell (the library the transports use) against the simulated phone over real TCP."""

from __future__ import annotations

import hashlib
from pathlib import Path

from adb_shell.adb_device import AdbDeviceTcp
from sim_helpers import BIG_APK, BIG_SIZE, NOTES_APK

from stalkerscan.simulator.server import SimulatedPhone


def _device(phone: SimulatedPhone) -> AdbDeviceTcp:
    dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=5)
    dev.connect(rsa_keys=None, auth_timeout_s=2, read_timeout_s=5)
    return dev


def test_shell_v1_merges_stdout_and_stderr(phone: SimulatedPhone) -> None:
    dev = _device(phone)
    try:
        out = dev.shell("echo hi; getprop ro.product.model; nosuch; echo $?", read_timeout_s=5)
    finally:
        dev.close()
    assert out == "hi\nPixel 7\n/system/bin/sh: nosuch: inaccessible or not found\n127\n"
    assert phone.command_log.commands() == ["echo hi; getprop ro.product.model; nosuch; echo $?"]
    assert phone.stats.snapshot()["shell_sessions"] == 1


def test_exec_out_and_profile_file(phone: SimulatedPhone) -> None:
    dev = _device(phone)
    try:
        out = dev.exec_out("pm list users", read_timeout_s=5)
    finally:
        dev.close()
    assert out == "Users:\n\tUserInfo{0:Owner:c13} running\n"
    assert phone.command_log.entries()[0].kind == "exec"


def test_pull_20mb_generated_file_intact(phone: SimulatedPhone, tmp_path: Path) -> None:
    dev = _device(phone)
    target = tmp_path / "big.apk"
    try:
        st = dev.stat(BIG_APK)
        dev.pull(BIG_APK, str(target), read_timeout_s=10)
        remote_hash = dev.shell(f"sha256sum {BIG_APK}", read_timeout_s=10)
    finally:
        dev.close()
    data = target.read_bytes()
    assert st[1] == BIG_SIZE and len(data) == BIG_SIZE
    assert remote_hash == f"{hashlib.sha256(data).hexdigest()}  {BIG_APK}\n"
    assert phone.profile.files[BIG_APK].content.digest("sha256") == hashlib.sha256(data).hexdigest()


def test_stat_and_list(phone: SimulatedPhone) -> None:
    dev = _device(phone)
    try:
        mode, size, mtime = dev.stat(NOTES_APK)
        assert mtime == 1_700_000_000
        missing = dev.stat("/data/app/nope.apk")
        names = sorted(bytes(f.filename).decode() for f in dev.list("/data/app"))
    finally:
        dev.close()
    assert (mode & 0o170000, size) == (0o100000, 41)
    assert missing == (0, 0, 0)
    assert names == [".", "..", "~~YmF6cXV4==", "~~Zm9vYmFy==", "~~big=="]


def test_old_android_profile_limits(tmp_path: Path) -> None:
    from sim_helpers import MINIMAL, RawClient

    old = MINIMAL.parent / "test-android7"
    with SimulatedPhone(old) as phone:
        with RawClient(phone.port) as raw:
            reply = raw.connect(max_payload=1 << 20)  # what adb-shell offers
            assert reply is not None and reply.arg1 == 4096
        dev = _device(phone)
        try:
            assert dev.shell("dumpsys role") == "Can't find service: role\n"
            apk = "/data/app/org.example.notes-1/base.apk"
            assert dev.shell(f"sha256sum {apk}; echo $?").endswith(
                "sha256sum: inaccessible or not found\n127\n"
            )
            md5 = dev.shell(f"md5sum {apk}").split()[0]
            dev.pull(apk, str(tmp_path / "n.apk"))
        finally:
            dev.close()
    data = (tmp_path / "n.apk").read_bytes()
    assert len(data) == 100_000 and hashlib.md5(data).hexdigest() == md5
    assert b"shell_v2" not in phone.profile.banner()
