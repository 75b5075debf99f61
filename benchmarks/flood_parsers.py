"""Memory and time of the dumpsys/settings parsers on a flood of plausible records (issue 9).

    python benchmarks/flood_parsers.py [--bytes 30000000] [NAME ...]

A hostile phone may print up to the collector's byte cap of plausible output. For each parser
this renders the `typical` simulated phone into a temporary folder, repeats that command's saved
output with `com.`/`org.` renamed per copy (so every copy names different packages) until
`--bytes`, and measures with tracemalloc what the parsed result holds once parsing is over
("held"), the peak during parsing and the wall time (tracemalloc slows parsing several times).
NAME filters the commands by substring (`appops`, `role`, ...). Each parser's result must stay
far below the scan's 500 MB budget: the goal is under 40 MB held and about 15 s per 30 MB.
A benchmark, not a timed test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def parsers() -> dict[str, Callable[[bytes], Any]]:
    """The parsers measured, by the profile's command string."""
    from stalkerscan.evidence.accessibility import parse_accessibility
    from stalkerscan.evidence.accounts import parse_accounts
    from stalkerscan.evidence.appops import parse_appops
    from stalkerscan.evidence.device_policy import parse_device_policy
    from stalkerscan.evidence.deviceidle import parse_deviceidle_whitelist
    from stalkerscan.evidence.input_method import parse_input_method
    from stalkerscan.evidence.launcher import parse_launcher_query
    from stalkerscan.evidence.notification import parse_notification
    from stalkerscan.evidence.role import parse_role
    from stalkerscan.evidence.settings import parse_settings
    from stalkerscan.evidence.usagestats import parse_usagestats
    from stalkerscan.evidence.vpn import parse_connectivity_vpns

    launcher = (
        "cmd package query-activities --brief --user 0 -a android.intent.action.MAIN"
        " -c android.intent.category.LAUNCHER"
    )
    return {
        "dumpsys accessibility": parse_accessibility,
        "dumpsys appops": parse_appops,
        "dumpsys device_policy": parse_device_policy,
        "dumpsys notification": parse_notification,
        "dumpsys input_method": parse_input_method,
        "dumpsys role": parse_role,
        "dumpsys deviceidle whitelist": parse_deviceidle_whitelist,
        "dumpsys connectivity": parse_connectivity_vpns,
        "dumpsys account": parse_accounts,
        "dumpsys usagestats": parse_usagestats,
        "settings --user 0 list secure": lambda b: parse_settings(b, "secure", 0),
        launcher: parse_launcher_query,
    }


def flood(source: str, target: int) -> tuple[bytes, int]:
    """`source` repeated with renamed packages until `target` bytes; (data, copies)."""
    lines = source.splitlines(keepends=True)
    head, body = "".join(lines[:2]), "".join(lines[2:])
    parts, size, copies = [head], 0, 0
    while size < target and body:
        copy = re.sub(r"\b(com|org)\.", rf"\1.f{copies}x.", body)
        parts.append(copy)
        size += len(copy)
        copies += 1
    return "".join(parts).encode(), copies


def main() -> None:
    """Render the typical phone, flood each parser, print one line per parser."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bytes", type=int, default=30_000_000)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    from stalkerscan.simulator import scenarios

    with tempfile.TemporaryDirectory() as tmp:
        folder = scenarios.resolve("typical", Path(tmp))
        profile = yaml.safe_load((folder / "profile.yaml").read_text(encoding="utf-8"))
        print(f"{'command':32} {'copied':>8} {'copies':>7} {'time':>7} {'held':>9} {'peak':>9}")
        for command, parse in parsers().items():
            if args.names and not any(n in command for n in args.names):
                continue
            source = (folder / profile["commands"][command]).read_text(errors="replace")
            data, copies = flood(source, args.bytes)
            tracemalloc.start()
            start = time.perf_counter()
            result = parse(data)
            elapsed = time.perf_counter() - start
            held, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            cut = " truncated" if getattr(result, "truncated", False) else ""
            del result
            print(
                f"{command[:32]:32} {len(source):7d}B x{copies:6d} {elapsed:6.1f}s "
                f"{held / 1e6:7.1f}MB {peak / 1e6:7.1f}MB{cut}",
                flush=True,
            )


if __name__ == "__main__":
    main()
