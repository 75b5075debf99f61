"""APK analysis throughput (MB of APK per second) and where the time goes: androguard vs YARA.

    python benchmarks/bench_apk.py [--repeat 5] [--dex-mb 8] [--apk PATH ...]

Corpus (built in memory, nothing written):
- the committed fixture APKs (tiny: fixed costs dominate);
- a synthetic "large app": the training APK's manifest, resources and certificates plus two
  DEX files of `--dex-mb` MB each (the training DEX followed by generated strings, the way a
  large app's DEX is mostly its string and code sections), a 4 MB native library and 8 MB of
  incompressible assets; it hits every project rule;
- Debian's framework-res.apk (45 MB of real resources, no DEX) if installed;
- any --apk given.

Each APK goes through the whole per-APK pipeline: analyse_apk (androguard: manifest, resources,
certificates), iter_code_entries (zip inflate), YARA with the project rules on every DEX/.so,
extract_hosts. The median of --repeat runs is reported per stage.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import platform
import random
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stalkerscan.evidence.apk import analyse_apk  # noqa: E402
from stalkerscan.evidence.apk_content import extract_hosts, iter_code_entries  # noqa: E402
from stalkerscan.rules import compile_rules, scan  # noqa: E402

APKS = ROOT / "stalkerscan" / "simulator" / "apks"
FRAMEWORK = Path("/usr/share/android-framework-res/framework-res.apk")


def synthetic_large_apk(dex_mb: int) -> bytes:
    """A large APK built from the training APK's entries plus generated DEX/.so/asset bytes."""
    rnd = random.Random(7)
    with zipfile.ZipFile(APKS / "training-stalkerware.apk") as z:
        entries = {i.filename: z.read(i) for i in z.infolist()}
    words = ["get", "set", "on", "Landroid/", "Ljava/util/", "com/example/", "Event", "Manager"]

    def dex_like(seed_dex: bytes, size: int) -> bytes:
        parts = [seed_dex]
        total = len(seed_dex)
        while total < size:
            s = "".join(rnd.choice(words) for _ in range(6)) + str(rnd.randrange(10**6))
            b = bytes([len(s)]) + s.encode() + b"\x00"
            parts.append(b)
            total += len(b)
        return b"".join(parts)

    dex = entries["classes.dex"]
    entries["classes.dex"] = dex_like(dex, dex_mb * 1024 * 1024)
    entries["classes2.dex"] = dex_like(dex, dex_mb * 1024 * 1024)
    entries["lib/arm64-v8a/libbig.so"] = b"\x7fELF" + rnd.randbytes(4 * 1024 * 1024)
    entries["assets/blob.bin"] = rnd.randbytes(8 * 1024 * 1024)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries.items():
            out.writestr(name, data)
    return buf.getvalue()


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(name: str, data: bytes, rule_sets: list, repeat: int) -> dict[str, float]:  # type: ignore[type-arg]
    """Median seconds per stage for one APK."""
    stages: dict[str, list[float]] = {"androguard": [], "unzip": [], "yara": [], "hosts": []}
    for _ in range(repeat):
        stages["androguard"].append(timed(lambda: analyse_apk(data)))
        start = time.perf_counter()
        code = list(iter_code_entries(data))
        stages["unzip"].append(time.perf_counter() - start)
        stages["yara"].append(
            timed(lambda c=code: [scan(rule_sets, b, timeout=60, target=n) for n, b in c])
        )
        stages["hosts"].append(timed(lambda: extract_hosts(data)))
    med = {k: statistics.median(v) for k, v in stages.items()}
    med["total"] = sum(med.values())
    med["mb"] = len(data) / 1e6
    med["code_mb"] = sum(len(b) for _, b in code) / 1e6
    return med


def main() -> int:
    """Run the benchmark and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dex-mb", type=int, default=8)
    ap.add_argument("--apk", type=Path, action="append", default=[])
    args = ap.parse_args()

    t0 = time.perf_counter()
    rule_sets = compile_rules()
    compile_s = time.perf_counter() - t0
    # corrupt.apk is left out: it stops at the zip check (about 0.1 ms) and has no code to scan.
    corpus: list[tuple[str, bytes]] = [
        (p.name, p.read_bytes()) for p in sorted(APKS.glob("*.apk")) if p.name != "corrupt.apk"
    ]
    corpus.append((f"synthetic-large ({args.dex_mb} MB DEX x2)", synthetic_large_apk(args.dex_mb)))
    if FRAMEWORK.exists():
        corpus.append(("framework-res.apk (Debian)", FRAMEWORK.read_bytes()))
    corpus.extend((p.name, p.read_bytes()) for p in args.apk)

    print(f"# {' '.join(['python', *sys.argv])}")
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(f"# rule compile (once per run): {compile_s * 1000:.1f} ms")
    head = f"{'apk':42} {'MB':>7} {'code MB':>8} {'andro ms':>9} {'unzip ms':>9} {'yara ms':>8}"
    print(head + f" {'hosts ms':>9} {'MB/s':>7} {'andro%':>7} {'yara%':>6}")
    totals = {"androguard": 0.0, "unzip": 0.0, "yara": 0.0, "hosts": 0.0, "total": 0.0, "mb": 0.0}
    for name, data in corpus:
        m = measure(name, data, rule_sets, args.repeat)
        for k in totals:
            totals[k] += m[k]
        print(
            f"{name[:42]:42} {m['mb']:7.2f} {m['code_mb']:8.2f} {m['androguard'] * 1e3:9.1f} "
            f"{m['unzip'] * 1e3:9.1f} {m['yara'] * 1e3:8.1f} {m['hosts'] * 1e3:9.1f} "
            f"{m['mb'] / m['total']:7.1f} {100 * m['androguard'] / m['total']:6.0f}% "
            f"{100 * m['yara'] / m['total']:5.0f}%"
        )
    t = totals
    print(
        f"{'ALL':42} {t['mb']:7.2f} {'':8} {t['androguard'] * 1e3:9.1f} {t['unzip'] * 1e3:9.1f} "
        f"{t['yara'] * 1e3:8.1f} {t['hosts'] * 1e3:9.1f} {t['mb'] / t['total']:7.1f} "
        f"{100 * t['androguard'] / t['total']:6.0f}% {100 * t['yara'] / t['total']:5.0f}%"
    )
    sha = hashlib.sha256(b"".join(d for _, d in corpus)).hexdigest()[:12]
    print(f"# corpus sha256 prefix {sha}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
