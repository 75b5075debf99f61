"""`stalkerscan scan`: collect (read-only) + check + report, in one command.

The acquisition is written beside the reports (`OUT/acquisition/`), so the raw data behind a
report stays with it and `stalkerscan check OUT/acquisition` reproduces the same findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    JsonOption,
    LangOption,
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
from stalkerscan.commands.check import (
    check_acquisition,
    default_out,
    exit_code_for,
    load_detection,
    private_dir,
    report_and_print,
    report_settings_for,
    utc_now,
)
from stalkerscan.report.options import (
    FullSerialOption,
    OrgConfigOption,
    RedactOption,
    resolve_lang,
)

ACQUISITION_DIR = "acquisition"


def register(app: typer.Typer) -> None:
    """Add `scan` to the CLI."""

    @app.command(
        "scan",
        help=(
            "Read the phone (without changing it), analyse what was read and write the "
            "reports, with the acquisition beside them. Exit 1 when something at medium or "
            "above is found, 4 when the scan was incomplete, 0 otherwise."
        ),
    )
    def scan_command(
        serial: SerialOption = None,
        via: ViaOption = "auto",
        out: Annotated[
            Path | None,
            out_option("New folder for the reports and the acquisition (default: reports/<time>)."),
        ] = None,
        indicators_dir: IndicatorsDirOption = None,
        lang: LangOption = None,
        json_out: JsonOption = False,
        redact: RedactOption = False,
        org_config: OrgConfigOption = None,
        full_serial: FullSerialOption = False,
        deep: DeepOption = False,
        no_hash: NoHashOption = False,
        no_pull: NoPullOption = False,
        max_pull_mb: MaxPullOption = DEFAULT_MAX_PULL_MB,
        session_timeout: SessionTimeoutOption = DEFAULT_SESSION_TIMEOUT,
        connect_timeout: ConnectTimeoutOption = DEFAULT_CONNECT_TIMEOUT,
        use_adb_key: UseAdbKeyOption = False,
        auth_timeout: AuthTimeoutOption = DEFAULT_AUTH_TIMEOUT,
        quiet: QuietOption = False,
        wait: Annotated[
            float,
            typer.Option(
                "--wait",
                min=0.0,
                metavar="SECONDS",
                help=(
                    "When no phone is connected: show how to connect one, and wait this long "
                    "for it."
                ),
            ),
        ] = 120.0,
        resume: Annotated[
            Path | None,
            typer.Option(
                "--resume",
                metavar="ACQUISITION",
                help=(
                    "Continue an incomplete scan's acquisition folder (same phone), then "
                    "analyse it; the reports are written beside it unless --out says otherwise."
                ),
                show_default=False,
            ),
        ] = None,
        training: Annotated[
            bool,
            typer.Option(
                "--training",
                hidden=True,
                help="Set by `stalkerscan demo`: the fictional training feed is used on purpose.",
            ),
        ] = False,
    ) -> None:
        from rich.console import Console
        from rich.markup import escape

        from stalkerscan import guide
        from stalkerscan.commands._options import collect_options
        from stalkerscan.commands.collect import run_collect
        from stalkerscan.errors import UsageError
        from stalkerscan.textsafe import for_terminal

        lang = resolve_lang(lang)
        # Validated before waiting for a phone: a bad --org-config fails at once.
        settings = report_settings_for(
            lang, redact=redact, org_config=org_config, full_serial=False, acquisition=None
        )
        err = Console(stderr=True)
        if resume is not None:
            from stalkerscan.collect.manifest import load_manifest

            load_manifest(resume)  # a clear AcquisitionError before waiting for a phone
        # No phone yet: the step-by-step guide and a wait (issue 8); exit 3 on timeout.
        serial = guide.wait_for_phone(serial, via=via, timeout=wait, console=err, lang=lang)
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
        options = collect_options(
            indicators=index,
            deep=deep,
            no_hash=no_hash,
            no_pull=no_pull,
            max_pull_mb=max_pull_mb,
            session_timeout=session_timeout,
            resume=resume is not None,
            quiet=quiet or json_out,
        )
        if not (quiet or json_out):
            guide.print_before_collect(err, lang=lang)
        collected = run_collect(
            serial=serial,
            via=via,
            out=acquisition,
            options=options,
            connect_timeout=connect_timeout,
            use_adb_key=use_adb_key,
            auth_timeout=auth_timeout,
        )
        if not collected.complete and not json_out:
            err.print(
                "[yellow]The collection is incomplete:[/yellow] "
                + for_terminal(collected.summary(), max_len=2000)
            )
        result = check_acquisition(acquisition, index, rule_sets, now=utc_now())
        if training:
            # The demo's report does not warn that no real feed is installed (it is a demo).
            provenance = result.provenance.model_copy(update={"training": True})
            result = result.model_copy(update={"provenance": provenance})
        if full_serial:
            settings = report_settings_for(
                lang,
                redact=redact,
                org_config=org_config,
                full_serial=True,
                acquisition=acquisition,
            )
        report_and_print(result, out_dir, lang=lang, as_json=json_out, settings=settings)
        if not json_out:
            guide.print_after_scan(err, out_dir, serial=serial, lang=lang, acquisition=acquisition)
        raise typer.Exit(exit_code_for(result))
