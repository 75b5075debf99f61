"""`stalkerscan doctor`: each check against a prepared environment (udev rules folder, groups, a
fake USB backend, a listening "adb server", a feed store), and the CLI's output and exit code."""

from __future__ import annotations

import io
import os
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from demo.clisupport import cli_env, free_port, stalkerscan_argv
from rich.console import Console

from stalkerscan.commands import doctor
from stalkerscan.commands.doctor import FIX, NOTE, OK, WARN, Check, DoctorEnv
from stalkerscan.device.adbserver import ServerAddress
from stalkerscan.device.adbshell import UsbBackend, UsbCandidate
from stalkerscan.errors import ConfigError, DeviceError, ExitCode
from stalkerscan.indicators.paths import demo_dir

REPO = Path(__file__).resolve().parents[2]
UDEV_RULE = REPO / "docs" / "udev" / "51-android.rules"


class FakeUsb(UsbBackend):
    """USB phones as listed; never touches libusb."""

    def __init__(self, candidates: list[UsbCandidate] | None = None, broken: bool = False):
        self._candidates = candidates or []
        self._broken = broken

    def candidates(self) -> list[UsbCandidate]:
        if self._broken:
            raise DeviceError(
                "USB support is not available on this computer (no libusb).", "Install libusb."
            )
        return list(self._candidates)


@pytest.fixture(scope="module")
def feed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A feed store with one version installed (the packaged demo feed, imported as a feed)."""
    root = tmp_path_factory.mktemp("doctor-feed")
    env = cli_env(root, root / "cache")
    out = subprocess.run(
        stalkerscan_argv("indicators", "update", "--source", str(demo_dir())),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return Path(env["STALKERSCAN_INDICATORS_DIR"])


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("STALKERSCAN_DATA_DIR", str(path))
    return path


@pytest.fixture
def udev_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "rules.d"
    folder.mkdir()
    (folder / "51-android.rules").write_text(UDEV_RULE.read_text())
    return folder


@pytest.fixture
def listening() -> Iterator[ServerAddress]:
    """Something accepting connections where the adb server would be."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield ServerAddress("127.0.0.1", s.getsockname()[1])


def good_env(udev_dir: Path, feed_store: Path, **changes: object) -> DoctorEnv:
    env = DoctorEnv(
        platform="linux",
        udev_dirs=(udev_dir,),
        euid=1000,
        groups=lambda: ["staff"],
        usb_backend=FakeUsb,
        server=ServerAddress("127.0.0.1", free_port()),
        indicators_dir=feed_store,
    )
    for key, value in changes.items():
        setattr(env, key, value)
    return env


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_a_ready_computer_passes(udev_dir: Path, feed_store: Path, data_dir: Path) -> None:
    checks = doctor.run_checks(good_env(udev_dir, feed_store))
    assert [c.name for c in checks] == [
        "Python",
        "USB (libusb)",
        "USB permissions",
        "adb server",
        "Host key",
        "Data folder",
        "Indicator feed",
        "YARA rules",
    ]
    assert all(c.status == OK for c in checks), checks
    buf = io.StringIO()
    doctor.conclude(Console(file=buf, width=120), checks)
    assert "Ready to scan." in buf.getvalue()


def test_something_to_fix_is_exit_2(udev_dir: Path, feed_store: Path, data_dir: Path) -> None:
    checks = doctor.run_checks(good_env(udev_dir, feed_store, udev_dirs=()))
    with pytest.raises(ConfigError) as err:
        doctor.conclude(Console(file=io.StringIO()), checks)
    assert err.value.exit_code == ExitCode.USAGE
    assert "USB permissions" in err.value.message


def test_no_udev_rule(udev_dir: Path, feed_store: Path, data_dir: Path) -> None:
    check = doctor.check_usb_permissions(
        good_env(udev_dir, feed_store, udev_dirs=(udev_dir.parent,))
    )
    assert check.status == FIX
    assert "android-sdk-platform-tools-common" in check.fix
    assert "docs/udev/51-android.rules" in check.fix


def test_no_rule_but_an_attached_phone_opens(udev_dir: Path, feed_store: Path) -> None:
    ready = UsbCandidate("R58M0000", "1-3", readable=True)
    env = good_env(udev_dir, feed_store, udev_dirs=(), usb_backend=lambda: FakeUsb([ready]))
    assert doctor.check_usb_permissions(env).status == OK
    locked = UsbCandidate("usb:1-3", "1-3", readable=False)
    env.usb_backend = lambda: FakeUsb([locked])
    assert doctor.check_usb_permissions(env).status == FIX


def test_plugdev_rule_without_the_group(tmp_path: Path, feed_store: Path, data_dir: Path) -> None:
    folder = tmp_path / "plugdev"
    folder.mkdir()
    (folder / "51-android.rules").write_text(
        'SUBSYSTEM=="usb", ATTR{idVendor}=="18d1", MODE="0660", GROUP="plugdev"\n'
    )
    env = good_env(folder, feed_store)
    assert doctor.check_usb_permissions(env).status == FIX
    assert "usermod -aG plugdev" in doctor.check_usb_permissions(env).fix
    env.groups = lambda: ["plugdev", "staff"]
    assert doctor.check_usb_permissions(env).status == OK


def test_rules_for_other_devices_do_not_count(tmp_path: Path, feed_store: Path) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "70-printer.rules").write_text('ATTR{idVendor}=="03f0", MODE="0666"\n')
    assert doctor.check_usb_permissions(good_env(folder, feed_store)).status == FIX


def test_root_is_a_warning(udev_dir: Path, feed_store: Path) -> None:
    check = doctor.check_usb_permissions(good_env(udev_dir, feed_store, euid=0))
    assert check.status == WARN and "root" in check.detail


@pytest.mark.parametrize(("platform", "status"), [("darwin", OK), ("win32", NOTE)])
def test_other_systems(platform: str, status: str, udev_dir: Path, feed_store: Path) -> None:
    check = doctor.check_usb_permissions(good_env(udev_dir, feed_store, platform=platform))
    assert check.status == status
    if platform == "win32":
        assert "USB Driver" in check.fix


def test_phone_that_cannot_be_opened(udev_dir: Path, feed_store: Path) -> None:
    locked = UsbCandidate("usb:1-2", "1-2", readable=False)
    env = good_env(udev_dir, feed_store, usb_backend=lambda: FakeUsb([locked]))
    check = doctor.check_usb(env)
    assert check.status == FIX and "may not open" in check.detail
    ready = UsbCandidate("R58M0000", "1-3", readable=True)
    env.usb_backend = lambda: FakeUsb([ready])
    assert doctor.check_usb(env).status == OK


def test_libusb_missing(udev_dir: Path, feed_store: Path) -> None:
    env = good_env(udev_dir, feed_store, usb_backend=lambda: FakeUsb(broken=True))
    check = doctor.check_usb(env)
    assert check.status == FIX
    assert "Install libusb" in check.fix


def test_running_adb_server_is_named_with_the_way_out(
    udev_dir: Path, feed_store: Path, listening: ServerAddress
) -> None:
    check = doctor.check_adb_server(good_env(udev_dir, feed_store, server=listening))
    assert check.status == WARN
    assert str(listening.port) in check.detail
    assert "adb kill-server" in check.fix and "--via adb-server" in check.fix


def test_feed_missing_and_stale(tmp_path: Path, udev_dir: Path, feed_store: Path) -> None:
    missing = doctor.check_feed(good_env(udev_dir, feed_store, indicators_dir=tmp_path / "none"))
    assert missing.status == FIX
    assert "demo feed (for training only)" in missing.detail
    assert "stalkerscan indicators update" in missing.fix
    later = datetime.now(UTC) + timedelta(days=45)
    stale = doctor.check_feed(good_env(udev_dir, feed_store, now=later))
    assert stale.status == WARN and "45 days old" in stale.detail


def test_host_key_readable_by_others(data_dir: Path, udev_dir: Path, feed_store: Path) -> None:
    key = data_dir / "hostkey" / "adbkey"
    key.parent.mkdir(parents=True)
    key.write_text("not a real key")
    key.chmod(0o644)
    check = doctor.check_host_key(good_env(udev_dir, feed_store))
    assert check.status == FIX and "chmod 600" in check.fix
    key.chmod(0o600)
    assert doctor.check_host_key(good_env(udev_dir, feed_store)).status == OK


@pytest.mark.parametrize(("mode", "status"), [(0o700, OK), (0o755, WARN), (0o777, FIX)])
def test_data_folder_permissions(
    mode: int, status: str, data_dir: Path, udev_dir: Path, feed_store: Path
) -> None:
    data_dir.mkdir()
    os.chmod(data_dir, mode)
    assert doctor.check_data_dir(good_env(udev_dir, feed_store)).status == status


def test_broken_rules_are_to_fix(tmp_path: Path, udev_dir: Path, feed_store: Path) -> None:
    bad = tmp_path / "badrules"
    bad.mkdir()
    (bad / "x.yar").write_text("rule broken { condition: }\n")
    check = doctor.check_rules(good_env(udev_dir, feed_store, rules_dir=bad))
    assert check.status == FIX
    assert "stalkerscan rules check" in check.fix


def test_cli_on_a_fresh_computer(tmp_path: Path) -> None:
    """No feed installed: the feed line says how to install one, and the exit code is 2."""
    env = cli_env(tmp_path, tmp_path / "cache")
    out = subprocess.run(
        stalkerscan_argv("doctor"), env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == ExitCode.USAGE, out.stdout + out.stderr
    text = " ".join(out.stdout.split())
    for name in (
        "Python",
        "USB (libusb)",
        "USB permissions",
        "adb server",
        "Host key",
        "Data folder",
        "Indicator feed",
        "YARA rules",
    ):
        assert name in text
    assert "no feed is installed" in text
    assert "stalkerscan indicators update" in text
    assert "YARA rules" in text and "compile, meta complete" in text
    assert "Indicator feed" in out.stderr and "stalkerscan doctor" in out.stderr
