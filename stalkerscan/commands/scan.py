"""`stalkerscan scan`: collect (read-only) + check + report, in one command.

The acquisition is written beside the reports (`OUT/acquisition/`), so the raw data behind a
report stays with it and `stalkerscan check OUT/acquisition` reproduces the same findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from stalkerscan.commands.check import (
    check_acquisition,
    check_lang,
    default_out,
    exit_code_for,
    load_detection,
    private_dir,
    report_and_print,
    utc_now,
)

MiB = 1024 * 1024
ACQUISITION_DIR = "acquisition"


def register(app: typer.Typer) -> None:
    """Add `scan` to the CLI."""
    serial_opt: Any = typer.Option(
        None, "--serial", "-s", help="Which phone (USB serial, or HOST:PORT for TCP)."
    )
    via_opt: Any = typer.Option(
        "auto", "--via", help="How to reach the phone: auto, usb, tcp or adb-server."
    )
    out_opt: Any = typer.Option(
        None,
        "--out",
        "-o",
        help="New folder for the reports and the acquisition (default: reports/<time>).",
        show_default=False,
    )
    indicators_opt: Any = typer.Option(
        None,
        "--indicators-dir",
        help="Indicator store to use (default: the user's store).",
        show_default=False,
    )
    lang_opt: Any = typer.Option(
        None,
        "--lang",
        help="Report language: en, fr, de, it, es (default: the system's, else English).",
        show_default=False,
    )
    json_opt: Any = typer.Option(False, "--json", help="Print the JSON result on stdout.")
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
    resume_opt: Any = typer.Option(
        None,
        "--resume",
        metavar="ACQUISITION",
        help=(
            "Continue an incomplete scan's acquisition folder (same phone), then analyse it; "
            "the reports are written beside it unless --out says otherwise."
        ),
        show_default=False,
    )
    wait_opt: Any = typer.Option(
        120.0,
        "--wait",
        min=0.0,
        metavar="SECONDS",
        help="When no phone is connected: show how to connect one, and wait this long for it.",
    )

    @app.command(
        "scan",
        help=(
            "Read the phone (without changing it), analyse what was read and write the "
            "reports, with the acquisition beside them. Exit 1 when something at medium or "
            "above is found, 4 when the scan was incomplete, 0 otherwise."
        ),
    )
    def scan_command(
        serial: str | None = serial_opt,
        via: str = via_opt,
        out: Path | None = out_opt,
        indicators_dir: Path | None = indicators_opt,
        lang: str | None = lang_opt,
        json_out: bool = json_opt,
        deep: bool = deep_opt,
        no_hash: bool = no_hash_opt,
        no_pull: bool = no_pull_opt,
        max_pull_mb: int = max_pull_opt,
        session_timeout: float = timeout_opt,
        connect_timeout: float = connect_timeout_opt,
        quiet: bool = quiet_opt,
        wait: float = wait_opt,
        resume: Path | None = resume_opt,
    ) -> None:
        from rich.console import Console
        from rich.markup import escape

        from stalkerscan import guide
        from stalkerscan.collect.pipeline import CollectOptions
        from stalkerscan.collect.progress import make_progress
        from stalkerscan.commands.collect import run_collect
        from stalkerscan.errors import UsageError
        from stalkerscan.textsafe import for_terminal

        lang = check_lang(lang)
        err = Console(stderr=True)
        if resume is not None:
            from stalkerscan.collect.manifest import load_manifest

            load_manifest(resume)  # a clear AcquisitionError before waiting for a phone
        # No phone yet: the step-by-step guide and a wait (issue 8); exit 3 on timeout.
        serial = guide.wait_for_phone(serial, via=via, timeout=wait, console=err)
        now = utc_now()
        if resume is not None:
            acquisition = resume
            out_dir = out or resume.resolve().parent
        else:
            out_dir = out or default_out(now)
            acquisition = out_dir / ACQUISITION_DIR
            if acquisition.exists():
                raise UsageError(
                    f"{out_dir} already holds an acquisition.",
                    f"Give a new folder with --out, or continue it with --resume {acquisition}.",
                )
        index, rule_sets = load_detection(indicators_dir, warn=lambda m: err.print(escape(m)))
        private_dir(out_dir)
        options = CollectOptions(
            hashing=not no_hash,
            pull=not no_pull,
            deep=deep,
            max_pull_bytes=max_pull_mb * MiB,
            session_timeout=session_timeout,
            resume=resume is not None,
            indicators=index,
            progress=make_progress(quiet or json_out),
        )
        if not (quiet or json_out):
            guide.print_before_collect(err)
        collected = run_collect(
            serial=serial,
            via=via,
            out=acquisition,
            options=options,
            connect_timeout=connect_timeout,
        )
        if not collected.complete and not json_out:
            err.print(
                "[yellow]The collection is incomplete:[/yellow] "
                + for_terminal(collected.summary(), max_len=2000)
            )
        result = check_acquisition(acquisition, index, rule_sets, now=utc_now())
        report_and_print(result, out_dir, lang=lang, as_json=json_out)
        if not json_out:
            err.print(f"Acquisition: {for_terminal(str(acquisition), max_len=400)}")
            guide.print_after_scan(err, out_dir, serial=serial)
        raise typer.Exit(exit_code_for(result))
