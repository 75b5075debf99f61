"""The guided scan: plain steps for connecting a phone, the wait for it, and the undo steps.

`stalkerscan scan` calls these; the words are written for a support worker at a desk, not for an
engineer. Nothing heavy is imported at module level (`stalkerscan --help` imports the scan
command, which imports this module lazily anyway).

    serial = wait_for_phone(serial, via=via, timeout=120, console=err)   # guide + spinner
    print_before_collect(err)                                              # what is read
    print_after_scan(err, out_dir, serial=serial)                          # reports + undo steps
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from stalkerscan.device.connect import ConnectOptions, DeviceLister

DEFAULT_WAIT = 120.0
POLL_INTERVAL = 1.0

# -- the texts (rich markup; no device text in them) -------------------------------------------


@dataclass(frozen=True)
class Section:
    """One block of the guide: a title, an optional lead, bullet items and an optional tail."""

    title: str
    items: tuple[str, ...] = ()
    lead: str = ""
    tail: str = ""
    numbered: bool = False


INTRO = Section(
    title="No phone is connected yet. Here is how to connect one.",
    lead=(
        "To read the phone, a setting called [bold]USB debugging[/bold] must be on for the time "
        "of the scan. It lets this computer read the list of apps and their settings. "
        "stalkerscan only reads: it does not install, remove or change anything on the phone. "
        "At the end you switch the setting off again (the steps are shown after the scan)."
    ),
    tail=(
        "Before you start, talk with the client: someone who watches this phone might notice "
        "that settings were changed. Do this as part of their safety plan."
    ),
)

STEP_DEVELOPER_OPTIONS = Section(
    title='Step 1. Turn on "Developer options" (a hidden settings menu)',
    lead="Open [bold]Settings[/bold], then:",
    items=(
        "[bold]Google Pixel[/bold] and most phones: About phone > tap [bold]Build number[/bold] "
        "7 times.",
        "[bold]Samsung[/bold]: About phone > Software information > tap "
        "[bold]Build number[/bold] 7 times.",
        "[bold]Xiaomi, Redmi, POCO[/bold]: About phone > tap [bold]MIUI version[/bold] (on newer "
        "phones [bold]OS version[/bold] or [bold]HyperOS version[/bold]) 7 times.",
        "[bold]Huawei, Honor[/bold]: About phone > tap [bold]Build number[/bold] 7 times.",
    ),
    tail='The phone asks for its PIN or pattern, then says "You are now a developer".',
)

STEP_USB_DEBUGGING = Section(
    title='Step 2. Turn on "USB debugging"',
    items=(
        "[bold]Google Pixel[/bold]: Settings > System > Developer options > "
        "[bold]USB debugging[/bold].",
        "[bold]Samsung[/bold]: Settings > Developer options (at the very bottom of Settings) > "
        "[bold]USB debugging[/bold].",
        "[bold]Xiaomi, Redmi, POCO[/bold]: Settings > Additional settings > Developer options > "
        '[bold]USB debugging[/bold]. Leave [bold]"USB debugging (Security settings)"[/bold] '
        "off: stalkerscan only reads, so it does not need it, and that switch asks to sign in "
        "to a Mi account (with a SIM card in the phone), which you should not do on a client's "
        "phone.",
        "[bold]Huawei, Honor[/bold]: Settings > System & updates > Developer options > "
        '[bold]USB debugging[/bold], and also [bold]"Allow ADB debugging in charge only '
        'mode"[/bold] if you see it (otherwise choose "Transfer files" when the phone asks '
        "about the USB connection).",
    ),
    tail="The phone warns that USB debugging is for development: tap OK.",
)

STEP_AUTHORISE = Section(
    title="Step 3. Plug the phone in and allow this computer",
    items=(
        "Use a cable that carries data (some charging cables do not) and unlock the phone.",
        'The phone shows [bold]"Allow USB debugging?"[/bold] with this computer\'s key '
        "fingerprint. Tap [bold]Allow[/bold].",
        'Do [bold]not[/bold] tick [bold]"Always allow from this computer"[/bold]: it stores '
        "this computer's key on the phone, a trace someone else could find later, and lets "
        "this computer connect again without asking.",
        "No prompt? Unplug and plug in again, or turn USB debugging off and on again.",
    ),
)

UNDO_STEPS = Section(
    title="Switch it all off again (when the client agrees, as part of their safety plan):",
    numbered=True,
    items=(
        "Unplug the phone.",
        "Settings > Developer options > [bold]Revoke USB debugging authorisations[/bold] "
        "(removes this computer's key if it was stored).",
        "In Developer options, turn [bold]USB debugging[/bold] off. On Huawei and Honor also "
        'turn off "Allow ADB debugging in charge only mode".',
        'Turn Developer options off with the switch at the top of that screen (Pixel: "Use '
        'developer options"; Samsung, Xiaomi, Huawei and Honor: the switch at the top). The '
        "menu is then hidden again.",
    ),
)

WHAT_IS_READ = Section(
    title="What stalkerscan reads now (it changes nothing on the phone):",
    items=(
        "the list of installed apps, also those without an icon, where they came from and when;",
        "which apps hold special powers (accessibility, notification access, device admin, "
        "usage access, VPN, keyboard, battery exemptions) and the permissions they were granted;",
        "a few system settings, such as whether Google Play Protect is on;",
        "the names of accounts on the phone, masked before they are saved;",
        "fingerprints (hashes) of app files, and a copy of suspicious apps' install files to "
        "analyse them on this computer.",
    ),
    tail=(
        "It does not read messages, photos, contacts, call history or browsing history. Keep "
        "the phone unlocked and plugged in until the scan ends."
    ),
)

WAIT_HINT = (
    "Check the three steps above: the cable carries data, the phone is unlocked and USB "
    "debugging is on. Then run `stalkerscan scan` again (add --wait SECONDS to wait longer)."
)


def setup_guide() -> list[Section]:
    """The connection guide: the intro and the three steps."""
    return [INTRO, STEP_DEVELOPER_OPTIONS, STEP_USB_DEBUGGING, STEP_AUTHORISE]


def print_section(console: Console, section: Section) -> None:
    """Print one section; bullets wrap with a hanging indent at any terminal width."""
    from rich.table import Table

    console.print(f"[bold]{section.title}[/bold]", highlight=False)
    if section.lead:
        console.print(section.lead, highlight=False)
    if section.items:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for k, item in enumerate(section.items, start=1):
            grid.add_row(f"  {k}." if section.numbered else "  •", item)
        console.print(grid)
    if section.tail:
        console.print(section.tail, highlight=False)


def print_setup_guide(console: Console) -> None:
    """Print how to turn on USB debugging and allow this computer, step by step."""
    for section in setup_guide():
        print_section(console, section)
        console.print()


def print_before_collect(console: Console) -> None:
    """Say what the scan reads, and that it changes nothing on the phone."""
    print_section(console, WHAT_IS_READ)


def is_local_simulation(serial: str | None) -> bool:
    """True for a HOST:PORT serial on this computer (the simulated phone, an emulator)."""
    from stalkerscan.device.connect import parse_tcp_serial
    from stalkerscan.netaddr import is_loopback_host

    if not serial:
        return False
    try:
        tcp = parse_tcp_serial(serial)
    except Exception:  # an out-of-range port: not ours to judge here
        return False
    if tcp is None:
        return False
    return is_loopback_host(tcp[0])


def print_after_scan(console: Console, out_dir: Path, *, serial: str | None = None) -> None:
    """Say where the reports are, then the undo steps (not for a phone simulated on loopback)."""
    from rich.markup import escape

    from stalkerscan.textsafe import for_terminal

    console.print()
    console.print(
        "[bold]The reports are in[/bold] " + escape(for_terminal(str(out_dir), max_len=400)),
        highlight=False,
    )
    console.print(
        "  report.html: open it in a web browser to read it with the client or print it;",
        highlight=False,
    )
    console.print(
        "  report.json: the same result for other tools; acquisition/: the raw data read "
        "from the phone.",
        highlight=False,
    )
    if not is_local_simulation(serial):
        console.print()
        print_section(console, UNDO_STEPS)


# -- waiting for the phone ---------------------------------------------------------------------


def _listers_for(via: str, listers: Sequence[DeviceLister] | None) -> list[DeviceLister]:
    from stalkerscan.device.connect import default_listers

    chosen = list(default_listers() if listers is None else listers)
    if via == "usb":
        return [lst for lst in chosen if lst.transport == "usb"]
    if via == "adb-server":
        return [lst for lst in chosen if lst.transport == "adb-server"]
    return chosen


def _attached(
    serial: str | None, listers: Sequence[DeviceLister], opts: ConnectOptions
) -> list[str]:
    """Serials of the attached phones (only `serial` when one is named); never starts a server."""
    from stalkerscan.device.connect import list_devices

    found = sorted({d.serial for d in list_devices(listers=listers, opts=opts, probe=False)})
    if serial is not None:
        return [s for s in found if s == serial]
    return found


def wait_for_phone(
    serial: str | None,
    *,
    timeout: float,
    console: Console,
    via: str = "auto",
    listers: Sequence[DeviceLister] | None = None,
    poll_interval: float = POLL_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
) -> str | None:
    """The serial of the phone to scan; when none is attached, guide the user and wait for one.

    A `HOST:PORT` serial (or `via="tcp"`) is returned as it is: there is nothing to plug in.
    Several phones and no serial: MultipleDevicesError. No phone within `timeout` seconds:
    NoDeviceError (exit 3). Ctrl-C raises KeyboardInterrupt; nothing is left running (no adb
    server is ever started here).
    """
    from stalkerscan.device.connect import ConnectOptions, parse_tcp_serial
    from stalkerscan.errors import MultipleDevicesError, NoDeviceError

    if via == "tcp" or (serial is not None and parse_tcp_serial(serial) is not None):
        return serial
    if via == "adb-server" and listers is None:
        from stalkerscan.device.adbserver import server_running

        if not server_running():
            return serial  # opening the phone then says that no adb server runs, and the fix
    chosen = _listers_for(via, listers)
    opts = ConnectOptions()

    def pick(serials: list[str]) -> str | None:
        if len(serials) > 1:
            raise MultipleDevicesError(serials)
        return serials[0] if serials else None

    found = pick(_attached(serial, chosen, opts))
    if found is not None:
        return found
    print_setup_guide(console)
    deadline = clock() + max(0.0, timeout)
    what = "the phone" if serial is None else "the phone with this serial"
    with console.status(f"Waiting for {what} …") as status:
        while True:
            remaining = deadline - clock()
            if remaining <= 0:
                break
            status.update(
                f"Waiting for {what} to be plugged in and allowed … "
                f"{int(remaining + 0.999)} s left (Ctrl-C to stop)"
            )
            time.sleep(min(poll_interval, remaining))
            found = pick(_attached(serial, chosen, opts))
            if found is not None:
                console.print("[green]A phone is connected.[/green]", highlight=False)
                return found
    seconds = f"{timeout:g} second" + ("" if timeout == 1 else "s")
    raise NoDeviceError(f"No phone was connected within {seconds}.", WAIT_HINT)
