"""`stalkerscan check ACQUISITION`: analyse a saved acquisition with the current feeds and rules.

No phone is needed: an acquisition collected months ago can be checked again after a feed
update. The pieces are reusable by `scan` (collect + check) and the demo:

    index, rule_sets = load_detection(indicators_dir)
    result = check_acquisition(folder, index, rule_sets, now=...)
    report_and_print(result, out_dir, lang=..., as_json=False)   # terminal + HTML + JSON
    raise typer.Exit(exit_code_for(result))
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stalkerscan.commands._options import IndicatorsDirOption, JsonOption, LangOption, out_option
from stalkerscan.errors import ExitCode
from stalkerscan.report.options import (
    FullSerialOption,
    OrgConfigOption,
    RedactOption,
    resolve_lang,
)

if TYPE_CHECKING:
    from rich.console import Console

    from stalkerscan.indicators.index import IndicatorIndex
    from stalkerscan.report.options import ReportSettings
    from stalkerscan.result import ScanResult
    from stalkerscan.rules import RuleSet


def utc_now() -> datetime:
    """The scan clock (injected in tests)."""
    return datetime.now(UTC)


def load_detection(
    indicators_dir: Path | None = None, *, warn: Callable[[str], None] | None = None
) -> tuple[IndicatorIndex, list[RuleSet]]:
    """The index (active Echap feed + demo feed + local indicators) and compiled YARA rule sets.

    A feed `rules.yar` that does not compile is left out (with a warning); the project's own
    rules must compile (RuleError otherwise).
    """
    from stalkerscan.errors import RuleError
    from stalkerscan.indicators import active_rules_path, load_active_index
    from stalkerscan.rules import compile_rules

    index = load_active_index(indicators_dir, include_demo=True)
    feed_rules = active_rules_path(indicators_dir)
    try:
        rule_sets = compile_rules(feed_rules=feed_rules)
    except RuleError as err:
        if feed_rules is None:
            raise
        if warn is not None:
            warn(f"The feed's YARA rules were not used: {err.message}")
        rule_sets = compile_rules()
    return index, rule_sets


def check_acquisition(
    folder: Path,
    index: IndicatorIndex,
    rule_sets: list[RuleSet],
    *,
    now: datetime,
) -> ScanResult:
    """Build the evidence of one acquisition folder and analyse it."""
    from stalkerscan.analyse import analyse
    from stalkerscan.evidence.build import build_evidence

    evidence = build_evidence(folder, rule_sets=rule_sets)
    return analyse(evidence, index, now=now, rule_sets=[rs.info for rs in rule_sets])


def private_dir(path: Path) -> None:
    """Create `path` (and parents) and make it 0700."""
    from stalkerscan.fsutil import make_private_dir

    make_private_dir(path)


def write_reports(
    result: ScanResult,
    out_dir: Path,
    *,
    lang: str = "en",
    console: Console | None = None,
    settings: ReportSettings | None = None,
) -> list[Path]:
    """Write report.html and report.json into `out_dir` (0700; files 0600) and, when a console
    is given, print the terminal report on it; returns the files written. `settings` carries
    --redact, --org-config and --full-serial (its language wins over `lang`)."""
    import errno

    from stalkerscan.errors import ReportError
    from stalkerscan.report import render_all

    formats = ("terminal", "html", "json") if console is not None else ("html", "json")
    try:
        private_dir(out_dir)
        extra = settings.render_kwargs() if settings is not None else {"lang": lang}
        return list(render_all(result, out_dir, formats=formats, console=console, **extra))
    except OSError as err:
        full = err.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
        why = "the disk is full" if full else (err.strerror or str(err))
        raise ReportError(
            f"The report could not be written to {out_dir}: {why}.",
            "Free some space (or choose another folder with --out) and run "
            "`stalkerscan check` on the acquisition again; the acquisition itself is kept.",
        ) from err


def exit_code_for(result: ScanResult) -> int:
    """1 when something at medium or above was found, 4 when incomplete, 0 otherwise."""
    from stalkerscan.result import Verdict

    if result.verdict == Verdict.FOUND:
        return int(ExitCode.FINDINGS)
    if result.verdict == Verdict.INCOMPLETE:
        return int(ExitCode.INCOMPLETE)
    return int(ExitCode.NOTHING_FOUND)


def report_and_print(
    result: ScanResult,
    out_dir: Path,
    *,
    lang: str,
    as_json: bool,
    settings: ReportSettings | None = None,
) -> list[Path]:
    """Write the reports; print the terminal report, or the JSON result with `as_json`
    (redacted too when `settings.redact`)."""
    from rich.console import Console

    from stalkerscan.textsafe import for_terminal

    if as_json:
        written = write_reports(result, out_dir, lang=lang, settings=settings)
        if settings is not None and settings.redact:
            from stalkerscan.report.redact import redact

            result = redact(result)
        typer.echo(result.model_dump_json(indent=2))
        return written
    console = Console(highlight=False)
    written = write_reports(result, out_dir, lang=lang, console=console, settings=settings)
    for path in written:
        console.print(f"Report: {for_terminal(str(path), max_len=400)}")
    return written


def default_out(now: datetime) -> Path:
    """`reports/<UTC time>`: no personal data in the name."""
    return Path("reports") / now.strftime("%Y%m%d-%H%M%S")


def report_settings_for(
    lang: str | None,
    *,
    redact: bool,
    org_config: Path | None,
    full_serial: bool,
    acquisition: Path | None,
) -> ReportSettings:
    """The validated report options; with `full_serial`, the phone's serial from the
    acquisition's manifest (the result itself keeps only a shortened one)."""
    from dataclasses import replace

    from stalkerscan.report.options import report_settings

    settings = report_settings(lang, redact=redact, org_config=org_config)
    if full_serial and not redact and acquisition is not None:
        from stalkerscan.collect.manifest import load_manifest

        device = load_manifest(acquisition).device
        settings = replace(settings, full_serial=device.device_serial or device.serial)
    return settings


def register(app: typer.Typer) -> None:
    """Add `check` to the CLI."""

    @app.command(
        "check",
        help=(
            "Analyse a saved acquisition (from `stalkerscan collect`) with the current "
            "indicator feeds and YARA rules; no phone needed. Exit 1 when something at medium "
            "or above is found, 4 when the check was incomplete, 0 otherwise."
        ),
    )
    def check_command(
        acquisition: Annotated[Path, typer.Argument(help="The acquisition folder.")],
        indicators_dir: IndicatorsDirOption = None,
        out: Annotated[
            Path | None, out_option("Folder for the reports (default: reports/<time>).")
        ] = None,
        lang: LangOption = None,
        json_out: JsonOption = False,
        redact: RedactOption = False,
        org_config: OrgConfigOption = None,
        full_serial: FullSerialOption = False,
    ) -> None:
        from rich.console import Console
        from rich.markup import escape

        from stalkerscan.collect.manifest import load_manifest

        lang = resolve_lang(lang)
        load_manifest(acquisition)  # a clear AcquisitionError before any slow step
        settings = report_settings_for(
            lang,
            redact=redact,
            org_config=org_config,
            full_serial=full_serial,
            acquisition=acquisition,
        )
        err = Console(stderr=True)
        index, rule_sets = load_detection(indicators_dir, warn=lambda m: err.print(escape(m)))
        now = utc_now()
        result = check_acquisition(acquisition, index, rule_sets, now=now)
        report_and_print(
            result, out or default_out(now), lang=lang, as_json=json_out, settings=settings
        )
        raise typer.Exit(exit_code_for(result))
