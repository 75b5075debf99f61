"""Cold start of `stalkerscan --help`: median wall time of N fresh processes (issue 2: < 200 ms).

    python benchmarks/bench_help.py [-n 21] [--command "stalkerscan --help"] [--imports]

The console script of this Python is used (not a pyenv/asdf shim, whose bash wrapper adds its
own start-up). `--imports` lists the slowest modules imported at start-up
(`python -X importtime -m stalkerscan --help`), the place to look when the figure is over target.
A benchmark, not a timed test: the figure depends on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import sysconfig
import time
from datetime import UTC, datetime
from pathlib import Path

TARGET_MS = 200.0


def default_command() -> list[str]:
    """This interpreter's `stalkerscan` console script, else `python -m stalkerscan`."""
    script = Path(sysconfig.get_path("scripts")) / "stalkerscan"
    if script.is_file():
        return [str(script), "--help"]
    return [sys.executable, "-m", "stalkerscan", "--help"]


def time_runs(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user+sys) time in ms of `runs` fresh processes, after one warm-up.

    CPU time is what the start-up costs on an idle machine; wall time also holds the wait for
    a core when other work runs (a loaded machine inflates it, not the CPU time).
    """
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    subprocess.run(command, capture_output=True, check=True, env=env)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        wall.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        cpu.append(used * 1000)
    return wall, cpu


def slowest_imports(top: int = 15) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the slowest top-level imports of `stalkerscan --help`."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "stalkerscan", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[tuple[int, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        if not name.startswith(" ") and cumulative.isdigit():
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the command, the machine and the median."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--runs", type=int, default=21)
    ap.add_argument("--command", help="command line to time (default: the console script)")
    ap.add_argument("--imports", action="store_true", help="list the slowest start-up imports")
    args = ap.parse_args(argv)
    command = shlex.split(args.command) if args.command else default_command()
    times, cpu = time_runs(command, args.runs)
    median = statistics.median(times)
    # A bare interpreter's start-up, timed the same way: on a loaded machine both grow.
    bare_wall, bare_cpu = time_runs([sys.executable, "-S", "-c", "pass"], args.runs)
    print(f"command: {shlex.join(command)}")
    print(f"date:    {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"runs: {len(times)}  median {median:.0f} ms  min {min(times):.0f} ms  "
        f"max {max(times):.0f} ms  (target < {TARGET_MS:.0f} ms: "
        f"{'met' if median < TARGET_MS else 'NOT met'})"
    )
    print(
        f"CPU time (user+sys): median {statistics.median(cpu):.0f} ms "
        f"(the wall time on an idle machine is close to it)"
    )
    print(
        f"bare interpreter (python -S -c pass): wall {statistics.median(bare_wall):.0f} ms, "
        f"CPU {statistics.median(bare_cpu):.0f} ms"
    )
    if args.imports:
        print("slowest top-level imports (cumulative):")
        for us, name in slowest_imports():
            print(f"  {us / 1000:7.1f} ms  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
