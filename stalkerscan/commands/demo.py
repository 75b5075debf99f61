"""`stalkerscan demo`: scan a simulated phone with fictional apps, for trainers and first runs.

The simulated phone (stalkerscan.simulator) runs in a background thread on 127.0.0.1 with a
port the system picks; the demo then runs the very `stalkerscan scan` command against it
(`scan --serial 127.0.0.1:PORT`), so collection, hashing, pulling, analysis, matching and the
reports are the real pipeline over the real ADB protocol. The phone is stopped afterwards, also
on Ctrl-C or an error. The scenario's phone has no latency (the profiles' link model is zero);
`--standard-link` slows it to the benchmarks' USB 2.0 phone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from stalkerscan.commands._options import IndicatorsDirOption, LangOption, out_option
from stalkerscan.errors import UsageError
from stalkerscan.report.options import FullSerialOption, OrgConfigOption, RedactOption

if TYPE_CHECKING:
    from rich.console import Console

    from stalkerscan.simulator.scenarios import ScenarioInfo

DEFAULT_SCENARIO = "covert"


def trainer_scenarios() -> list[ScenarioInfo]:
    """The scenarios a trainer can pick, in the order `demo --list` shows them."""
    from stalkerscan.simulator.scenarios import list_scenarios

    return list_scenarios()


def pick_scenario(name: str) -> ScenarioInfo:
    """The trainer scenario called `name`; UsageError naming the choices otherwise."""
    scenarios = trainer_scenarios()
    for info in scenarios:
        if info.name == name.strip().lower():
            return info
    names = ", ".join(i.name for i in scenarios)
    raise UsageError(
        f"There is no demo scenario named {name!r}.",
        f"Choose one of: {names} (`stalkerscan demo --list` describes them).",
    )


def print_scenarios(console: Console) -> None:
    """Describe every trainer scenario and how to run it."""
    from rich.markup import escape
    from rich.padding import Padding

    console.print("[bold]Demo scenarios[/bold] (every app and phone in them is fictional):")
    for info in trainer_scenarios():
        default = " (default)" if info.name == DEFAULT_SCENARIO else ""
        console.print()
        console.print(f"[bold]{escape(info.name)}[/bold]{default}: {escape(info.title)}")
        console.print(Padding(escape(info.description), (0, 0, 0, 2)))
        console.print(f"  Run it: stalkerscan demo --scenario {escape(info.name)}", soft_wrap=True)
    console.print()
    console.print(
        "To scan a scenario from another program or a second computer, run "
        "`stalkerscan simulate --scenario NAME` and connect to the address it prints."
    )


def default_demo_out(scenario: str, now: datetime | None = None) -> Path:
    """A new folder `reports/demo-<scenario>-<UTC time>` in the current directory (in the
    system's temporary folder when the current directory cannot be written to)."""
    import os
    import tempfile

    now = now or datetime.now(UTC)
    parent = Path("reports")
    writable = parent if parent.is_dir() else Path.cwd()
    if not os.access(writable, os.W_OK | os.X_OK):
        parent = Path(tempfile.gettempdir()) / "stalkerscan-demo-reports"
    base = parent / f"demo-{scenario}-{now.strftime('%Y%m%d-%H%M%S')}"
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out


def scan_args(
    serial: str,
    out: Path,
    *,
    lang: str | None,
    indicators_dir: Path | None,
    redact: bool = False,
    org_config: Path | None = None,
    full_serial: bool = False,
) -> list[str]:
    """The `stalkerscan scan` arguments the demo runs against the simulated phone."""
    args = ["--serial", serial, "--out", str(out), "--training"]
    if lang is not None:
        args += ["--lang", lang]
    if indicators_dir is not None:
        args += ["--indicators-dir", str(indicators_dir)]
    if redact:
        args.append("--redact")
    if org_config is not None:
        args += ["--org-config", str(org_config)]
    if full_serial:
        args.append("--full-serial")
    return args


def run_scan_command(args: list[str]) -> int:
    """Run the `scan` command itself (its code path, options and output) and return its exit
    code; errors it raises (StalkerscanError, usage errors) propagate to the CLI."""
    from stalkerscan.commands import scan

    scan_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    scan.register(scan_app)
    command = typer.main.get_command(scan_app)
    rv = command.main(args=args, prog_name="stalkerscan scan", standalone_mode=False)
    return rv if isinstance(rv, int) else 0


def run_demo(
    scenario: str,
    *,
    out: Path | None,
    lang: str | None,
    indicators_dir: Path | None = None,
    standard_link: bool = False,
    redact: bool = False,
    org_config: Path | None = None,
    full_serial: bool = False,
    console: Console,
) -> int:
    """Start the scenario's simulated phone, scan it with `scan`, stop the phone; exit code."""
    from rich.markup import escape

    from stalkerscan.simulator.profile import STANDARD_LINK, Profile
    from stalkerscan.simulator.scenarios import resolve
    from stalkerscan.simulator.server import SimulatedPhone

    info = pick_scenario(scenario)
    out_dir = out if out is not None else default_demo_out(info.name)
    console.print(
        f"[bold]stalkerscan demo[/bold]: scanning a simulated phone, scenario "
        f"[bold]{escape(info.name)}[/bold] ({escape(info.title)}). The phone and its apps are "
        "fictional; no real phone is touched.",
        highlight=False,
    )
    profile = Profile.load(resolve(info.name))
    if standard_link:
        profile = profile.with_changes(
            link={**STANDARD_LINK, "max_payload": profile.link.max_payload}
        )
    phone = SimulatedPhone(profile, host="127.0.0.1", port=0)
    try:
        phone.start()
        speed = "like a USB 2.0 phone" if standard_link else "with no delay"
        console.print(
            f"The simulated phone answers on {phone.serial_tcp} (this computer only, {speed}).",
            highlight=False,
        )
        # One line, never wrapped: a trainer may copy it to show the same scan by hand.
        console.print(
            f"Running: stalkerscan scan --serial {phone.serial_tcp} --out {escape(str(out_dir))}",
            highlight=False,
            soft_wrap=True,
        )
        console.print()
        code = run_scan_command(
            scan_args(
                phone.serial_tcp,
                out_dir,
                lang=lang,
                indicators_dir=indicators_dir,
                redact=redact,
                org_config=org_config,
                full_serial=full_serial,
            )
        )
    finally:
        phone.stop()
    console.print()
    console.print(
        "The simulated phone was stopped. Other scenarios: stalkerscan demo --list",
        highlight=False,
    )
    return code


def register(app: typer.Typer) -> None:
    """Add `demo` to the CLI."""
    scenario_opt: Any = typer.Option(
        DEFAULT_SCENARIO,
        "--scenario",
        metavar="NAME",
        help="Which simulated phone: clean, covert, dual-use, removed or work-profile.",
    )
    list_opt: Any = typer.Option(False, "--list", help="Describe the scenarios and stop.")
    link_opt: Any = typer.Option(
        False,
        "--standard-link",
        help="Make the simulated phone as slow as a real one over USB 2.0 (the demo takes longer).",
    )

    @app.command(
        "demo",
        help=(
            "Scan a simulated phone with fictional apps, for training and a first try: the "
            "whole scan (collect, analyse, reports) over the real ADB protocol on this computer, "
            "no real phone needed. Exit 1 when the scenario has findings, 0 when it has none."
        ),
    )
    def demo_command(
        scenario: str = scenario_opt,
        list_only: bool = list_opt,
        out: Annotated[
            Path | None,
            out_option("New folder for the reports (default: reports/demo-<scenario>-<time>)."),
        ] = None,
        lang: LangOption = None,
        indicators_dir: IndicatorsDirOption = None,
        standard_link: bool = link_opt,
        redact: RedactOption = False,
        org_config: OrgConfigOption = None,
        full_serial: FullSerialOption = False,
    ) -> None:
        from rich.console import Console

        console = Console(highlight=False)
        if list_only:
            print_scenarios(console)
            return
        code = run_demo(
            scenario,
            out=out,
            lang=lang,
            indicators_dir=indicators_dir,
            standard_link=standard_link,
            redact=redact,
            org_config=org_config,
            full_serial=full_serial,
            console=Console(stderr=True, highlight=False),
        )
        if code == 130:
            raise KeyboardInterrupt
        raise typer.Exit(code)
