"""`stalkerscan wipe PATH`: remove a case's files (reports and acquisition) from this computer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

WIPE_HELP = (
    "Delete a case folder (the reports and the acquisition that `scan` or `collect` wrote), "
    "after asking for confirmation. It refuses any folder that is not a stalkerscan report or "
    "acquisition folder, and folders holding links. Each file is overwritten with zeros before "
    "it is deleted, but be aware: on SSDs, USB sticks and memory cards, and on journaling or "
    "copy-on-write file systems, overwriting does NOT reliably destroy the old data (the drive "
    "writes elsewhere), and backups or synced copies are not touched. Keeping cases on an "
    "encrypted disk is what really protects them; wipe only removes this computer's copy."
)


def register(app: typer.Typer) -> None:
    """Add `wipe` to the CLI."""
    path_arg: Any = typer.Argument(..., help="The case folder (or acquisition folder) to delete.")
    yes_opt: Any = typer.Option(False, "--yes", help="Do not ask for confirmation.")
    no_overwrite_opt: Any = typer.Option(
        False, "--no-overwrite", help="Delete without overwriting first (faster on big cases)."
    )

    @app.command("wipe", help=WIPE_HELP)
    def wipe_command(
        path: Path = path_arg, yes: bool = yes_opt, no_overwrite: bool = no_overwrite_opt
    ) -> None:
        from stalkerscan.export import case_files, case_kind, wipe_case
        from stalkerscan.textsafe import for_terminal

        kind = case_kind(path)
        files = case_files(path)
        shown = for_terminal(str(path), max_len=400)
        if not yes and not typer.confirm(
            f"Delete the {kind} folder {shown} ({len(files)} files)? This cannot be undone.",
            default=False,
        ):
            typer.echo("Nothing was deleted.")
            raise typer.Exit(1)
        removed = wipe_case(path, overwrite=not no_overwrite)
        typer.echo(
            f"Deleted {len(removed)} files and the folder {shown}. Copies elsewhere (backups, "
            "synced folders, exports) were not touched."
        )
