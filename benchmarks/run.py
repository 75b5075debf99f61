"""Benchmark harness (issue 10): the full `stalkerscan scan` against simulated phones, with MVT.

Not part of the test run. Examples (docs/performance.md has the figures and the machine):

    python benchmarks/run.py --profile typical --model standard --repeat 3
    python benchmarks/run.py --profile typical --model both --repeat 3 --mvt
    python benchmarks/run.py --profile all --model both --mvt --mvt-max-packages 300 \
        --help-runs 20 --check-runs 5 --save benchmarks/results/latest.json
    python benchmarks/run.py --plot benchmarks/results/latest.json   # docs/performance-*.png

For each profile and latency model it starts the simulated phone (in a child process by
default, so the phone's CPU does not compete for the GIL with anything here; `--in-process`
to compare), runs the real CLI `stalkerscan scan --serial 127.0.0.1:PORT --out TMP` as a
subprocess and reports: wall time, shell sessions, sync sessions, TCP connections, bytes both
ways (the phone's counters), peak memory of the scanner (its own rusage), and the time per
stage. The stages come from the phone's command log (when each session was opened), the
acquisition manifest (`finished_at`) and the process exit; `benchmarks/stages.py` then times
the analysis half (analyse, match, report) on the saved acquisition in a fresh process.

With `--mvt`, `mvt-android check-adb --serial 127.0.0.1:PORT --fast` (mvt==2.6.1, installed once
into a throwaway virtualenv under the cache folder, dependencies from PyPI) runs against the
same phone, same profile, same model, in the same run, with its own isolated HOME (its adb key)
and its update check pointed at a closed local port (no network, no waiting).

Both tools run with bytecode caching on (PYTHONPYCACHEPREFIX in the cache folder), as an
installed tool would: this environment sets PYTHONDONTWRITEBYTECODE, which would otherwise make
every run recompile the project's modules.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from phone import MODELS, PROFILES, PhoneHandle, open_phone  # noqa: E402

MVT_VERSION = "2.6.1"
CACHE = Path(
    os.environ.get("STALKERSCAN_BENCH_CACHE") or Path.home() / ".cache" / "stalkerscan-bench"
)
ECHAP_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "echap"
HASHES = ["md5", "sha1", "sha256", "sha512"]


# --- environment -----------------------------------------------------------------------------


def tool_env(home: Path) -> dict[str, str]:
    """The environment both tools run in: an isolated HOME, bytecode caching on."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    env["HOME"] = str(home)
    env.pop("XDG_DATA_HOME", None)
    env.pop("XDG_CONFIG_HOME", None)
    env.pop("XDG_CACHE_HOME", None)
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def stalkerscan_cmd() -> list[str]:
    """The scanner's CLI: the console script's code, without any version-manager shim."""
    return [sys.executable, "-m", "stalkerscan"]


def ensure_indicators(echap: Path | None) -> tuple[Path, str]:
    """An indicator store with the Echap snapshot installed once (the support worker's case)."""
    store = CACHE / "indicators"
    if (store / "active").exists() or any(store.glob("*/manifest.json")):
        return store, f"Echap feed from {echap} (installed in {store})"
    if echap is None or not (echap / "ioc.yaml").exists():
        store.mkdir(parents=True, exist_ok=True)
        return store, "demo feed only (no Echap snapshot found)"
    env = tool_env(CACHE / "home-stalkerscan")
    subprocess.run(
        [*stalkerscan_cmd(), "indicators", "update", "--source", str(echap), "--indicators-dir",
         str(store)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return store, f"Echap feed from {echap} (installed in {store})"


def ensure_mvt() -> Path:
    """`mvt-android` of mvt==2.6.1 in a throwaway virtualenv under the cache (made once)."""
    venv = CACHE / f"mvt-{MVT_VERSION}"
    exe = venv / "bin" / "mvt-android"
    if exe.exists():
        return exe
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"mvt=={MVT_VERSION}"], check=True)
    return exe


def _git_head() -> str:
    """The commit the scanner's code was at (the tree may also hold uncommitted edits)."""
    res = subprocess.run(["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True)  # fmt: skip
    return res.stdout.strip() or "?"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": os.getloadavg(),
    }


# --- one run ---------------------------------------------------------------------------------


@dataclass
class Run:
    """One tool run against one phone."""

    tool: str
    profile: str
    model: str
    packages: int
    wall_s: float
    exit_code: int
    peak_rss_mb: float
    shell_sessions: int
    sync_sessions: int
    connections: int
    bytes_in: int
    bytes_out: int
    device_span_s: float  # first to last request the phone saw
    cpu_s: float = 0.0  # user + system CPU of the tool's process (less sensitive to load)
    stages: dict[str, float] = field(default_factory=dict)
    commands: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def bytes_total(self) -> int:
        """Both directions."""
        return self.bytes_in + self.bytes_out


@dataclass
class Spawned:
    """What one process cost."""

    wall: float
    cpu: float  # user + system seconds
    rss_mb: float
    code: int
    start: float  # UNIX time
    end: float


def _spawn(cmd: list[str], env: dict[str, str], timeout: float, log: Path) -> Spawned:
    """Run `cmd` to the end (or the timeout) and measure it with its own rusage."""
    with log.open("wb") as out:
        start = time.time()
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)  # fmt: skip
        deadline = t + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - t
        end = time.time()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Spawned(wall, cpu, usage.ru_maxrss / 1024, proc.returncode, start, end)


def _iso(ts: str | None) -> float | None:
    return datetime.fromisoformat(ts).timestamp() if ts else None


def _stages_from_log(log: list[list[Any]], manifest: dict[str, Any], start: float,
                     end: float) -> dict[str, float]:  # fmt: skip
    """Stage times of one scan from the phone's log, the manifest and the process times."""
    shells = [e for e in log if e[2] in ("shell", "shell_v2", "exec")]
    syncs = [e for e in log if e[2] == "sync"]
    if not shells:
        return {}
    first = shells[0][0]
    hash_start = next((e[0] for e in shells if ":apk_hashes_" in e[3]), None)
    sync_start = syncs[0][0] if syncs else None
    finished = _iso(manifest.get("finished_at")) or end
    collect_end = hash_start or sync_start or finished
    out = {
        "startup": first - start,  # imports, indicators + rules, connect
        "collect": collect_end - first,
        "hash": ((sync_start or finished) - hash_start) if hash_start else 0.0,
        "pull": (finished - sync_start) if sync_start else 0.0,
        "analyse_match_report": end - finished,
    }
    return {k: round(max(v, 0.0), 3) for k, v in out.items()}


def _command_kinds(log: list[list[Any]]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for e in log:
        if e[2] == "sync":
            key = "sync " + e[3].split(" ", 1)[0]
        else:
            words = e[3].split()
            key = " ".join(words[:2]) if words[:1] in (["pm"], ["dumpsys"]) else words[0]
            if words[:2] == ["dumpsys", "package"] and len(words) > 2:
                key = "dumpsys package PKG"
            if words[:2] == ["pm", "path"]:
                key = "pm path PKG"
            if words and words[0] == "echo":
                key = "batch (echo markers + commands)"
        kinds[key] = kinds.get(key, 0) + 1
    return dict(sorted(kinds.items(), key=lambda kv: -kv[1]))


def run_stalkerscan(phone: PhoneHandle, profile: str, model: str, *, indicators: Path,
                    timeout: float, max_pull_mb: int | None, keep: Path | None) -> Run:  # fmt: skip
    """One full `stalkerscan scan` through the CLI."""
    phone.reset()
    work = Path(tempfile.mkdtemp(prefix="ssbench-"))
    out = work / "out"
    cmd = [*stalkerscan_cmd(), "scan", "--serial", phone.serial, "--via", "tcp", "--out", str(out),
           "--indicators-dir", str(indicators), "--quiet"]  # fmt: skip
    if max_pull_mb is not None:
        cmd += ["--max-pull-mb", str(max_pull_mb)]
    env = tool_env(CACHE / "home-stalkerscan")
    sp = _spawn(cmd, env, timeout, work / "scan.log")
    wall, rss, code, start, end = sp.wall, sp.rss_mb, sp.code, sp.start, sp.end
    st = phone.stats()
    manifest_path = out / "acquisition" / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    log = st["log"]
    s = st["stats"]
    run = Run(
        tool="stalkerscan", profile=profile, model=model, packages=phone.info["packages"],
        wall_s=round(wall, 3), cpu_s=round(sp.cpu, 3), exit_code=code,
        peak_rss_mb=round(rss, 1),
        shell_sessions=s["shell_sessions"], sync_sessions=s["sync_sessions"],
        connections=s["connections"], bytes_in=s["bytes_in"], bytes_out=s["bytes_out"],
        device_span_s=round(log[-1][0] - log[0][0], 3) if log else 0.0,
        stages=_stages_from_log(log, manifest, start, end), commands=_command_kinds(log),
    )  # fmt: skip
    if code not in (0, 1):
        run.note = f"exit {code}: " + (work / "scan.log").read_text(errors="replace")[-400:]
    if keep is not None and manifest_path.exists():
        if keep.exists():
            shutil.rmtree(keep)
        shutil.copytree(out / "acquisition", keep)
    shutil.rmtree(work, ignore_errors=True)
    return run


def analysis_stages(acquisition: Path, indicators: Path) -> dict[str, float]:
    """The analysis half of a scan, stage by stage, in a fresh process (benchmarks/stages.py)."""
    with tempfile.TemporaryDirectory(prefix="ssbench-stages-") as tmp:
        cmd = [sys.executable, str(HERE / "stages.py"), str(acquisition), "--indicators-dir",
               str(indicators), "--out", str(Path(tmp) / "out")]  # fmt: skip
        env = tool_env(CACHE / "home-stalkerscan")
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        data: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
        return data


def run_mvt(phone: PhoneHandle, profile: str, model: str, *, exe: Path, timeout: float) -> Run:
    """One `mvt-android check-adb --fast` against the same phone."""
    phone.reset()
    work = Path(tempfile.mkdtemp(prefix="mvtbench-"))
    env = tool_env(CACHE / "home-mvt")
    # MVT checks PyPI for a newer version at start; a closed local port fails at once, so no
    # network and no waiting is measured (and nothing leaves the machine).
    env["MVT_PYPI_UPDATE_URL"] = "http://127.0.0.1:9/"
    cmd = [str(exe), "check-adb", "--serial", phone.serial, "--fast", "--non-interactive",
           "--output", str(work / "out")]  # fmt: skip
    sp = _spawn(cmd, env, timeout, work / "mvt.log")
    wall, rss, code = sp.wall, sp.rss_mb, sp.code
    st = phone.stats()
    log = st["log"]
    s = st["stats"]
    run = Run(
        tool="mvt", profile=profile, model=model, packages=phone.info["packages"],
        wall_s=round(wall, 3), cpu_s=round(sp.cpu, 3), exit_code=code,
        peak_rss_mb=round(rss, 1),
        shell_sessions=s["shell_sessions"], sync_sessions=s["sync_sessions"],
        connections=s["connections"], bytes_in=s["bytes_in"], bytes_out=s["bytes_out"],
        device_span_s=round(log[-1][0] - log[0][0], 3) if log else 0.0,
        commands=_command_kinds(log),
    )  # fmt: skip
    if wall >= timeout:
        run.note = f"stopped at the {timeout:.0f} s cap"
    elif code != 0:
        run.note = f"exit {code}"
    shutil.rmtree(work, ignore_errors=True)
    return run


# --- small benchmarks ------------------------------------------------------------------------


def bench_help(runs: int) -> dict[str, Any]:
    """`stalkerscan --help` cold start: hyperfine when installed, else a loop of processes."""
    env = tool_env(CACHE / "home-stalkerscan")
    cmd = [*stalkerscan_cmd(), "--help"]
    subprocess.run(cmd, env=env, capture_output=True, check=True)  # compile the bytecode once
    times, cpus = [], []
    for _ in range(runs):
        sp = _spawn(cmd, env, 60.0, Path(os.devnull))
        times.append(sp.wall)
        cpus.append(sp.cpu)
    result: dict[str, Any] = {
        "command": " ".join(cmd),
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "cpu_median_s": round(statistics.median(cpus), 4),
        "runs": runs,
        "python_startup_median_s": _python_startup(env, runs),
    }
    hf = shutil.which("hyperfine")
    if hf:
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "hf.json"
            shell_cmd = " ".join(cmd)
            subprocess.run(
                [hf, "--warmup", "3", "--runs", str(max(runs, 10)), "--export-json",
                 str(export), "-N", shell_cmd],
                env=env, capture_output=True, check=True,
            )  # fmt: skip
            data = json.loads(export.read_text())["results"][0]
            result["hyperfine_median_s"] = round(data["median"], 4)
            result["hyperfine_mean_s"] = round(data["mean"], 4)
            result["hyperfine_stddev_s"] = round(data["stddev"], 4)
    return result


def _python_startup(env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 4)


def bench_check(acquisition: Path, indicators: Path, runs: int) -> dict[str, Any]:
    """`stalkerscan check` of a saved acquisition, through the CLI."""
    env = tool_env(CACHE / "home-stalkerscan")
    times, cpus = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ssbench-check-") as tmp:
            cmd = [*stalkerscan_cmd(), "check", str(acquisition), "--indicators-dir",
                   str(indicators), "--out", str(Path(tmp) / "out")]  # fmt: skip
            sp = _spawn(cmd, env, 300.0, Path(tmp) / "check.log")
            times.append(sp.wall)
            cpus.append(sp.cpu)
            if sp.code not in (0, 1):
                log = (Path(tmp) / "check.log").read_text(errors="replace")
                raise RuntimeError(f"check failed ({sp.code}): {log[-500:]}")
    return {
        "acquisition": str(acquisition),
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "cpu_median_s": round(statistics.median(cpus), 3),
        "runs": runs,
    }


# --- reporting -------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def describe(run: Run) -> str:
    """One run on a few lines."""
    stages = ", ".join(f"{k} {v:.2f}" for k, v in run.stages.items())
    lines = [
        f"  {run.tool:<11} wall {run.wall_s:7.2f} s | shell sessions {run.shell_sessions:5d} | "
        f"sync {run.sync_sessions:3d} | TCP connections {run.connections:3d} | "
        f"bytes {_mb(run.bytes_total)} | peak RSS {run.peak_rss_mb:.0f} MiB | "
        f"CPU {run.cpu_s:.2f} s | exit {run.exit_code}"
    ]
    if stages:
        lines.append(f"              stages (s): {stages}")
    if run.note:
        lines.append(f"              note: {run.note}")
    return "\n".join(lines)


def _median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.wall_s)[len(runs) // 2]


def _phone_facts(phone: PhoneHandle) -> dict[str, Any]:
    info = phone.info
    return {"link": info["link"], "files": info["files"], "file_bytes": info["file_bytes"]}


def extrapolate_mvt(results: dict[str, Any], phone: PhoneHandle, profile: str,
                    model: str) -> dict[str, Any] | None:  # fmt: skip
    """MVT's figures on a profile it was not run on, from its largest measured run.

    MVT's sessions are measured to be ~40 fixed + 2 per package (`pm path`, `dumpsys package
    PKG`) + 4 per APK file (md5/sha1/sha256/sha512). Its time is the measured cost per session
    (hashing taken out) times the predicted sessions, plus hashing every APK four times at the
    model's hash rate. Marked `extrapolated` everywhere it is shown.
    """
    measured = [r for r in results["runs"] if r.get("tool") == "mvt" and r.get("model") == model
                and not r.get("extrapolated") and r.get("exit_code") == 0]  # fmt: skip
    if not measured:
        return None
    base = max(measured, key=lambda r: r["packages"])
    rate = _hash_rate(phone.info["link"])
    hash_base = 4 * base["file_bytes"] / rate if rate else 0.0
    fixed = base["shell_sessions"] - 2 * base["packages"] - 4 * base["files"]
    per_session = (base["wall_s"] - hash_base) / base["shell_sessions"]
    info = phone.info
    sessions = fixed + 2 * info["packages"] + 4 * info["files"]
    hashing = 4 * info["file_bytes"] / rate if rate else 0.0
    return {
        "tool": "mvt", "profile": profile, "model": model, "packages": info["packages"],
        "files": info["files"], "file_bytes": info["file_bytes"], "link": info["link"],
        "wall_s": round(sessions * per_session + hashing, 1), "shell_sessions": sessions,
        "connections": base["connections"], "extrapolated": True, "exit_code": None,
        "note": f"extrapolated from the measured {base['profile']} run: "
        f"{per_session * 1000:.1f} ms per session, plus 4 hashes of "
        f"{info['file_bytes'] / 1e9:.2f} GB" + (f" at {rate / 1e6:g} MB/s" if rate else ""),
    }  # fmt: skip


def _hash_rate(link: str) -> float:
    """Bytes per second of on-phone hashing from the link text (0 when free)."""
    for part in link.split(","):
        if "hashing" in part:
            return float(part.split()[-2]) * 1e6
    return 0.0


def bench_profile(profile: str, model: str, args: argparse.Namespace, indicators: Path,
                  mvt_exe: Path | None, results: dict[str, Any]) -> None:  # fmt: skip
    """Scan one profile under one model `--repeat` times, then run MVT on the same phone."""
    use_mvt = mvt_exe is not None
    with open_phone(profile, model, mvt=use_mvt, isolated=not args.in_process) as phone:
        info = phone.info
        print(
            f"\n== {profile}: {info['packages']} packages, {info['files']} APK files, "
            f"{_mb(info['file_bytes'])} declared ({_mb(info['data_bytes'])} on /data)"
        )
        print(f"   phone model: {info['link']}")
        mvt_here = use_mvt and info["packages"] <= args.mvt_max_packages
        primed = phone.prime(HASHES if mvt_here else ["sha256"])
        print(f"   (simulator digests pre-computed in {primed:.1f} s, not timed)")
        saved = CACHE / f"{profile}-{model}-acquisition"
        runs = []
        for k in range(args.repeat):
            r = run_stalkerscan(phone, profile, model, indicators=indicators,
                                timeout=args.timeout, max_pull_mb=args.max_pull_mb,
                                keep=saved if k == 0 else None)  # fmt: skip
            if args.in_process:
                r.note = (r.note + "; " if r.note else "") + "phone in-process"
            runs.append(r)
            print(describe(r))
            results["runs"].append({**asdict(r), **_phone_facts(phone)})
        if not runs:
            return
        med = _median_run(runs)
        print(f"   stalkerscan median: {med.wall_s:.2f} s ({len(runs)} runs)")
        if not args.no_stages and saved.exists():
            breakdown = analysis_stages(saved, indicators)
            print(
                "   analysis breakdown (fresh process, saved acquisition): "
                + ", ".join(f"{k} {v:.2f} s" for k, v in breakdown.items())
            )
            results["runs"].append(
                {"tool": "stalkerscan-stages", "profile": profile, "model": model,
                 "stages": breakdown}
            )  # fmt: skip
        if mvt_exe is None:
            return
        if info["packages"] > args.mvt_max_packages:
            print(
                f"   mvt: not run ({info['packages']} packages > --mvt-max-packages "
                f"{args.mvt_max_packages})"
            )
            guess = extrapolate_mvt(results, phone, profile, model)
            if guess is not None:
                results["runs"].append(guess)
                print(
                    f"   mvt EXTRAPOLATED (not measured): ~{guess['wall_s']:.0f} s, "
                    f"~{guess['shell_sessions']} shell sessions ({guess['note']})"
                )
            return
        mruns = []
        for _ in range(args.mvt_repeat):
            m = run_mvt(phone, profile, model, exe=mvt_exe, timeout=args.mvt_timeout)
            mruns.append(m)
            print(describe(m))
            results["runs"].append({**asdict(m), **_phone_facts(phone)})
        mm = _median_run(mruns)
        print(
            f"   MVT / stalkerscan: wall {mm.wall_s / med.wall_s:.1f}x, shell sessions "
            f"{mm.shell_sessions}/{med.shell_sessions}, connections "
            f"{mm.connections}/{med.connections}, bytes "
            f"{_mb(mm.bytes_total)}/{_mb(med.bytes_total)}"
        )
        print(f"   MVT commands: {json.dumps(mm.commands)[:600]}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks the options ask for and print (and optionally save) the figures."""
    parser = argparse.ArgumentParser(
        description="stalkerscan benchmarks (issue 10)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n")[1],
    )
    parser.add_argument("--profile", default="typical", choices=[*PROFILES, "all"])
    parser.add_argument("--model", default="standard", choices=[*MODELS, "both"])
    parser.add_argument("--repeat", type=int, default=3, help="scans per profile and model")
    parser.add_argument("--mvt", action="store_true", help="also run mvt-android check-adb")
    parser.add_argument("--mvt-repeat", type=int, default=1)
    parser.add_argument(
        "--mvt-max-packages",
        type=int,
        default=400,
        help="skip MVT on profiles with more packages (it takes minutes)",
    )
    parser.add_argument("--mvt-timeout", type=float, default=1800.0)
    parser.add_argument("--timeout", type=float, default=600.0, help="cap per scan, seconds")
    parser.add_argument("--max-pull-mb", type=int, default=None, help="scan --max-pull-mb")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the phone in this process (default: a child process)",
    )
    parser.add_argument("--no-stages", action="store_true", help="skip the analysis breakdown")
    parser.add_argument("--help-runs", type=int, default=0, help="time `stalkerscan --help`")
    parser.add_argument(
        "--check-runs",
        type=int,
        default=0,
        help="time `stalkerscan check` of the saved typical acquisition",
    )
    parser.add_argument(
        "--echap",
        type=Path,
        default=ECHAP_DEFAULT,
        help="Echap snapshot to install in the benchmark's indicator store",
    )
    parser.add_argument("--save", type=Path, default=None, help="write the results as JSON")
    parser.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="RESULTS_JSON",
        help="only draw the plot from saved results",
    )
    parser.add_argument(
        "--plot-out", type=Path, default=HERE.parent / "docs" / "performance-wall-time.png"
    )
    args = parser.parse_args(argv)  # fmt: skip

    if args.plot is not None:
        from plot import plot_results

        plot_results(json.loads(args.plot.read_text()), args.plot_out)
        print(f"Plot written to {args.plot_out}")
        return 0

    profiles = list(PROFILES) if args.profile == "all" else [args.profile]
    models = list(MODELS) if args.model == "both" else [args.model]
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "argv": sys.argv,
        "commit": _git_head(),
        "runs": [],
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    indicators, feed = ensure_indicators(args.echap if args.echap.exists() else None)
    results["indicators"] = feed
    print(f"Indicators: {feed}")
    mvt_exe = ensure_mvt() if args.mvt else None
    typical_acq = CACHE / "typical-standard-acquisition"

    for profile in profiles:
        for model in models:
            bench_profile(profile, model, args, indicators, mvt_exe, results)

    if args.help_runs:
        results["help"] = bench_help(args.help_runs)
        print(f"\nstalkerscan --help: {json.dumps(results['help'])}")
    if args.check_runs:
        if not typical_acq.exists():
            print("\ncheck: no saved typical acquisition yet (run --profile typical first)")
        else:
            results["check"] = bench_check(typical_acq, indicators, args.check_runs)
            print(f"\nstalkerscan check (typical acquisition): {json.dumps(results['check'])}")
    results["machine"]["loadavg_at_end"] = os.getloadavg()
    if args.save is not None:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(results, indent=1) + "\n")
        print(f"\nResults saved to {args.save}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
