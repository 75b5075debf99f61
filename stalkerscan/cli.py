"""The command line: the only place that prints errors and picks exit codes.

Each command lives in a small module under `stalkerscan.commands` that imports heavy libraries
(adb-shell, androguard, yara) only inside the command body, so `stalkerscan --help` stays fast.
"""

from __future__ import annotations

import importlib
import signal
import sys
from types import FrameType

import typer

from stalkerscan import __version__
from stalkerscan.errors import ExitCode, StalkerscanError

app = typer.Typer(
    name="stalkerscan",
    help=(
        "Desk-side, read-only stalkerware scanner for Android. It reads what is installed and "
        "what has been granted dangerous powers, matches it against stalkerware indicators and "
        "YARA rules, and writes a safety-first report. It never changes the phone."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Modules under stalkerscan.commands; each has `register(app: typer.Typer) -> None`.
COMMAND_MODULES: tuple[str, ...] = (
    "simulate",
    "collect",
    "devices",
    "indicators",
    "rules",
    "check",
    "scan",
    "demo",
    "doctor",
    "export",
    "wipe",
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"stalkerscan {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """Desk-side, read-only stalkerware scanner for Android."""


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"stalkerscan.commands.{name}")
        module.register(app)


def _sigterm_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def report_error(err: StalkerscanError) -> None:
    """Print one actionable error on stderr (the message may contain device text: escaped)."""
    from rich.console import Console

    from stalkerscan.textsafe import for_terminal

    console = Console(stderr=True)
    console.print(f"[bold red]Error:[/bold red] {for_terminal(err.message, max_len=2000)}")
    if err.hint:
        console.print(for_terminal(err.hint, max_len=2000))


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `stalkerscan` console script."""
    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    _register_commands()
    try:
        rv = app(args=argv, standalone_mode=False)
    except StalkerscanError as err:
        report_error(err)
        sys.exit(int(err.exit_code))
    except (KeyboardInterrupt, typer.Abort):
        print("\nInterrupted.", file=sys.stderr)
        sys.exit(int(ExitCode.INTERRUPTED))
    except typer.TyperException as err:  # click's usage errors (typer >= 0.29 vendors click)
        show = getattr(err, "show", None)
        if callable(show):
            show()
        else:
            print(f"Error: {err}", file=sys.stderr)
        sys.exit(int(ExitCode.USAGE))
    if rv == int(ExitCode.INTERRUPTED):
        # typer >= 0.29 turns a KeyboardInterrupt (Ctrl-C, or SIGTERM above) inside a command
        # into Exit(130) and returns 130 when not standalone: the except above never sees it.
        print("\nInterrupted.", file=sys.stderr)
    sys.exit(rv if isinstance(rv, int) else 0)
