"""`stalkerscan collect`: read the phone (read-only) into an acquisition folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from stalkerscan.errors import UsageError

if TYPE_CHECKING:
    from stalkerscan.collect.pipeline import AcquisitionResult, CollectOptions

MiB = 1024 * 1024


def run_collect(
    *,
    serial: str | None,
    via: str,
    out: Path,
    options: CollectOptions,
    connect_timeout: float,
) -> AcquisitionResult:
    """Open the phone, collect into `out`, close the phone; raises DeviceError if nothing read."""
    from stalkerscan.collect.pipeline import collect
    from stalkerscan.device.connect import open_transport

    try:
        transport = open_transport(serial, via=via, timeout=connect_timeout)
    except BaseException:
        options.progress.close()  # never leave a live display (and a hidden cursor) behind
        raise
    try:
        return collect(transport, out, options)
    finally:
        transport.close()


def register(app: typer.Typer) -> None:
    """Add `collect` to the CLI."""
    serial_opt: Any = typer.Option(
        None, "--serial", "-s", help="Which phone (USB serial, or HOST:PORT for TCP)."
    )
    via_opt: Any = typer.Option(
        "auto", "--via", help="How to reach the phone: auto, usb, tcp or adb-server."
    )
    out_opt: Any = typer.Option(
        None, "--out", "-o", help="New folder to write the acquisition into.", show_default=False
    )
    resume_opt: Any = typer.Option(
        None,
        "--resume",
        help="Continue an incomplete acquisition in this folder (same phone).",
        show_default=False,
    )
    deep_opt: Any = typer.Option(False, "--deep", help="Pull every APK installed on /data.")
    no_hash_opt: Any = typer.Option(False, "--no-hash", help="Do not hash APKs on the phone.")
    no_pull_opt: Any = typer.Option(False, "--no-pull", help="Do not pull any APK.")
    max_pull_opt: Any = typer.Option(
        512, "--max-pull-mb", min=0, help="Most APK data to pull, in MiB."
    )
    timeout_opt: Any = typer.Option(
        600.0, "--session-timeout", min=1.0, help="Longest wait for one shell session, seconds."
    )
    connect_timeout_opt: Any = typer.Option(
        10.0, "--connect-timeout", min=1.0, help="Longest wait to connect, seconds."
    )
    quiet_opt: Any = typer.Option(False, "--quiet", "-q", help="No progress display.")
    indicators_opt: Any = typer.Option(
        None,
        "--indicators-dir",
        help="Indicator store used to pick APKs to pull (default: the user's store).",
        show_default=False,
    )

    @app.command(
        "collect",
        help=(
            "Read the phone, without changing it, into an acquisition folder: raw command "
            "output, APK hashes, selected APKs and manifest.json. Analyse it later with "
            "`stalkerscan check FOLDER`. Exit 4 when the phone was disconnected part-way "
            "(what was read is kept; continue with --resume FOLDER)."
        ),
    )
    def collect_command(
        serial: str | None = serial_opt,
        via: str = via_opt,
        out: Path | None = out_opt,
        resume: Path | None = resume_opt,
        deep: bool = deep_opt,
        no_hash: bool = no_hash_opt,
        no_pull: bool = no_pull_opt,
        max_pull_mb: int = max_pull_opt,
        session_timeout: float = timeout_opt,
        connect_timeout: float = connect_timeout_opt,
        quiet: bool = quiet_opt,
        indicators_dir: Path | None = indicators_opt,
    ) -> None:
        from rich.console import Console

        from stalkerscan.collect.pipeline import CollectOptions
        from stalkerscan.collect.progress import make_progress
        from stalkerscan.indicators import load_active_index
        from stalkerscan.textsafe import for_terminal

        if (out is None) == (resume is None):
            raise UsageError("Give --out NEW_FOLDER, or --resume FOLDER (one of them).")
        folder = out if out is not None else resume
        assert folder is not None
        # Indicators only decide which APKs to pull here; matching happens in `check`.
        # A missing feed is not fatal: the demo and local indicators are still used.
        index = load_active_index(indicators_dir, include_demo=True)
        options = CollectOptions(
            indicators=index,
            hashing=not no_hash,
            pull=not no_pull,
            deep=deep,
            max_pull_bytes=max_pull_mb * MiB,
            session_timeout=session_timeout,
            resume=resume is not None,
            progress=make_progress(quiet),
        )
        result = run_collect(
            serial=serial, via=via, out=folder, options=options, connect_timeout=connect_timeout
        )
        if not result.complete:
            raise result.incomplete_error()
        if not quiet:
            Console(stderr=True).print(for_terminal(result.summary(), max_len=4000))
