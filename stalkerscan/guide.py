"""The guided scan: plain steps for connecting a phone, the wait for it, and the undo steps.

`stalkerscan scan` calls these; the words are written for a support worker at a desk, not for an
engineer. Nothing heavy is imported at module level (`stalkerscan --help` imports the scan
command, which imports this module lazily anyway).

The texts are English msgids marked with `N_`; they are translated when printed, with the report
catalogs (`stalkerscan/report/locale`, maintained by `python -m stalkerscan.report.catalogs`), so
the guide speaks the report's language (`lang`: en, fr, de, it, es).

    serial = wait_for_phone(serial, via=via, timeout=120, console=err, lang="fr")  # guide, wait
    print_before_collect(err, lang="fr")                                   # what is read
    print_after_scan(err, out_dir, serial=serial, lang="fr")               # reports + undo steps
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# The reports' extraction marker: the catalogs read this module's texts too (catalogs.SOURCES).
from stalkerscan.report.messages import N_

if TYPE_CHECKING:
    from rich.console import Console

    from stalkerscan.device.connect import ConnectOptions, DeviceLister
    from stalkerscan.report.i18n import Translator

DEFAULT_WAIT = 120.0
POLL_INTERVAL = 1.0

# -- the texts (rich markup; no device text in them) -------------------------------------------


def _translator(lang: str) -> Translator:
    """The catalog of `lang`, loaded on first use (Babel reads it; not at import time)."""
    from stalkerscan.report.i18n import translator

    return translator(lang)


@dataclass(frozen=True)
class Section:
    """One block of the guide: a title, an optional lead, bullet items and an optional tail."""

    title: str
    items: tuple[str, ...] = ()
    lead: str = ""
    tail: str = ""
    numbered: bool = False


# The Android menu names are the ones the phones show in English; a translation uses the names
# those phones show in its language. `[bold]...[/bold]` is rich markup: a translation keeps each
# pair (around the translated words), or the terminal shows the brackets.

INTRO = Section(
    # TRANSLATORS: the title of the connection guide, shown when no phone is plugged in.
    title=N_("No phone is connected yet. Here is how to connect one."),
    # TRANSLATORS: keep the [bold]...[/bold] markup (rich) around the translated words.
    lead=N_(
        "To read the phone, a setting called [bold]USB debugging[/bold] must be on for the time "
        "of the scan. It lets this computer read the list of apps and their settings. "
        "stalkerscan only reads: it does not install, remove or change anything on the phone. "
        "At the end you switch the setting off again (the steps are shown after the scan)."
    ),
    tail=N_(
        "Before you start, talk with the client: someone who watches this phone might notice "
        "that settings were changed. Do this as part of their safety plan."
    ),
)

STEP_DEVELOPER_OPTIONS = Section(
    # TRANSLATORS: "Developer options" is the menu name as the phone shows it in your language.
    title=N_('Step 1. Turn on "Developer options" (a hidden settings menu)'),
    # TRANSLATORS: keep the [bold]...[/bold] markup (rich) around the translated words.
    lead=N_("Open [bold]Settings[/bold], then:"),
    items=(
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_(
            "[bold]Google Pixel[/bold] and most phones: About phone > tap "
            "[bold]Build number[/bold] 7 times."
        ),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_(
            "[bold]Samsung[/bold]: About phone > Software information > tap "
            "[bold]Build number[/bold] 7 times."
        ),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_(
            "[bold]Xiaomi, Redmi, POCO[/bold]: About phone > tap [bold]MIUI version[/bold] (on "
            "newer phones [bold]OS version[/bold] or [bold]HyperOS version[/bold]) 7 times."
        ),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_("[bold]Huawei, Honor[/bold]: About phone > tap [bold]Build number[/bold] 7 times."),
    ),
    tail=N_('The phone asks for its PIN or pattern, then says "You are now a developer".'),
)

STEP_USB_DEBUGGING = Section(
    title=N_('Step 2. Turn on "USB debugging"'),
    items=(
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_(
            "[bold]Google Pixel[/bold]: Settings > System > Developer options > "
            "[bold]USB debugging[/bold]."
        ),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_(
            "[bold]Samsung[/bold]: Settings > Developer options (at the very bottom of Settings) > "
            "[bold]USB debugging[/bold]."
        ),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_(
            "[bold]Xiaomi, Redmi, POCO[/bold]: Settings > Additional settings > "
            "Developer options > "
            '[bold]USB debugging[/bold]. Leave [bold]"USB debugging (Security settings)"[/bold] '
            "off: stalkerscan only reads, so it does not need it, and that switch asks to sign in "
            "to a Mi account (with a SIM card in the phone), which you should not do on a client's "
            "phone."
        ),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_(
            "[bold]Huawei, Honor[/bold]: Settings > System & updates > Developer options > "
            '[bold]USB debugging[/bold], and also [bold]"Allow ADB debugging in charge only '
            'mode"[/bold] if you see it (otherwise choose "Transfer files" when the phone asks '
            "about the USB connection)."
        ),
    ),
    tail=N_("The phone warns that USB debugging is for development: tap OK."),
)

STEP_AUTHORISE = Section(
    title=N_("Step 3. Plug the phone in and allow this computer"),
    items=(
        N_("Use a cable that carries data (some charging cables do not) and unlock the phone."),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); the prompt and button as the
        # phone shows them in your language.
        N_(
            'The phone shows [bold]"Allow USB debugging?"[/bold] with this computer\'s key '
            "fingerprint. Tap [bold]Allow[/bold]."
        ),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); the tick box as the phone shows it.
        N_(
            'Do [bold]not[/bold] tick [bold]"Always allow from this computer"[/bold]: it stores '
            "this computer's key on the phone, a trace someone else could find later, and lets "
            "this computer connect again without asking."
        ),
        N_("No prompt? Unplug and plug in again, or turn USB debugging off and on again."),
    ),
)

UNDO_STEPS = Section(
    title=N_("Switch it all off again (when the client agrees, as part of their safety plan):"),
    numbered=True,
    items=(
        N_("Unplug the phone."),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_(
            "Settings > Developer options > [bold]Revoke USB debugging authorisations[/bold] "
            "(removes this computer's key if it was stored)."
        ),
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich); menu names as the phone shows them.
        N_(
            "In Developer options, turn [bold]USB debugging[/bold] off. On Huawei and Honor also "
            'turn off "Allow ADB debugging in charge only mode".'
        ),
        N_(
            'Turn Developer options off with the switch at the top of that screen (Pixel: "Use '
            'developer options"; Samsung, Xiaomi, Huawei and Honor: the switch at the top). The '
            "menu is then hidden again."
        ),
    ),
)

WHAT_IS_READ = Section(
    title=N_("What stalkerscan reads now (it changes nothing on the phone):"),
    items=(
        N_(
            "the list of installed apps, also those without an icon, where they came from and when;"
        ),
        N_(
            "which apps hold special powers (accessibility, notification access, device admin, "
            "usage access, VPN, keyboard, battery exemptions) and the permissions they were "
            "granted;"
        ),
        N_("a few system settings, such as whether Google Play Protect is on;"),
        N_("the names of accounts on the phone, masked before they are saved;"),
        N_(
            "fingerprints (hashes) of app files, and a copy of suspicious apps' install files to "
            "analyse them on this computer."
        ),
    ),
    tail=N_(
        "It does not read messages, photos, contacts, call history or browsing history. Keep "
        "the phone unlocked and plugged in until the scan ends."
    ),
)

# TRANSLATORS: keep `stalkerscan scan` and --wait as they are (they are typed as shown).
WAIT_HINT = N_(
    "Check the three steps above: the cable carries data, the phone is unlocked and USB "
    "debugging is on. Then run `stalkerscan scan` again (add --wait SECONDS to wait longer)."
)


def setup_guide() -> list[Section]:
    """The connection guide: the intro and the three steps."""
    return [INTRO, STEP_DEVELOPER_OPTIONS, STEP_USB_DEBUGGING, STEP_AUTHORISE]


def print_section(console: Console, section: Section, *, lang: str = "en") -> None:
    """Print one section in `lang`; bullets wrap with a hanging indent at any terminal width."""
    from rich.table import Table

    tr = _translator(lang)
    console.print(f"[bold]{tr.gettext(section.title)}[/bold]", highlight=False)
    if section.lead:
        console.print(tr.gettext(section.lead), highlight=False)
    if section.items:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for k, item in enumerate(section.items, start=1):
            grid.add_row(f"  {k}." if section.numbered else "  •", tr.gettext(item))
        console.print(grid)
    if section.tail:
        console.print(tr.gettext(section.tail), highlight=False)


def print_setup_guide(console: Console, *, lang: str = "en") -> None:
    """Print how to turn on USB debugging and allow this computer, step by step."""
    for section in setup_guide():
        print_section(console, section, lang=lang)
        console.print()


def print_before_collect(console: Console, *, lang: str = "en") -> None:
    """Say what the scan reads, and that it changes nothing on the phone."""
    print_section(console, WHAT_IS_READ, lang=lang)


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


def print_after_scan(
    console: Console,
    out_dir: Path,
    *,
    serial: str | None = None,
    lang: str = "en",
    acquisition: Path | None = None,
) -> None:
    """Say where the reports are (and the acquisition, when it is not in the report folder, as
    with `scan --resume`), then the undo steps (not for a phone simulated on loopback)."""
    from rich.markup import escape

    from stalkerscan.textsafe import for_terminal

    tr = _translator(lang)
    folder = escape(for_terminal(str(out_dir), max_len=400))
    console.print()
    console.print(
        # TRANSLATORS: keep the [bold]...[/bold] markup (rich) and {folder} (the folder's path).
        tr.gettext("[bold]The reports are in[/bold] {folder}").format(folder=folder),
        highlight=False,
    )
    console.print(
        "  "
        # TRANSLATORS: keep the file name report.html as it is.
        + tr.gettext(
            "report.html: open it in a web browser to read it with the client or print it;"
        ),
        highlight=False,
    )
    console.print(
        "  "
        # TRANSLATORS: keep the names report.json and acquisition/ as they are.
        + tr.gettext(
            "report.json: the same result for other tools; acquisition/: the raw data read "
            "from the phone."
        ),
        highlight=False,
    )
    if acquisition is not None and acquisition != out_dir / "acquisition":
        where = escape(for_terminal(str(acquisition), max_len=400))
        console.print(
            "  "
            # TRANSLATORS: keep {folder} (the folder's path).
            + tr.gettext("The raw data read from the phone is in {folder}").format(folder=where),
            highlight=False,
        )
    if not is_local_simulation(serial):
        console.print()
        print_section(console, UNDO_STEPS, lang=lang)


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
    lang: str = "en",
) -> str | None:
    """The serial of the phone to scan; when none is attached, guide the user and wait for one.

    A `HOST:PORT` serial (or `via="tcp"`) is returned as it is: there is nothing to plug in.
    Several phones and no serial: MultipleDevicesError. No phone within `timeout` seconds:
    NoDeviceError (exit 3). Ctrl-C raises KeyboardInterrupt; nothing is left running (no adb
    server is ever started here). The guide and the messages are in `lang`.
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
    tr = _translator(lang)
    print_setup_guide(console, lang=lang)
    deadline = clock() + max(0.0, timeout)
    with console.status(_waiting(tr, serial)) as status:
        while True:
            remaining = deadline - clock()
            if remaining <= 0:
                break
            status.update(_waiting(tr, serial, left=int(remaining + 0.999)))
            time.sleep(min(poll_interval, remaining))
            found = pick(_attached(serial, chosen, opts))
            if found is not None:
                connected = tr.gettext("A phone is connected.")
                console.print(f"[green]{connected}[/green]", highlight=False)
                return found
    raise NoDeviceError(_no_phone_within(tr, timeout), tr.gettext(WAIT_HINT))


def _waiting(tr: Translator, serial: str | None, *, left: int | None = None) -> str:
    """The spinner's words: waiting for the phone (with this serial), and the seconds left."""
    if left is None:
        if serial is None:
            return tr.gettext("Waiting for the phone …")
        return tr.gettext("Waiting for the phone with this serial …")
    if serial is None:
        # TRANSLATORS: {seconds} is the number of seconds left ("s" is the unit); the English
        # singular and plural are the same, your language may need two forms.
        text = tr.ngettext(
            "Waiting for the phone to be plugged in and allowed … {seconds} s left "
            "(Ctrl-C to stop)",
            "Waiting for the phone to be plugged in and allowed … {seconds} s left "
            "(Ctrl-C to stop)",
            left,
        )
    else:
        # TRANSLATORS: {seconds} is the number of seconds left ("s" is the unit).
        text = tr.ngettext(
            "Waiting for the phone with this serial to be plugged in and allowed … "
            "{seconds} s left (Ctrl-C to stop)",
            "Waiting for the phone with this serial to be plugged in and allowed … "
            "{seconds} s left (Ctrl-C to stop)",
            left,
        )
    return text.format(seconds=left)


def _no_phone_within(tr: Translator, timeout: float) -> str:
    """The timeout's message: no phone within so many seconds (in the locale's number format)."""
    # A fractional wait (--wait 1.5) takes the "other" form, as English says "1.5 seconds".
    count = int(timeout) if float(timeout).is_integer() else 2
    # TRANSLATORS: {seconds} is a number of seconds (the --wait of the scan).
    text = tr.ngettext(
        "No phone was connected within {seconds} second.",
        "No phone was connected within {seconds} seconds.",
        count,
    )
    return text.format(seconds=tr.number(timeout))
