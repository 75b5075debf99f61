"""Options the commands share, defined once, and the one way the phone commands open a phone.

Every command that talks to a phone (`devices`, `collect`, `scan`) takes the same connection
options: `--serial`, `--via`, `--use-adb-key`, `--auth-timeout`, `--connect-timeout`.

    from stalkerscan.commands._options import SerialOption, ViaOption, ..., open_phone

    def scan(serial: SerialOption = None, via: ViaOption = "auto", ...) -> None:
        with open_phone(serial, via=via, use_adb_key=..., auth_timeout=...) as t:
            ...

`collect` and `scan` share the collection options, `check`, `scan` and `demo` the report
options. Nothing heavy is imported here: `stalkerscan --help` imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from stalkerscan.collect.pipeline import CollectOptions
    from stalkerscan.device.base import Transport
    from stalkerscan.device.connect import ConnectOptions
    from stalkerscan.indicators.index import IndicatorIndex

MiB = 1024 * 1024

# -- connecting to a phone -------------------------------------------------------------------

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

ViaOption = Annotated[
    str,
    typer.Option(
        "--via",
        metavar="MODE",
        help=(
            "How to reach the phone: auto (USB directly, or through a running adb server when "
            "that server holds the phone), usb, tcp (--serial HOST:PORT) or adb-server (through "
            "the adb server already running on this computer)."
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

ConnectTimeoutOption = Annotated[
    float,
    typer.Option(
        "--connect-timeout",
        min=1.0,
        metavar="SECONDS",
        help="Longest wait for the phone to answer the connection request.",
    ),
]

DEFAULT_AUTH_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0


def connect_options(
    *,
    use_adb_key: bool = False,
    auth_timeout: float = DEFAULT_AUTH_TIMEOUT,
    timeout: float = DEFAULT_CONNECT_TIMEOUT,
    announce: bool = True,
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
        timeout=timeout,
        auth_timeout=auth_timeout,
        use_adb_key=use_adb_key,
        on_auth_prompt=prompt_shown if announce else None,
    )


def open_phone(
    serial: str | None,
    *,
    via: str = "auto",
    use_adb_key: bool = False,
    auth_timeout: float = DEFAULT_AUTH_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> Transport:
    """Open the phone the shared options name (raises a DeviceError with the fix)."""
    from stalkerscan.device.connect import open_transport

    opts = connect_options(
        use_adb_key=use_adb_key, auth_timeout=auth_timeout, timeout=connect_timeout
    )
    return open_transport(serial, via=via, opts=opts)


# -- collecting (collect, scan) --------------------------------------------------------------

DeepOption = Annotated[bool, typer.Option("--deep", help="Pull every APK installed on /data.")]
NoHashOption = Annotated[bool, typer.Option("--no-hash", help="Do not hash APKs on the phone.")]
NoPullOption = Annotated[bool, typer.Option("--no-pull", help="Do not pull any APK.")]
MaxPullOption = Annotated[
    int, typer.Option("--max-pull-mb", min=0, help="Most APK data to pull, in MiB.")
]
SessionTimeoutOption = Annotated[
    float,
    typer.Option("--session-timeout", min=1.0, help="Longest wait for one shell session, seconds."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]

DEFAULT_MAX_PULL_MB = 512
DEFAULT_SESSION_TIMEOUT = 600.0


def collect_options(
    *,
    indicators: IndicatorIndex,
    deep: bool,
    no_hash: bool,
    no_pull: bool,
    max_pull_mb: int,
    session_timeout: float,
    resume: bool,
    quiet: bool,
) -> CollectOptions:
    """CollectOptions from the shared collection flags (with a progress display unless quiet)."""
    from stalkerscan.collect.pipeline import CollectOptions
    from stalkerscan.collect.progress import make_progress

    return CollectOptions(
        indicators=indicators,
        hashing=not no_hash,
        pull=not no_pull,
        deep=deep,
        max_pull_bytes=max_pull_mb * MiB,
        session_timeout=session_timeout,
        resume=resume,
        progress=make_progress(quiet),
    )


# -- analysing and reporting (check, scan, demo) ---------------------------------------------

IndicatorsDirOption = Annotated[
    Path | None,
    typer.Option(
        "--indicators-dir",
        metavar="DIR",
        help=(
            "Where installed feed versions are kept (default: your data folder; also "
            "STALKERSCAN_INDICATORS_DIR)."
        ),
        show_default=False,
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Report language: en, fr, de, it, es (default: the system's, else English).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the JSON result on stdout.")]


def out_option(help_text: str) -> typer.models.OptionInfo:
    """`--out/-o FOLDER` with a command's own help text (where its reports go differs)."""
    return typer.Option("--out", "-o", help=help_text, show_default=False)
