"""Time each analysis stage of `stalkerscan check` on a saved acquisition, in a fresh process.

`stalkerscan scan` does not record its own stage times, so the harness times the same
functions `check`/`scan` call, in the same order, with a stopwatch around each:

    python benchmarks/stages.py ACQUISITION --indicators-dir DIR --out REPORT_DIR
    # prints {"imports": s, "indicators_rules": s, "analyse": s, "match": s, "report": s}

- imports: the CLI's own imports (what every command pays before its body runs);
- indicators_rules: `load_detection` (indicator index with the active feed, YARA compile);
- analyse: `build_evidence` (every parser, the APK analysis and YARA on pulled APKs);
- match: `analyse` (indicator matching, heuristics, verdict);
- report: `render_all` (HTML + JSON reports).

Heavy modules are imported inside those functions, so their import time is counted in the
stage that first needs them, as in a real scan.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Print the stage times of one check as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("acquisition", type=Path)
    parser.add_argument("--indicators-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    t = time.perf_counter()
    times: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        times[name] = round(now - t, 4)
        t = now

    import stalkerscan.cli  # noqa: F401 - what the CLI imports before any command runs
    from stalkerscan.commands.check import load_detection, utc_now

    lap("imports")
    index, rule_sets = load_detection(args.indicators_dir)
    lap("indicators_rules")
    from stalkerscan.evidence.build import build_evidence

    evidence = build_evidence(args.acquisition, rule_sets=rule_sets)
    lap("analyse")
    from stalkerscan.analyse import analyse

    result = analyse(evidence, index, now=utc_now(), rule_sets=[rs.info for rs in rule_sets])
    lap("match")
    from stalkerscan.commands.check import write_reports

    write_reports(result, args.out, lang="en")
    lap("report")
    print(json.dumps(times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
