"""`stalkerscan export`: an encrypted copy of a case (reports + acquisition) to hand over.

    stalkerscan export create CASE_FOLDER --out case.sscase    # asks for a password twice
    stalkerscan export open case.sscase --out FOLDER           # asks for the password

The password is only ever asked at a prompt (never an option: command lines end up in shell
history and process lists). Format: stalkerscan/export.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

export_app = typer.Typer(
    help=(
        "Encrypted export of a case (report + acquisition) for handing to a lawyer or the "
        "police: AES-256-GCM with a key derived from a password (scrypt). Give the password "
        "separately from the file (in person or by phone, never in the same e-mail)."
    ),
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add `export create` and `export open` to the CLI."""
    app.add_typer(export_app, name="export")


_case_arg: Any = typer.Argument(..., help="The case folder (from `scan --out`) or an acquisition.")
_file_out: Any = typer.Option(..., "--out", "-o", help="The export file to create (new).")
_file_arg: Any = typer.Argument(..., help="The export file (.sscase).")
_dir_out: Any = typer.Option(..., "--out", "-o", help="New folder to unpack into.")


@export_app.command(
    "create",
    help="Encrypt a case folder into one file. The password is asked twice at a prompt.",
)
def create_command(case: Path = _case_arg, out: Path = _file_out) -> None:
    from stalkerscan.export import MIN_PASSWORD, case_kind, export_case
    from stalkerscan.textsafe import for_terminal

    case_kind(case)  # a clear error before asking for a password
    password = typer.prompt(
        f"Password for the export (at least {MIN_PASSWORD} characters)",
        hide_input=True,
        confirmation_prompt=True,
    )
    names = export_case(case, out, password)
    typer.echo(
        f"Exported {len(names)} files to {for_terminal(str(out), max_len=400)} (encrypted). "
        "Give the password separately from the file."
    )


@export_app.command("open", help="Decrypt an export file into a new folder (asks the password).")
def open_command(export_file: Path = _file_arg, out: Path = _dir_out) -> None:
    from stalkerscan.export import open_export
    from stalkerscan.textsafe import for_terminal

    password = typer.prompt("Password of the export", hide_input=True)
    names = open_export(export_file, out, password)
    typer.echo(f"Unpacked {len(names)} files into {for_terminal(str(out), max_len=400)}.")
