"""`stalkerscan collect`: read the phone (read-only) into an acquisition folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stalkerscan.commands._options import (
    DEFAULT_AUTH_TIMEOUT,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_PULL_MB,
    DEFAULT_SESSION_TIMEOUT,
    AuthTimeoutOption,
    ConnectTimeoutOption,
    DeepOption,
    IndicatorsDirOption,
    MaxPullOption,
    NoHashOption,
    NoPullOption,
    QuietOption,
    SerialOption,
    SessionTimeoutOption,
    UseAdbKeyOption,
    ViaOption,
    out_option,
)
from stalkerscan.errors import UsageError

if TYPE_CHECKING:
    from stalkerscan.collect.pipeline import AcquisitionResult, CollectOptions


def run_collect(
    *,
    serial: str | None,
    via: str,
    out: Path,
    options: CollectOptions,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    use_adb_key: bool = False,
    auth_timeout: float = DEFAULT_AUTH_TIMEOUT,
) -> AcquisitionResult:
    """Open the phone, collect into `out`, close the phone; raises DeviceError if nothing read."""
    from stalkerscan.collect.pipeline import collect
    from stalkerscan.commands._options import open_phone

    try:
        transport = open_phone(
            serial,
            via=via,
            use_adb_key=use_adb_key,
            auth_timeout=auth_timeout,
            connect_timeout=connect_timeout,
        )
    except BaseException:
        options.progress.close()  # never leave a live display (and a hidden cursor) behind
        raise
    try:
        return collect(transport, out, options)
    finally:
        transport.close()


def register(app: typer.Typer) -> None:
    """Add `collect` to the CLI."""

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
        serial: SerialOption = None,
        via: ViaOption = "auto",
        out: Annotated[Path | None, out_option("New folder to write the acquisition into.")] = None,
        resume: Annotated[
            Path | None,
            typer.Option(
                "--resume",
                help="Continue an incomplete acquisition in this folder (same phone).",
                show_default=False,
            ),
        ] = None,
        deep: DeepOption = False,
        no_hash: NoHashOption = False,
        no_pull: NoPullOption = False,
        max_pull_mb: MaxPullOption = DEFAULT_MAX_PULL_MB,
        session_timeout: SessionTimeoutOption = DEFAULT_SESSION_TIMEOUT,
        connect_timeout: ConnectTimeoutOption = DEFAULT_CONNECT_TIMEOUT,
        use_adb_key: UseAdbKeyOption = False,
        auth_timeout: AuthTimeoutOption = DEFAULT_AUTH_TIMEOUT,
        quiet: QuietOption = False,
        indicators_dir: IndicatorsDirOption = None,
    ) -> None:
        from rich.console import Console

        from stalkerscan.commands._options import collect_options
        from stalkerscan.indicators import load_active_index
        from stalkerscan.textsafe import for_terminal

        if (out is None) == (resume is None):
            raise UsageError("Give --out NEW_FOLDER, or --resume FOLDER (one of them).")
        folder = out if out is not None else resume
        assert folder is not None
        # Indicators only decide which APKs to pull here; matching happens in `check`.
        # A missing feed is not fatal: the demo and local indicators are still used.
        index = load_active_index(indicators_dir, include_demo=True)
        options = collect_options(
            indicators=index,
            deep=deep,
            no_hash=no_hash,
            no_pull=no_pull,
            max_pull_mb=max_pull_mb,
            session_timeout=session_timeout,
            resume=resume is not None,
            quiet=quiet,
        )
        result = run_collect(
            serial=serial,
            via=via,
            out=folder,
            options=options,
            connect_timeout=connect_timeout,
            use_adb_key=use_adb_key,
            auth_timeout=auth_timeout,
        )
        if not result.complete:
            raise result.incomplete_error()
        if not quiet:
            Console(stderr=True).print(for_terminal(result.summary(), max_len=4000))
