"""The plot of docs/performance.md: wall time against the number of packages, both tools.

    python benchmarks/run.py --plot benchmarks/results/latest.json [--plot-out FILE.png]

Medians per (tool, profile, model) from a results file written by `run.py --save`. Profiles on
the x axis are the package-count profiles (small, typical, huge); the covert scenario is left
out (it is not a size point). Points marked "extrapolated" in the results (MVT on the huge
profile when it was not run) are drawn hollow with a dashed line and labelled as such.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

SIZE_PROFILES = ("small", "typical", "huge")
STYLE = {
    ("stalkerscan", "standard"): ("tab:blue", "-", "o", "stalkerscan, standard phone model"),
    ("stalkerscan", "none"): ("tab:blue", ":", "s", "stalkerscan, no latency"),
    ("mvt", "standard"): ("tab:red", "-", "o", "mvt-android check-adb --fast, standard model"),
    ("mvt", "none"): ("tab:red", ":", "s", "mvt-android check-adb --fast, no latency"),
}


def medians(results: dict[str, Any]) -> dict[tuple[str, str], list[tuple[int, float, bool]]]:
    """(tool, model) -> [(packages, median wall seconds, extrapolated)] over the size profiles."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in results["runs"]:
        if r.get("tool") in ("stalkerscan", "mvt") and r.get("profile") in SIZE_PROFILES:
            groups.setdefault((r["tool"], r["model"], r["profile"]), []).append(r)
    out: dict[tuple[str, str], list[tuple[int, float, bool]]] = {}
    for (tool, model, _profile), runs in groups.items():
        wall = statistics.median(r["wall_s"] for r in runs)
        extrapolated = any(r.get("extrapolated") for r in runs)
        out.setdefault((tool, model), []).append((runs[0]["packages"], wall, extrapolated))
    for points in out.values():
        points.sort()
    return out


def plot_results(results: dict[str, Any], path: Path) -> None:
    """Draw the log-log plot of wall time against packages into `path` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    for (tool, model), points in sorted(medians(results).items()):
        color, line, marker, label = STYLE[(tool, model)]
        measured = [(n, w) for n, w, ex in points if not ex]
        guessed = [(n, w) for n, w, ex in points if ex]
        if measured:
            ax.plot(*zip(*measured, strict=True), color=color, linestyle=line, marker=marker,
                    label=label)  # fmt: skip
        if guessed:
            last = measured[-1:] if measured else []
            ax.plot(*zip(*(last + guessed), strict=True), color=color, linestyle="--")
            ax.plot(*zip(*guessed, strict=True), color=color, linestyle="none", marker=marker,
                    markerfacecolor="white", label=f"{label} (extrapolated, not run)")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(30, 9000)
    ticks = sorted({n for points in medians(results).values() for n, _, _ in points})
    ax.set_xticks(ticks, [f"{n:,}" for n in ticks])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xlabel("packages on the phone")
    ax.set_ylabel("wall time of one full scan (s)")
    date = results.get("date", "")[:10]
    ax.set_title(f"Full scan against the simulated phone ({date})")
    ax.axhline(10, color="grey", linewidth=0.8, linestyle="-.")
    ax.text(33, 10.6, "10 s target (typical, standard model)", color="grey", fontsize=8)
    ax.grid(True, which="both", linewidth=0.3)
    ax.legend(fontsize=7.5, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
