"""The terminal report (rich): the same content as the HTML report, for the desk-side screen.

Device data goes through `textsafe.for_terminal` (control characters made visible, rich markup
escaped); our own translated text through `rich.markup.escape` (a translation may contain `[`).
Nothing from the phone is ever interpreted as markup or sent raw to the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stalkerscan.report.view import AppView, ReportView, Sentence
from stalkerscan.textsafe import for_terminal

if TYPE_CHECKING:
    from rich.console import Console

_SEVERITY_STYLE = {"high": "bold red", "medium": "bold yellow", "low": "cyan", "info": "dim"}
_STATUS_STYLE = {"performed": "green", "skipped": "yellow", "failed": "red", "untrusted": "red"}
_VERDICT_STYLE = {"found": "red", "incomplete": "yellow", "nothing_found": "blue"}


def t(text: str) -> str:
    """Our own (translated) text, escaped for rich markup."""
    from rich.markup import escape

    return escape(text)


def d(text: str, max_len: int = 300) -> str:
    """Device or feed data, made harmless and shown in its own style."""
    return f"[italic]{for_terminal(text, max_len=max_len)}[/italic]"


def s(sentence: Sentence) -> str:
    """A sentence of translated text and data parts, as rich markup."""
    return "".join(d(p.text) if p.data else t(p.text) for p in sentence)


def _app_lines(app: AppView, view: ReportView) -> list[str]:
    lab = view.labels
    c = t(lab["colon"]) + " "
    lines: list[str] = []
    if app.package is not None and app.package != app.name:
        lines.append(f"{t(lab['package'])}{c}{d(app.package)}")
    if app.family:
        lines.append(f"{t(lab['family'])}{c}{d(app.family)}")
    style = _SEVERITY_STYLE.get(app.risk, "bold")
    lines.append(
        f"{t(lab['category'])}{c}{t(app.category_text)}   "
        f"{t(lab['risk'])}{c}[{style}]{t(app.risk_text)}[/{style}]   "
        f"{t(lab['confidence'])}{c}{t(app.confidence_text)}"
    )
    if app.users_text:
        lines.append(t(app.users_text))
    if app.capabilities:
        lines.append(f"[bold]{t(lab['can_do'])}[/bold]")
        lines.extend(f"  • {t(c)}" for c in app.capabilities)
    if app.reasons:
        lines.append(f"[bold]{t(lab['why'])}[/bold]")
        lines.extend(f"  • {s(r)}" for r in app.reasons)
    if app.findings:
        lines.append(f"[bold]{t(lab['findings'])}[/bold]")
        for f in app.findings:
            fs = _SEVERITY_STYLE.get(f.severity, "bold")
            lines.append(
                f"  • [{fs}]{t(f.severity_text)}[/{fs}] {t(f.title)} "
                f"[dim]({t(f.rule)}; {t(lab['sure_short'])}{c}{t(f.confidence_text)})[/dim]"
            )
    if app.evidence:
        lines.append(f"[bold]{t(lab['evidence'])}[/bold]")
        lines.extend(f"  {t(row.label)}{c}{s(row.value)}" for row in app.evidence)
    return lines


def render_terminal(view: ReportView, console: Console) -> None:
    """Print the report on a rich console."""
    from rich.panel import Panel
    from rich.rule import Rule
    from rich.table import Table

    vstyle = _VERDICT_STYLE.get(view.verdict, "bold")
    console.print(Rule(t(view.title)))
    verdict = [f"[bold {vstyle}]{t(view.verdict_text)}[/bold {vstyle}]"]
    verdict += [f"[bold]{t(n)}[/bold]" for n in view.verdict_notes]
    if view.summary:
        verdict.append(t(view.summary))
    if view.redacted_note:
        verdict.append(f"[dim]{t(view.redacted_note)}[/dim]")
    console.print(Panel("\n".join(verdict), border_style=vstyle))

    safety = [f"[bold]{t(view.safety_items[0])}[/bold]"]
    safety += [f"• {t(item)}" for item in view.safety_items[1:]]
    safety.append("")
    safety.append(f"[bold]{t(view.org_title)}[/bold]")
    if view.org_name:
        safety.append(d(view.org_name))
    for name, rows in view.org_contacts:
        safety.append(f"• {d(name)}")
        safety.extend(f"    {t(r.label)}{t(view.labels['colon'])} {s(r.value)}" for r in rows)
    if view.org_note:
        safety.append(d(view.org_note, max_len=1000))
    if view.org_default:
        safety.append(t(view.org_default))
    console.print(Panel("\n".join(safety), title=t(view.safety_title), border_style="bold yellow"))

    console.print(Rule(t(view.apps_title)))
    if view.none_found:
        console.print(t(view.none_found))
    else:
        console.print(f"[dim]{t(view.apps_intro)}[/dim]")
    for app in view.terminal_apps:  # the others are counted in view.terminal_more
        style = _SEVERITY_STYLE.get(app.risk, "bold")
        console.print(
            Panel(
                "\n".join(_app_lines(app, view)),
                title=f"[{style}]{t(app.risk_text)}[/{style}] {d(app.name, max_len=80)}",
                title_align="left",
                border_style=style.replace("bold ", ""),
            )
        )
    if view.terminal_more:
        console.print(f"[bold]{t(view.terminal_more)}[/bold]")
    if view.device_findings:
        console.print(f"[bold]{t(view.device_title)}[/bold]")
        for dev in view.device_findings:
            style = _SEVERITY_STYLE.get(dev.risk, "bold")
            console.print(
                Panel(
                    "\n".join(_app_lines(dev, view)),
                    title=f"[{style}]{t(dev.risk_text)}[/{style}] {t(dev.name)}",
                    title_align="left",
                    border_style=style.replace("bold ", ""),
                )
            )

    console.print(Rule(t(view.cannot_see_title)))
    console.print(t(view.cannot_see_intro))
    for item in view.cannot_see:
        console.print(f"  ☐ {t(item)}")

    console.print(Rule(t(view.after_title)))
    for i, item in enumerate(view.after_items, 1):
        console.print(f"  {i}. {t(item)}")

    console.print(Rule(t(view.coverage_title)))
    console.print(f"{t(view.coverage_intro)} {t(view.coverage_counts)}")
    table = Table(show_lines=False, expand=True)
    table.add_column(t(view.labels["check"]), ratio=3)
    table.add_column(t(view.labels["status"]), no_wrap=True)
    table.add_column(t(view.labels["reason"]), ratio=4)
    # Raw-data rows that went fine are many and say little on a screen; the HTML lists all.
    raw = [r for r in view.coverage_raw if r.status != "performed"]
    for row in [*view.coverage, *raw]:
        st = _STATUS_STYLE.get(row.status, "bold")
        table.add_row(
            (f"{t(view.coverage_raw_title)}{t(view.labels['colon'])} " if row in raw else "")
            + s(row.name),
            f"[{st}]{t(row.status_text)}[/{st}]",
            s(row.reason) if row.reason else "",
        )
    console.print(table)

    console.print(Rule(t(view.provenance_title)))
    prov = Table(show_header=False, box=None, expand=True)
    prov.add_column(ratio=1)
    prov.add_column(ratio=3, overflow="fold")
    for r in view.provenance:
        prov.add_row(t(r.label), s(r.value))
    console.print(prov)
    console.print(f"[dim]{t(view.footer)}[/dim]")
