"""Report options shared by the commands that write reports (`check`, `scan`, `demo`).

    from stalkerscan.report.options import (
        FullSerialOption, LangOption, OrgConfigOption, RedactOption, report_settings,
    )

    def check(..., lang: LangOption = None, redact: RedactOption = False,
              org_config: OrgConfigOption = None) -> None:
        settings = report_settings(lang, redact=redact, org_config=org_config)
        render_all(result, out, **settings.render_kwargs())

Nothing heavy is imported here (`stalkerscan --help` may import this module).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from stalkerscan.report.i18n import LANGS, default_lang

if TYPE_CHECKING:
    from stalkerscan.report.config import OrgConfig

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="LANG",
        help=(
            "Report language: en, fr, de, it or es (default: the system's language when it is "
            "one of them, else English)."
        ),
        show_default=False,
    ),
]
RedactOption = Annotated[
    bool,
    typer.Option(
        "--redact",
        help=(
            "Write the reports for training material, with no identifiers (no serial number, "
            "times, acquisition fingerprint, or names of apps no indicator list knows)."
        ),
    ),
]
OrgConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--org-config",
        metavar="FILE",
        help=(
            "Your organisation's helpline and service contacts for the safety box (YAML; "
            "default: organisation.yaml in the user's config folder, if there is one)."
        ),
        show_default=False,
    ),
]
FullSerialOption = Annotated[
    bool,
    typer.Option("--full-serial", help="Show the phone's full serial number in the report."),
]


@dataclass(frozen=True)
class ReportSettings:
    """The validated report options."""

    lang: str
    redact: bool = False
    org: OrgConfig | None = None
    full_serial: str | None = None  # the phone's whole serial, only with --full-serial

    def render_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `stalkerscan.report.render_all`."""
        return {
            "lang": self.lang,
            "redact": self.redact,
            "org": self.org,
            "full_serial": self.full_serial,
        }


def resolve_lang(lang: str | None) -> str:
    """The report language: the one given (validated) or the system default."""
    from stalkerscan.errors import UsageError

    if lang is None:
        return default_lang()
    value = lang.strip().lower()
    if value not in LANGS:
        raise UsageError(f"Unknown language {lang!r}.", f"Use one of: {', '.join(LANGS)}.")
    return value


def report_settings(
    lang: str | None, *, redact: bool = False, org_config: Path | None = None
) -> ReportSettings:
    """Validate the options; reads the organisation config (errors are UsageError/ConfigError)."""
    from stalkerscan.report.config import OrgConfig, load_org_config

    org = load_org_config(org_config) or OrgConfig()
    return ReportSettings(lang=resolve_lang(lang), redact=redact, org=org)
