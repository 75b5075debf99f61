"""`stalkerscan devices`: the phones this computer can see, with their state and model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from stalkerscan.commands._options import (
    DEFAULT_CONNECT_TIMEOUT,
    AuthTimeoutOption,
    ConnectTimeoutOption,
    SerialOption,
    UseAdbKeyOption,
    ViaOption,
)

if TYPE_CHECKING:
    from stalkerscan.device.base import DeviceInfo

# How long `devices` waits for the phone's prompt: listing should not block for a minute.
LIST_AUTH_TIMEOUT = 5.0


def state_hint(state: str) -> str | None:
    """What to do about a phone in `state` (None when it is ready)."""
    from stalkerscan.device import failures as f

    return {
        "unauthorized": f.HINT_UNAUTHORIZED,
        "offline": f.HINT_OFFLINE,
        "busy": f.HINT_BUSY,
        "no permissions": f.HINT_PERMISSION,
    }.get(state, None if state == "device" else f.HINT_OFFLINE)


def gather(
    serial: str | None,
    *,
    via: str = "auto",
    use_adb_key: bool = False,
    auth_timeout: float = LIST_AUTH_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> list[DeviceInfo]:
    """The rows to show (raises a DeviceError when nothing is found or a TCP probe fails)."""
    from stalkerscan.commands._options import connect_options
    from stalkerscan.device import connect
    from stalkerscan.device.failures import Ctx, no_device
    from stalkerscan.errors import UsageError

    opts = connect_options(
        use_adb_key=use_adb_key, auth_timeout=auth_timeout, timeout=connect_timeout
    )
    if via not in connect.VIAS:
        raise UsageError(f"Unknown connection mode {via!r}; use one of {', '.join(connect.VIAS)}.")
    if serial is not None:
        # A named phone is connected to, so its problem (unauthorized, busy...) is an error.
        return [connect.describe(serial, via=via, opts=opts)]
    if via == "tcp":
        raise UsageError("--via tcp needs --serial HOST:PORT (a TCP phone cannot be listed).")
    listers = connect.default_listers()
    if via in ("usb", "adb-server"):
        listers = [lister for lister in listers if lister.transport == via]
    rows = connect.list_devices(listers=listers, opts=opts, probe=True)
    if not rows:
        if via == "adb-server":
            from stalkerscan.device.adbserver import require_server

            require_server(opts.server_address())
        raise no_device(Ctx(target="USB", via="usb"))
    return rows


def register(app: typer.Typer) -> None:
    """Add `devices` to the CLI."""

    @app.command("devices")
    def devices(
        serial: SerialOption = None,
        via: ViaOption = "auto",
        use_adb_key: UseAdbKeyOption = False,
        auth_timeout: AuthTimeoutOption = LIST_AUTH_TIMEOUT,
        connect_timeout: ConnectTimeoutOption = DEFAULT_CONNECT_TIMEOUT,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the list as JSON (for scripts).")
        ] = False,
    ) -> None:
        """List the phones attached to this computer (USB, the adb server, or --serial HOST:PORT).

        Shows each phone's serial, how it is connected, its state and its model.

        Connecting to a phone over USB may make it ask "Allow USB debugging?".
        """
        rows = gather(
            serial,
            via=via,
            use_adb_key=use_adb_key,
            auth_timeout=auth_timeout,
            connect_timeout=connect_timeout,
        )
        if as_json:
            import json

            typer.echo(
                json.dumps(
                    [
                        {
                            "serial": r.serial,
                            "transport": r.transport,
                            "state": r.state,
                            "model": r.model,
                            "details": r.details,
                        }
                        for r in rows
                    ],
                    indent=2,
                )
            )
            return
        show(rows)


def show(rows: list[DeviceInfo]) -> None:
    """Print the table, then one line of advice per state that needs action."""
    from rich.console import Console
    from rich.table import Table

    from stalkerscan.textsafe import for_terminal

    table = Table(show_edge=False, header_style="bold")
    for column in ("Serial", "Connection", "State", "Model"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            for_terminal(r.serial, max_len=64),
            for_terminal(r.transport),
            for_terminal(r.state, max_len=40),
            for_terminal(r.model or "-", max_len=64),
        )
    console = Console()
    console.print(table)
    seen: set[str] = set()
    for r in rows:
        hint = state_hint(r.state)
        if hint and r.state not in seen:
            seen.add(r.state)
            console.print(
                f"\n[bold]{for_terminal(r.state)}[/bold]: {for_terminal(hint, max_len=None)}"
            )
