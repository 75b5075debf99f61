"""Options every command that talks to a phone shares, and the one way those commands open it.

    from stalkerscan.commands._options import (
        AdbServerOption, AuthTimeoutOption, SerialOption, UseAdbKeyOption, open_phone,
    )

    def scan(serial: SerialOption = None, adb_server: AdbServerOption = False, ...) -> None:
        with open_phone(serial, adb_server=adb_server, use_adb_key=..., auth_timeout=...) as t:
            ...

Nothing heavy is imported here: `stalkerscan --help` imports this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from stalkerscan.device.base import Transport
    from stalkerscan.device.connect import ConnectOptions

SerialOption = Annotated[
    str | None,
    typer.Option(
        "--serial",
        "-s",
        metavar="SERIAL",
        help=(
            "Which phone: its USB serial (see `stalkerscan devices`), or HOST:PORT for wireless "
            "debugging, an emulator or the simulated phone. Needed only when several phones "
            "are attached."
        ),
        show_default=False,
    ),
]

AdbServerOption = Annotated[
    bool,
    typer.Option(
        "--adb-server",
        help=(
            "Go through the adb server already running on this computer (when it holds the "
            "phone's USB connection) instead of talking to the phone directly."
        ),
    ),
]

UseAdbKeyOption = Annotated[
    bool,
    typer.Option(
        "--use-adb-key",
        help=(
            "Identify this computer with adb's key (~/.android/adbkey) instead of stalkerscan's "
            "own, so a phone that already trusts this computer's adb does not ask again."
        ),
    ),
]

AuthTimeoutOption = Annotated[
    float,
    typer.Option(
        "--auth-timeout",
        min=1.0,
        metavar="SECONDS",
        help="How long to wait for someone to tap Allow on the phone's prompt.",
    ),
]

DEFAULT_AUTH_TIMEOUT = 60.0


def connect_options(
    *, use_adb_key: bool = False, auth_timeout: float = DEFAULT_AUTH_TIMEOUT, announce: bool = True
) -> ConnectOptions:
    """ConnectOptions from the shared flags; `announce` prints a line when the phone prompts."""
    from stalkerscan.device.connect import ConnectOptions

    def prompt_shown() -> None:
        from rich.console import Console

        Console(stderr=True).print(
            "The phone is asking whether to allow this computer. Unlock it and tap "
            '[bold]Allow[/bold]; leave "Always allow from this computer" unticked.'
        )

    return ConnectOptions(
        auth_timeout=auth_timeout,
        use_adb_key=use_adb_key,
        on_auth_prompt=prompt_shown if announce else None,
    )


def open_phone(
    serial: str | None,
    *,
    adb_server: bool = False,
    use_adb_key: bool = False,
    auth_timeout: float = DEFAULT_AUTH_TIMEOUT,
) -> Transport:
    """Open the phone the shared options name (raises a DeviceError with the fix)."""
    from stalkerscan.device.connect import open_transport

    opts = connect_options(use_adb_key=use_adb_key, auth_timeout=auth_timeout)
    return open_transport(serial, via="adb-server" if adb_server else "auto", opts=opts)
