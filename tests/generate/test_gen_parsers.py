"""Smoke test against the project's parsers: every rendered output of a benign profile parses
with no unparsed line; the hostile profile's outputs parse without an exception escaping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gen_helpers import BENIGN, Rendered

from stalkerscan.evidence import (
    accessibility,
    accounts,
    appops,
    device_policy,
    deviceidle,
    getprop,
    input_method,
    launcher,
    notification,
    package,
    pm_list,
    role,
    settings,
    usagestats,
    users,
    vpn,
)

PARSERS: dict[str, Callable[[bytes], Any]] = {
    "getprop": getprop.parse_getprop,
    "pm list users": users.parse_pm_list_users,
    "dumpsys package": package.parse_dumpsys_package,
    "dumpsys device_policy": device_policy.parse_device_policy,
    "dumpsys accessibility": accessibility.parse_accessibility,
    "dumpsys notification": notification.parse_notification,
    "dumpsys appops": appops.parse_appops,
    "dumpsys input_method": input_method.parse_input_method,
    "dumpsys role": role.parse_role,
    "dumpsys deviceidle whitelist": deviceidle.parse_deviceidle_whitelist,
    "dumpsys connectivity": vpn.parse_connectivity_vpns,
    "dumpsys account": accounts.parse_accounts,
    "dumpsys usagestats": usagestats.parse_usagestats,
}


def _parser(command: str) -> Callable[[bytes], Any] | None:
    if command in PARSERS:
        return PARSERS[command]
    if command.startswith("pm list packages -f"):
        return pm_list.parse_pm_list_packages
    if command.startswith("cmd package query-activities"):
        return launcher.parse_launcher_query
    if command.startswith("settings "):
        return settings.parse_settings
    return None


def _parsed(r: Rendered) -> list[tuple[str, Any]]:
    out = []
    for command in r.commands:
        parse = _parser(command)
        e = r.entry(command)
        if parse is None or e.get("exit", 0) != 0 or e.get("stderr"):
            continue
        out.append((command, r.parsed(command, parse)))
    return out


@pytest.mark.parametrize("name", BENIGN)
def test_every_output_parses_without_unparsed_lines(name: str, render) -> None:  # type: ignore[no-untyped-def]
    results = _parsed(render(name))
    assert len(results) >= 15
    for command, result in results:
        issues = result.issues
        assert issues.unparsed_lines == 0, f"{name}: {command}: {issues.examples}"


def test_hostile_outputs_parse_without_exceptions(render) -> None:  # type: ignore[no-untyped-def]
    results = _parsed(render("hostile"))
    assert len(results) >= 15
    assert sum(r.issues.unparsed_lines for _, r in results) > 0  # the garbage was seen and counted
