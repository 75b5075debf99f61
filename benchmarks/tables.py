"""Markdown tables of a results file (what docs/performance.md quotes), so nothing is retyped.

python benchmarks/tables.py benchmarks/results/latest.json
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

ORDER = ("small", "typical", "huge", "covert")
MODEL_NAME = {"standard": "standard", "none": "no latency"}


def _group(runs: list[dict[str, Any]], tool: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in runs:
        if r.get("tool") == tool:
            out.setdefault((r["profile"], r["model"]), []).append(r)
    return out


def _key(pm: tuple[str, str]) -> tuple[int, int]:
    return ORDER.index(pm[0]), 0 if pm[1] == "standard" else 1


def scan_table(results: dict[str, Any]) -> str:
    """One row per profile and model: stalkerscan's medians and counters."""
    rows = [
        "| profile | packages | model | wall median (min-max), s | CPU, s | shell sessions | sync "
        "| TCP conn. | bytes | peak RSS | startup | collect | hash | pull | analyse+match+report |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (profile, model), runs in sorted(_group(results["runs"], "stalkerscan").items(),
                                         key=lambda kv: _key(kv[0])):  # fmt: skip
        walls = [r["wall_s"] for r in runs]
        med = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
        st = med["stages"]
        rows.append(
            f"| {profile} | {med['packages']:,} | {MODEL_NAME[model]} | "
            f"{statistics.median(walls):.2f} ({min(walls):.2f}-{max(walls):.2f}) | "
            f"{med.get('cpu_s', 0):.2f} | {med['shell_sessions']} | {med['sync_sessions']} | "
            f"{med['connections']} | "
            f"{(med['bytes_in'] + med['bytes_out']) / 1e6:.1f} MB | "
            f"{max(r['peak_rss_mb'] for r in runs):.0f} MiB | {st.get('startup', 0):.2f} | "
            f"{st.get('collect', 0):.2f} | {st.get('hash', 0):.2f} | {st.get('pull', 0):.2f} | "
            f"{st.get('analyse_match_report', 0):.2f} |"
        )
    return "\n".join(rows)


def stages_table(results: dict[str, Any]) -> str:
    """The analysis half, stage by stage (benchmarks/stages.py)."""
    rows = [
        "| profile | model | imports | indicators + YARA compile | analyse (parse, APKs, YARA) "
        "| match | report |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for (profile, model), runs in sorted(_group(results["runs"], "stalkerscan-stages").items(),
                                         key=lambda kv: _key(kv[0])):  # fmt: skip
        s = runs[0]["stages"]
        rows.append(
            f"| {profile} | {MODEL_NAME[model]} | {s['imports']:.2f} | "
            f"{s['indicators_rules']:.2f} | {s['analyse']:.2f} | {s['match']:.2f} | "
            f"{s['report']:.2f} |"
        )
    return "\n".join(rows)


def mvt_table(results: dict[str, Any]) -> str:
    """Both tools side by side, with the ratios."""
    rows = [
        "| profile | packages | model | stalkerscan wall, s | MVT wall, s | MVT / stalkerscan | "
        "sessions (ss / MVT) | TCP conn. (ss / MVT) | bytes (ss / MVT) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    ours = _group(results["runs"], "stalkerscan")
    for (profile, model), mruns in sorted(_group(results["runs"], "mvt").items(),
                                          key=lambda kv: _key(kv[0])):  # fmt: skip
        runs = ours.get((profile, model))
        if not runs:
            continue
        s = statistics.median(r["wall_s"] for r in runs)
        m = statistics.median(r["wall_s"] for r in mruns)
        med = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
        mm = mruns[0]
        guess = bool(mm.get("extrapolated"))
        mark = " (extrapolated, not run)" if guess else ""
        mbytes = "?" if guess else f"{(mm['bytes_in'] + mm['bytes_out']) / 1e6:.1f} MB"
        rows.append(
            f"| {profile} | {med['packages']:,} | {MODEL_NAME[model]} | {s:.2f} | "
            f"{'~' if guess else ''}{m:.1f}{mark} | {'~' if guess else ''}{m / s:.1f}x | "
            f"{med['shell_sessions']} / {'~' if guess else ''}{mm['shell_sessions']:,} | "
            f"{med['connections']} / {mm['connections']} | "
            f"{(med['bytes_in'] + med['bytes_out']) / 1e6:.1f} MB / {mbytes} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Print the tables of one results file."""
    args = sys.argv[1:] if argv is None else argv
    results = json.loads(Path(args[0]).read_text())
    print(scan_table(results), stages_table(results), mvt_table(results), sep="\n\n")
    for key in ("help", "check"):
        if key in results:
            print(f"\n{key}: {json.dumps(results[key])}")
    print(f"\nmachine: {json.dumps(results['machine'])}\ndate: {results['date']}")
    print(f"commit: {results.get('commit', '?')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
