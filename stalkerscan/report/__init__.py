"""Reports: terminal (rich), HTML (one self-contained file) and JSON, in en, fr, de, it, es.

    from stalkerscan.report import render_all
    paths = render_all(result, out_dir, lang="fr", formats=("terminal", "html", "json"),
                       console=Console(), redact=False, org=None, clock=None)
    paths.html, paths.json          # Path | None; iterating `paths` gives the files written

`out_dir` is created 0700; files are written atomically, 0600, as `report.html` and
`report.json` (no personal data in names). `redact=True` renders a copy with no identifiers
(`stalkerscan.report.redact`). `org=None` reads the organisation config from the user's config
folder when there is one (`stalkerscan.report.config`). `clock` gives the "report written" time
(injected in tests). Jinja2 and Babel are imported only when a report is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from stalkerscan.report.i18n import DEFAULT_LANG, LANGS, default_lang

if TYPE_CHECKING:
    from rich.console import Console

    from stalkerscan.report.config import OrgConfig
    from stalkerscan.report.view import ReportView
    from stalkerscan.result import ScanResult

FORMATS: tuple[str, ...] = ("terminal", "html", "json")
DEFAULT_FORMATS: tuple[str, ...] = ("html", "json")
HTML_NAME = "report.html"
JSON_NAME = "report.json"


@dataclass(frozen=True)
class ReportPaths:
    """The report files written (None for a format not asked for)."""

    html: Path | None = None
    json: Path | None = None

    def __iter__(self) -> Iterator[Path]:
        """The files written, HTML first."""
        return iter([p for p in (self.html, self.json) if p is not None])


def write_private(path: Path, text: str) -> Path:
    """Write `text` to `path` atomically (temporary file + rename), mode 0600.

    Raises ReportError (disk full, file too big, no permission) and leaves no temporary file.
    """
    from stalkerscan.errors import ReportError
    from stalkerscan.fsutil import atomic_write

    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as err:
        raise ReportError(
            f"Could not write the report {path.name} in {path.parent}: {err.strerror or err}.",
            "Free some disk space or choose another folder with --out; no half-written report "
            "was left behind.",
        ) from err
    return path


def private_folder(path: Path) -> None:
    """Create the report folder (and parents), mode 0700; ReportError when that fails."""
    from stalkerscan.errors import ReportError
    from stalkerscan.fsutil import make_private_dir

    try:
        make_private_dir(path)
    except OSError as err:
        raise ReportError(
            f"Could not create the report folder {path}: {err.strerror or err}.",
            "Choose another folder with --out.",
        ) from err


def build_report_view(
    result: ScanResult,
    *,
    lang: str = DEFAULT_LANG,
    org: OrgConfig | None = None,
    clock: Callable[[], datetime] | None = None,
    full_serial: str | None = None,
) -> ReportView:
    """The translated report content (what every human-readable renderer shows)."""
    from stalkerscan.report.i18n import translator
    from stalkerscan.report.view import build_view

    now = clock() if clock is not None else datetime.now(UTC)
    return build_view(result, translator(lang), generated_at=now, org=org, full_serial=full_serial)


def render_all(
    result: ScanResult,
    out_dir: Path,
    *,
    lang: str = DEFAULT_LANG,
    formats: Sequence[str] = DEFAULT_FORMATS,
    console: Console | None = None,
    redact: bool = False,
    org: OrgConfig | None = None,
    clock: Callable[[], datetime] | None = None,
    full_serial: str | None = None,
) -> ReportPaths:
    """Render `result` in `formats` ("terminal" prints on `console`); returns the files written."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or lang not in LANGS:
        raise ValueError(f"unknown report format or language: {unknown or lang!r}")
    if redact:
        from stalkerscan.report.redact import redact as redact_result

        result = redact_result(result)
        full_serial = None
    if org is None:
        from stalkerscan.report.config import load_org_config

        org = load_org_config()
    view = build_report_view(result, lang=lang, org=org, clock=clock, full_serial=full_serial)
    html_path = json_path = None
    if "html" in formats or "json" in formats:
        private_folder(out_dir)
    if "html" in formats:
        from stalkerscan.report.html import render_html

        html_path = write_private(out_dir / HTML_NAME, render_html(view))
    if "json" in formats:
        from stalkerscan.report.json_report import render_json

        json_path = write_private(out_dir / JSON_NAME, render_json(result))
    if "terminal" in formats:
        from stalkerscan.report.terminal import render_terminal

        if console is None:
            from rich.console import Console

            console = Console(highlight=False)
        render_terminal(view, console)
    return ReportPaths(html=html_path, json=json_path)


__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "LANGS",
    "ReportPaths",
    "build_report_view",
    "default_lang",
    "render_all",
    "write_private",
]
