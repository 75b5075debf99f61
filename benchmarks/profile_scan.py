"""Profile one `stalkerscan scan` with cProfile (where the scanner's own time goes).

    python benchmarks/profile_scan.py --profile typical --model none [--top 40] [--out scan.prof]

The phone runs in a child process (benchmarks/phone.py) so only the scanner is profiled; the
profile is printed sorted by cumulative time, restricted to stalkerscan's own functions.
cProfile slows Python code down (roughly 1.5-2x), so read the shares, not the seconds.
"""

from __future__ import annotations

import argparse
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from phone import MODELS, PROFILES, open_phone  # noqa: E402
from run import CACHE, ensure_indicators, tool_env  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Profile one scan and print the top functions."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="typical", choices=PROFILES)
    parser.add_argument("--model", default="none", choices=MODELS)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--filter", default="stalkerscan", help="pstats restriction regex")
    parser.add_argument("--out", type=Path, default=None, help="keep the .prof file here")
    args = parser.parse_args(argv)
    indicators, _ = ensure_indicators(Path(__file__).resolve().parents[2] / "shared" / "echap")
    with (
        tempfile.TemporaryDirectory(prefix="ssprof-") as tmp,
        open_phone(args.profile, args.model) as phone,
    ):
        phone.prime(["sha256"])
        prof = args.out or Path(tmp) / "scan.prof"
        cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "stalkerscan", "scan",
               "--serial", phone.serial, "--via", "tcp", "--out", str(Path(tmp) / "out"),
               "--indicators-dir", str(indicators), "--quiet"]  # fmt: skip
        subprocess.run(cmd, env=tool_env(CACHE / "home-stalkerscan"), capture_output=True)
        stats = pstats.Stats(str(prof))
        stats.sort_stats("cumulative").print_stats(args.filter, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
