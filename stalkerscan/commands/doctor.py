"""`stalkerscan doctor`: check this computer before a scan, and say what to fix.

Each check returns a `Check` (ok, note, warn, fix) with what it found and, when something is
wrong, what to do. `fix` means a scan would fail or miss things (exit 2); `warn` means it works
but deserves attention. The checks take a `DoctorEnv`, so tests can point them at a folder of
udev rules, a group list or a fake USB backend instead of this machine's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from stalkerscan.commands._options import IndicatorsDirOption

if TYPE_CHECKING:
    from rich.console import Console

    from stalkerscan.device.adbserver import ServerAddress
    from stalkerscan.device.adbshell import UsbBackend

OK, NOTE, WARN, FIX = "ok", "note", "warn", "fix"
STALE_DAYS = 30
MIN_PYTHON = (3, 11)
UDEV_DIRS = (
    Path("/etc/udev/rules.d"),
    Path("/run/udev/rules.d"),
    Path("/lib/udev/rules.d"),
    Path("/usr/lib/udev/rules.d"),
)
# USB vendor ids of Android makers that udev rule sets list (Google, Samsung, Xiaomi, Huawei...).
ANDROID_VENDORS = (
    "18d1",
    "04e8",
    "2717",
    "12d1",
    "22b8",
    "0bb4",
    "2a70",
    "22d9",
    "1004",
    "2d95",
    "0fce",
    "2e04",
)

HINT_UDEV = (
    "Install the Android udev rules: on Debian or Ubuntu `sudo apt-get install "
    "android-sdk-platform-tools-common`; on Fedora `sudo dnf install android-tools`; on Arch "
    "`sudo pacman -S android-udev`. Or copy docs/udev/51-android.rules from the stalkerscan "
    "repository to /etc/udev/rules.d/ and run `sudo udevadm control --reload-rules`. Then "
    "unplug and replug the phone."
)


@dataclass(frozen=True)
class Check:
    """One line of the doctor's answer."""

    name: str
    status: str  # ok, note, warn, fix
    detail: str
    fix: str = ""


@dataclass
class DoctorEnv:
    """What the checks look at; the defaults are this computer."""

    platform: str = sys.platform
    udev_dirs: tuple[Path, ...] = UDEV_DIRS
    euid: int | None = field(
        default_factory=lambda: os.geteuid() if hasattr(os, "geteuid") else None
    )
    groups: Callable[[], list[str]] | None = None
    usb_backend: Callable[[], UsbBackend] | None = None
    server: ServerAddress | None = None
    indicators_dir: Path | None = None
    rules_dir: Path | None = None  # default: the project's rules (packaged or rules/)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def group_names(self) -> list[str]:
        """The current user's groups (names)."""
        if self.groups is not None:
            return self.groups()
        try:
            import grp

            return sorted({grp.getgrgid(g).gr_name for g in os.getgroups()})
        except (ImportError, KeyError, OSError):
            return []

    def backend(self) -> UsbBackend:
        """The libusb backend (imports libusb only when called)."""
        if self.usb_backend is not None:
            return self.usb_backend()
        from stalkerscan.device.adbshell import UsbBackend

        return UsbBackend()


# -- the checks --------------------------------------------------------------------------------


def check_python(env: DoctorEnv) -> Check:
    """Python is recent enough."""
    v = sys.version_info
    version = f"{v.major}.{v.minor}.{v.micro}"
    if (v.major, v.minor) < MIN_PYTHON:
        return Check("Python", FIX, f"Python {version}", "Install Python 3.11 or newer.")
    return Check("Python", OK, f"Python {version}")


def check_usb(env: DoctorEnv) -> Check:
    """libusb loads, and every attached phone with USB debugging can be opened."""
    from stalkerscan.errors import DeviceError

    try:
        candidates = env.backend().candidates()
    except DeviceError as err:
        return Check("USB (libusb)", FIX, err.message, err.hint or "")
    if not candidates:
        return Check("USB (libusb)", OK, "libusb works; no phone with USB debugging is plugged in")
    locked = [c for c in candidates if not c.readable]
    if locked:
        return Check(
            "USB (libusb)",
            FIX,
            f"{len(locked)} phone(s) with USB debugging are plugged in, but this user may not "
            "open them",
            HINT_UDEV if env.platform.startswith("linux") else "Check the phone's USB driver.",
        )
    return Check(
        "USB (libusb)", OK, f"libusb works; {len(candidates)} phone(s) with USB debugging found"
    )


def _android_udev_rules(dirs: tuple[Path, ...]) -> list[tuple[Path, str]]:
    """(file, text) of udev rule files that give access to Android phones."""
    found = []
    for folder in dirs:
        try:
            files = sorted(folder.glob("*.rules"))
        except OSError:
            continue
        for path in files:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")[:200_000]
            except OSError:
                continue
            low = text.lower()
            if "idvendor" in low and any(f'"{v}"' in low for v in ANDROID_VENDORS):
                found.append((path, low))
    return found


def _an_attached_phone_opens(env: DoctorEnv) -> bool:
    """True when a phone with USB debugging is plugged in and libusb may open it."""
    from stalkerscan.errors import DeviceError

    try:
        return any(c.readable for c in env.backend().candidates())
    except DeviceError:
        return False


def check_usb_permissions(env: DoctorEnv) -> Check:
    """On Linux, a udev rule (and, for group rules, membership of that group) opens phones."""
    name = "USB permissions"
    if env.platform == "darwin":
        return Check(name, OK, "macOS needs no USB driver or rule for Android phones")
    if env.platform.startswith("win"):
        return Check(
            name,
            NOTE,
            "Windows needs a USB driver for the phone",
            "Install the Google USB Driver (Pixel) or the phone maker's driver (Samsung, "
            "Xiaomi, Huawei...), then check the phone appears in `stalkerscan devices`.",
        )
    if not env.platform.startswith("linux"):
        return Check(name, NOTE, f"not checked on {env.platform}")
    rules = _android_udev_rules(env.udev_dirs)
    if env.euid == 0:
        return Check(
            name,
            WARN,
            "running as root: USB access works, but a support worker should not scan as root",
            (
                "Install the udev rules and run stalkerscan as a normal user. " + HINT_UDEV
                if not rules
                else "Run stalkerscan as a normal user."
            ),
        )
    if not rules:
        if _an_attached_phone_opens(env):  # access granted some other way (a distro's own rule)
            return Check(name, OK, "an attached phone can be opened by this user")
        return Check(name, FIX, "no udev rule gives this user access to Android phones", HINT_UDEV)
    groups = set(env.group_names())
    if any("uaccess" in text for _, text in rules):
        return Check(name, OK, f"udev rule {rules[0][0]} (access for the logged-in user)")
    if any('group="plugdev"' in text for _, text in rules) and "plugdev" not in groups:
        return Check(
            name,
            FIX,
            f"the udev rule {rules[0][0]} gives access to the plugdev group, and this user is "
            "not in it",
            "Run `sudo usermod -aG plugdev $USER`, then log out and in again.",
        )
    return Check(name, OK, f"udev rule {rules[0][0]}")


def check_adb_server(env: DoctorEnv) -> Check:
    """No adb server holds the phone's USB connection (or the user knows how to use it)."""
    from stalkerscan.device.adbserver import ServerAddress, server_running

    address = env.server or ServerAddress.from_env()
    if server_running(address):
        return Check(
            "adb server",
            WARN,
            f"an adb server is running ({address.host}:{address.port}); it takes hold of USB "
            "phones, so stalkerscan cannot open them directly",
            "Stop it with `adb kill-server` (close Android Studio or scrcpy first), or scan "
            "through it with `stalkerscan scan --via adb-server`.",
        )
    return Check("adb server", OK, "none running (stalkerscan talks to the phone itself)")


def check_host_key(env: DoctorEnv) -> Check:
    """stalkerscan's own host key is private (or will be created on the first scan)."""
    from stalkerscan.device.keys import default_key_path

    path = default_key_path()
    if not path.exists():
        return Check("Host key", OK, f"not created yet; the first scan creates {path} (0600)")
    mode = path.stat().st_mode & 0o777
    if not env.platform.startswith("win") and mode & 0o077:
        return Check(
            "Host key",
            FIX,
            f"{path} can be read by other users (mode {mode:o})",
            f"Run `chmod 600 {path}`.",
        )
    return Check("Host key", OK, f"{path} (private)")


def check_feed(env: DoctorEnv) -> Check:
    """An indicator feed is installed, intact and not older than 30 days."""
    from stalkerscan.errors import FeedError
    from stalkerscan.indicators.store import FeedStore

    name = "Indicator feed"
    install = (
        "Run `stalkerscan indicators update` (it needs the internet), or `stalkerscan indicators "
        "update --source FOLDER_OR_ZIP` with a copy of the Echap feed."
    )
    try:
        store = FeedStore(env.indicators_dir)
        info = store.active()
        if info is None:
            return Check(
                name,
                FIX,
                f"no feed is installed in {store.root}; scans would use only the fictional demo "
                "feed (for training only) and local indicators",
                install,
            )
        store.read_files(info)
        age = (env.now - store.last_checked(info.id)).total_seconds() / 86400
    except (FeedError, OSError) as err:
        return Check(name, FIX, f"the installed feed cannot be used: {err}", install)
    if age > STALE_DAYS:
        return Check(
            name,
            WARN,
            f"version {info.id} is {age:.0f} days old",
            "Run `stalkerscan indicators update` to get the latest indicators.",
        )
    return Check(name, OK, f"version {info.id}, {age:.0f} days old")


def check_rules(env: DoctorEnv) -> Check:
    """The project's YARA rules compile with complete meta (as `stalkerscan rules check`)."""
    from stalkerscan.rules import check_rule_files, project_rules_dir

    folder = env.rules_dir or project_rules_dir()
    results = check_rule_files([folder], require_project_ids=True)
    bad = [r for r in results if not r.ok]
    if not results or bad:
        first = "; ".join(bad[0].problems) if bad else f"no rules found in {folder}"
        return Check(
            "YARA rules",
            FIX,
            f"{len(bad)} problem(s): {first}",
            "Run `stalkerscan rules check` for details; reinstall stalkerscan if its rules are "
            "missing.",
        )
    return Check("YARA rules", OK, f"{len(results)} rule(s) compile, meta complete ({folder})")


def check_data_dir(env: DoctorEnv) -> Check:
    """The data folder (host key, feeds) is writable by this user and by no one else."""
    from stalkerscan.device.keys import data_dir

    path = data_dir()
    name = "Data folder"
    if not path.exists():
        return Check(name, OK, f"{path} will be created on first use (private)")
    if not path.is_dir() or not os.access(path, os.W_OK | os.X_OK):
        return Check(name, FIX, f"{path} is not a folder this user can write to", f"Check {path}.")
    if env.platform.startswith("win"):
        return Check(name, OK, str(path))
    mode = path.stat().st_mode & 0o777
    if mode & 0o022:
        return Check(
            name,
            FIX,
            f"{path} can be changed by other users (mode {mode:o}): someone could replace the "
            "feed or the host key",
            f"Run `chmod 700 {path}`.",
        )
    if mode & 0o077:
        return Check(
            name,
            WARN,
            f"{path} can be read by other users (mode {mode:o})",
            f"Run `chmod 700 {path}`.",
        )
    return Check(name, OK, f"{path} (private)")


CHECKS: tuple[Callable[[DoctorEnv], Check], ...] = (
    check_python,
    check_usb,
    check_usb_permissions,
    check_adb_server,
    check_host_key,
    check_data_dir,
    check_feed,
    check_rules,
)


def run_checks(env: DoctorEnv | None = None) -> list[Check]:
    """Every check, in order; a check that crashes is reported as something to fix."""
    env = env or DoctorEnv()
    out = []
    for check in CHECKS:
        try:
            out.append(check(env))
        except Exception as err:  # one broken check must not hide the others
            name = (check.__doc__ or check.__name__).split(".")[0]
            out.append(Check(name, FIX, f"the check failed: {err!r}"))
    return out


STYLE = {
    OK: "[green]ok[/green]  ",
    NOTE: "[cyan]note[/cyan]",
    WARN: "[yellow]warn[/yellow]",
    FIX: "[red]fix[/red] ",
}


def print_checks(console: Console, checks: list[Check]) -> None:
    """One block per check: status, name, what was found, what to do."""
    from rich.markup import escape
    from rich.table import Table

    from stalkerscan.textsafe import for_terminal

    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(overflow="fold")
    for c in checks:
        text = escape(for_terminal(c.detail, max_len=1000))
        if c.fix:
            text += "\n→ " + escape(for_terminal(c.fix, max_len=2000))
        table.add_row(STYLE[c.status], escape(c.name), text)
    console.print(table)


def conclude(console: Console, checks: list[Check]) -> None:
    """Say "ready", or raise ConfigError (exit 2) naming what must be fixed."""
    from stalkerscan.errors import ConfigError

    to_fix = [c for c in checks if c.status == FIX]
    if to_fix:
        names = ", ".join(c.name for c in to_fix)
        raise ConfigError(
            f"{len(to_fix)} thing(s) to fix before scanning: {names}.",
            "Follow the → lines above, then run `stalkerscan doctor` again.",
        )
    warned = sum(c.status == WARN for c in checks)
    console.print(
        "Ready to scan." + (f" {warned} warning(s) above are worth a look." if warned else "")
    )


def register(app: typer.Typer) -> None:
    """Add `doctor` to the CLI."""

    @app.command(
        "doctor",
        help=(
            "Check this computer before scanning: Python, USB access (libusb, udev rules), a "
            "running adb server, the host key, the indicator feed and its age, the YARA rules "
            "and the data folder. Says what to fix; exit 2 when something must be fixed."
        ),
    )
    def doctor_command(indicators_dir: IndicatorsDirOption = None) -> None:
        from rich.console import Console

        console = Console(highlight=False)
        checks = run_checks(DoctorEnv(indicators_dir=indicators_dir))
        print_checks(console, checks)
        conclude(console, checks)
