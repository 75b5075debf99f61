"""The guided scan: the texts, the wait for a phone (fake device listers), and the no-phone path of
`stalkerscan scan` driven in a pseudo-terminal (timeout: exit 3; Ctrl-C: exit 130, nothing left)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pexpect
import pytest
from demo.clisupport import cli_env, port_listening, processes_with, stalkerscan_argv
from rich.console import Console

from stalkerscan import guide
from stalkerscan.device.base import DeviceInfo, Transport
from stalkerscan.device.connect import ConnectOptions, DeviceLister
from stalkerscan.errors import ExitCode, MultipleDevicesError, NoDeviceError


class FakeLister(DeviceLister):
    """A device source whose phones appear after `appear_after` listings."""

    def __init__(
        self, transport: str, serials: list[str], appear_after: int = 0, state: str = "device"
    ) -> None:
        self.transport = transport
        self.serials = serials
        self.appear_after = appear_after
        self.state = state
        self.calls = 0

    def list(self, opts: ConnectOptions, *, probe: bool) -> list[DeviceInfo]:
        assert probe is False  # waiting must never connect to (and prompt on) a phone
        self.calls += 1
        if self.calls <= self.appear_after:
            return []
        return [
            DeviceInfo(serial=s, state=self.state, transport=self.transport) for s in self.serials
        ]

    def open(self, info: DeviceInfo, opts: ConnectOptions) -> Transport:
        raise AssertionError("waiting for a phone must not open it")


class ExplodingLister(FakeLister):
    def list(self, opts: ConnectOptions, *, probe: bool) -> list[DeviceInfo]:
        raise AssertionError("a HOST:PORT serial needs no listing")


def console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=100, force_terminal=False, highlight=False), buf


# -- texts ------------------------------------------------------------------------------------


def plain(sections: list[guide.Section]) -> str:
    con, buf = console()
    for s in sections:
        guide.print_section(con, s)
    return buf.getvalue()


def test_setup_guide_covers_each_maker_and_the_prompt() -> None:
    text = " ".join(plain(guide.setup_guide()).split())
    for maker in ("Google Pixel", "Samsung", "Xiaomi", "Huawei"):
        assert maker in text
    assert "Build number" in text and "MIUI version" in text
    assert "Software information" in text  # Samsung's extra level
    assert "USB debugging (Security settings)" in text and "Mi account" in text
    assert "Allow ADB debugging in charge only mode" in text
    assert '"Allow USB debugging?"' in text
    assert 'not tick "Always allow from this computer"' in text
    assert "does not install, remove or change anything" in text


def test_undo_steps_and_what_is_read() -> None:
    undo = " ".join(plain([guide.UNDO_STEPS]).split())
    assert "Revoke USB debugging authorisations" in undo
    assert "turn USB debugging off" in undo
    assert "Developer options off" in undo
    read = " ".join(plain([guide.WHAT_IS_READ]).split())
    assert "changes nothing on the phone" in read
    assert "does not read messages, photos, contacts" in read


def test_markup_in_texts_is_valid_and_not_shown() -> None:
    text = plain([*guide.setup_guide(), guide.UNDO_STEPS, guide.WHAT_IS_READ])
    assert "[bold" not in text and "[/" not in text


@pytest.mark.parametrize(
    ("serial", "local"),
    [
        ("127.0.0.1:40000", True),
        ("localhost:5037", True),
        ("192.168.1.20:5555", False),
        ("R58M123ABC", False),
        (None, False),
    ],
)
def test_is_local_simulation(serial: str | None, local: bool) -> None:
    assert guide.is_local_simulation(serial) is local


def test_after_scan_shows_reports_and_undo_for_a_real_phone(tmp_path: Path) -> None:
    con, buf = console()
    guide.print_after_scan(con, tmp_path / "reports" / "x", serial="R58M123ABC")
    out = " ".join(buf.getvalue().split())
    assert str(tmp_path / "reports" / "x") in out
    assert "report.html" in out
    assert "Revoke USB debugging authorisations" in out


def test_after_scan_of_the_simulated_phone_has_no_undo_steps(tmp_path: Path) -> None:
    con, buf = console()
    guide.print_after_scan(con, tmp_path, serial="127.0.0.1:40001")
    assert "report.html" in buf.getvalue()
    assert "Revoke" not in buf.getvalue()


# -- waiting (fake listers) ---------------------------------------------------------------------


def test_attached_phone_is_used_at_once_without_the_guide() -> None:
    con, buf = console()
    usb = FakeLister("usb", ["PHONE1"])
    assert guide.wait_for_phone(None, timeout=5, console=con, listers=[usb]) == "PHONE1"
    assert usb.calls == 1
    assert "Step 1" not in buf.getvalue()


def test_phone_plugged_in_while_waiting() -> None:
    con, buf = console()
    usb = FakeLister("usb", ["PHONE1"], appear_after=3)
    serial = guide.wait_for_phone(None, timeout=60, console=con, listers=[usb], poll_interval=0.001)
    assert serial == "PHONE1"
    assert usb.calls == 4
    out = buf.getvalue()
    assert "Step 1" in out and "Step 3" in out
    assert "A phone is connected." in out


def test_a_phone_that_needs_permission_is_handed_on() -> None:
    """A listed phone that is not ready yet (no permission) ends the wait: opening it then
    gives the precise error and its fix."""
    con, _ = console()
    usb = FakeLister("usb", ["PHONE1"], state="no permissions")
    assert guide.wait_for_phone(None, timeout=5, console=con, listers=[usb]) == "PHONE1"


def test_waits_for_the_named_serial_only() -> None:
    con, _ = console()
    usb = FakeLister("usb", ["OTHER"])
    later = FakeLister("adb-server", ["WANTED"], appear_after=2)
    serial = guide.wait_for_phone(
        "WANTED", timeout=60, console=con, listers=[usb, later], poll_interval=0.001
    )
    assert serial == "WANTED"


def test_several_phones_ask_for_a_serial() -> None:
    con, _ = console()
    with pytest.raises(MultipleDevicesError) as err:
        guide.wait_for_phone(None, timeout=5, console=con, listers=[FakeLister("usb", ["A", "B"])])
    assert err.value.serials == ["A", "B"]


def test_tcp_serial_needs_no_waiting() -> None:
    con, buf = console()
    lister = ExplodingLister("usb", [])
    assert (
        guide.wait_for_phone("127.0.0.1:40000", timeout=5, console=con, listers=[lister])
        == "127.0.0.1:40000"
    )
    assert guide.wait_for_phone(None, timeout=5, console=con, via="tcp", listers=[lister]) is None
    assert buf.getvalue() == ""


def test_via_adb_server_without_a_server_does_not_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The connection step then names the real problem (no adb server) with its fix."""
    from demo.clisupport import free_port

    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(free_port()))
    con, buf = console()
    assert guide.wait_for_phone(None, timeout=60, console=con, via="adb-server") is None
    assert buf.getvalue() == ""


def test_via_usb_ignores_the_adb_server() -> None:
    con, _ = console()
    server = FakeLister("adb-server", ["SRV"])
    usb = FakeLister("usb", ["USB1"], appear_after=1)
    got = guide.wait_for_phone(
        None, timeout=60, console=con, via="usb", listers=[server, usb], poll_interval=0.001
    )
    assert got == "USB1"
    assert server.calls == 0


def test_timeout_is_a_device_error_with_exit_3() -> None:
    con, buf = console()
    ticks = iter(range(0, 1000))
    usb = FakeLister("usb", ["never"], appear_after=10**6)
    with pytest.raises(NoDeviceError) as err:
        guide.wait_for_phone(
            None,
            timeout=5,
            console=con,
            listers=[usb],
            poll_interval=0.0,
            clock=lambda: float(next(ticks)),
        )
    assert err.value.exit_code == ExitCode.DEVICE
    assert "within 5 seconds" in err.value.message
    assert "--wait SECONDS" in (err.value.hint or "")
    assert 3 <= usb.calls <= 6
    assert "Step 2" in buf.getvalue()


# -- the CLI in a pseudo-terminal ---------------------------------------------------------------


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def spawn_scan(
    tmp_path: Path, cache: Path, *args: str
) -> tuple[pexpect.spawn, dict[str, str], io.StringIO]:
    env = cli_env(tmp_path, cache)
    argv = stalkerscan_argv("scan", "--out", str(tmp_path / "reports" / "scan1"), *args)
    transcript = io.StringIO()
    child = pexpect.spawn(
        argv[0],
        argv[1:],
        env=env,
        cwd=str(tmp_path),
        timeout=60,
        encoding="utf-8",
        dimensions=(60, 120),
    )
    child.logfile_read = transcript
    return child, env, transcript


def screen_text(transcript: io.StringIO) -> str:
    """What the person saw, without colours and line breaks."""
    return " ".join(ANSI.sub("", transcript.getvalue()).split())


def test_no_phone_guides_then_times_out_with_exit_3(tmp_path: Path, profile_cache: Path) -> None:
    child, env, transcript = spawn_scan(tmp_path, profile_cache, "--wait", "2")
    child.expect("Waiting for the phone")  # the spinner (a terminal: rich shows it)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == ExitCode.DEVICE
    seen = screen_text(transcript)
    steps = [
        "No phone is connected yet",
        "Step 1",
        "Samsung",
        "Xiaomi",
        "Huawei",
        "Step 2",
        "USB debugging (Security settings)",
        "Step 3",
        "Always allow from this computer",
        "No phone was connected within 2 seconds",
        "--wait SECONDS",
    ]
    positions = [seen.find(s) for s in steps]
    assert -1 not in positions, [s for s, p in zip(steps, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    # Nothing was written for a scan that never started, and nothing is left running.
    assert not (tmp_path / "reports").exists()
    assert processes_with(env) == []
    assert not port_listening(int(env["ANDROID_ADB_SERVER_PORT"]))


def test_ctrl_c_while_waiting_exits_130_and_leaves_nothing(
    tmp_path: Path, profile_cache: Path
) -> None:
    child, env, _ = spawn_scan(tmp_path, profile_cache, "--wait", "60")
    child.expect(r"Waiting for the phone[^\r\n]*?(\d+) s left")
    child.sendintr()
    child.expect(pexpect.EOF, timeout=15)
    child.close()
    assert child.exitstatus == ExitCode.INTERRUPTED, child.before
    assert not child.isalive()
    assert processes_with(env) == []
    assert not port_listening(int(env["ANDROID_ADB_SERVER_PORT"]))
    assert not (tmp_path / "reports").exists()


def test_scan_help_documents_wait(tmp_path: Path, profile_cache: Path) -> None:
    import subprocess

    out = subprocess.run(
        stalkerscan_argv("scan", "--help"),
        env=cli_env(tmp_path, profile_cache),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0
    assert re.search(r"--wait\s+SECONDS", out.stdout)
