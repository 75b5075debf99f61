"""`stalkerscan simulate`: run the simulated phone in the foreground (demos, manual tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from stalkerscan.errors import UsageError

DEFAULT_PORT = 5555  # where adb looks for a TCP device; --port 0 lets the system pick one


def run_simulator(
    profile: Path | None,
    *,
    scenario: str | None,
    port: int,
    host: str,
    log: Path | None,
    quiet: bool,
    standard_link: bool = False,
) -> None:
    """Load the profile (or scenario), serve it until Ctrl-C, print how to connect."""
    from rich.console import Console

    from stalkerscan.simulator.profile import STANDARD_LINK, Profile
    from stalkerscan.simulator.server import LogEntry, SimulatedPhone
    from stalkerscan.textsafe import for_terminal

    if (profile is None) == (scenario is None):
        raise UsageError("Give a profile folder or --scenario NAME (one of them).")
    if scenario is not None:
        from stalkerscan.simulator.scenarios import resolve

        profile = resolve(scenario)
    assert profile is not None
    loaded = Profile.load(profile)
    if standard_link:
        loaded = loaded.with_changes(link={**STANDARD_LINK, "max_payload": loaded.link.max_payload})
    console = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False)
    from stalkerscan.netaddr import is_loopback_host

    if not is_loopback_host(host):
        err.print(
            f"[bold yellow]Warning:[/bold yellow] listening on {for_terminal(host)}: other "
            "machines on the network can connect to this simulated phone."
        )
    try:
        phone = SimulatedPhone(loaded, host=host, port=port, log_path=log)
    except OSError as e:
        raise UsageError(
            f"Cannot listen on {host}:{port}: {e.strerror or e}.",
            "Choose another port with --port N (--port 0 lets the system pick a free one).",
        ) from None
    if not quiet:

        def show(entry: LogEntry) -> None:
            what = entry.command if entry.command else entry.service
            console.print(f"[dim]#{entry.conn}[/dim] {entry.kind}: {for_terminal(what)}")

        phone.command_log.subscribe(show)
    console.print(
        f"Simulated phone [bold]{for_terminal(loaded.name)}[/bold] "
        f"({for_terminal(loaded.description or loaded.properties.get('ro.product.model', ''))}) "
        f"listening on {phone.serial_tcp}"
    )
    link = loaded.link
    if any((link.stream_open_ms, link.write_ms, link.shell_run_ms, link.bulk_mb_s, link.hash_mb_s)):
        console.print(
            f"  Latency model: {link.stream_open_ms:g} ms per stream, {link.write_ms:g} ms per "
            f"write, {link.shell_run_ms:g} ms per shell session, "
            f"{link.bulk_mb_s:g} MB/s (0: unlimited), hashing {link.hash_mb_s:g} MB/s (0: free)"
        )
    console.print(f"  Connect with adb:  adb connect {phone.serial_tcp}")
    console.print(f"  Scan it:           stalkerscan scan --serial {phone.serial_tcp}")
    console.print("Press Ctrl-C to stop.")
    try:
        phone.serve_forever()
    finally:
        phone.stop()


def register(app: typer.Typer) -> None:
    """Add `simulate` to the CLI."""
    profile_arg: Any = typer.Argument(
        None, help="Profile folder (or its profile.yaml).", show_default=False
    )
    port_opt: Any = typer.Option(
        DEFAULT_PORT, "--port", min=0, max=65535, help="TCP port (0: any free port)."
    )
    host_opt: Any = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (loopback unless you say otherwise)."
    )
    log_opt: Any = typer.Option(None, "--log", help="Also write every command as JSON lines.")
    quiet_opt: Any = typer.Option(False, "--quiet", help="Do not print commands as they arrive.")
    link_opt: Any = typer.Option(
        False,
        "--standard-link",
        help="Use the benchmarks' standard phone: 1 ms per stream, 0.5 ms per write, 20 ms per "
        "shell session, 35 MB/s, hashing at 150 MB/s (instead of the profile's link).",
    )
    help_text = (
        "Run a simulated Android phone that speaks the real ADB protocol, answering from a "
        "device profile. Nothing here touches a real phone."
    )

    scenario_opt: Any = typer.Option(None, "--scenario", help="A built-in scenario name.")

    @app.command("simulate", help=help_text)
    def simulate(
        profile: Path | None = profile_arg,
        scenario: str | None = scenario_opt,
        port: int = port_opt,
        host: str = host_opt,
        log: Path | None = log_opt,
        quiet: bool = quiet_opt,
        standard_link: bool = link_opt,
    ) -> None:
        run_simulator(
            profile,
            scenario=scenario,
            port=port,
            host=host,
            log=log,
            quiet=quiet,
            standard_link=standard_link,
        )
