"""Progress of a collection: which step, bytes read. Rich on a TTY, silent otherwise."""

from __future__ import annotations

import sys
from typing import Any, Protocol


class Progress(Protocol):
    """What the pipeline reports while it runs."""

    def stage(self, text: str) -> None:
        """A new step starts (e.g. "Reading packages")."""
        ...

    def advance(self, nbytes: int) -> None:
        """Bytes read from the phone."""
        ...

    def close(self) -> None:
        """The collection is over."""
        ...


class NullProgress:
    """Reports nothing (not a TTY, `--quiet`, tests)."""

    def stage(self, text: str) -> None:
        """Ignore the step."""

    def advance(self, nbytes: int) -> None:
        """Ignore the bytes."""

    def close(self) -> None:
        """Nothing to close."""


class RichProgress:
    """A rich spinner with the step and the bytes read, on stderr."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            DownloadColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TransferSpeedColumn,
        )
        from rich.progress import (
            Progress as RProgress,
        )

        self._progress: Any = RProgress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task("Connecting", total=None)

    def stage(self, text: str) -> None:
        """Show the step (our own wording: never device text)."""
        from rich.markup import escape

        self._progress.update(self._task, description=escape(text))
        self._progress.refresh()  # every step is shown, even one shorter than a refresh tick

    def advance(self, nbytes: int) -> None:
        """Add to the byte counter."""
        self._progress.update(self._task, advance=nbytes)

    def close(self) -> None:
        """Stop the live display (the last step stays on screen); safe to call twice."""
        self._progress.stop()


def make_progress(quiet: bool) -> Progress:
    """Rich progress when stderr is a terminal and not quiet, else silent."""
    if quiet or not sys.stderr.isatty():
        return NullProgress()
    return RichProgress()
