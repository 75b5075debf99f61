"""The simulated phone for the benchmarks: in this process, or alone in a child process.

On a 2-core machine the phone's own CPU work (ADB framing, generating and hashing APK bytes)
competes with the scanner it serves. Run as a child process (the default of `run.py`), the
phone is a separate interpreter with its own GIL; its counters are read over a pipe:

    python benchmarks/phone.py --profile typical --model standard [--mvt]
    # prints {"port": N, ...} on stdout, then answers JSON lines on stdin:
    # {"op": "stats"} -> {"stats": {...}, "log": [[time, conn, kind, command], ...]}
    # {"op": "reset"} ; {"op": "prime", "algorithms": ["sha256"]} ; {"op": "quit"}

`open_phone(profile, model, mvt=..., isolated=...)` returns a `PhoneHandle` with the same
methods either way (`serial`, `stats()`, `reset()`, `prime()`, `close()`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MODELS = ("standard", "none")
PROFILES = ("small", "typical", "huge", "covert")


def load_profile(name: str, model: str, *, mvt: bool) -> Any:
    """The scenario's Profile with the chosen link model (and MVT's answers when asked)."""
    from stalkerscan.simulator import scenarios
    from stalkerscan.simulator.profile import STANDARD_LINK

    profile = scenarios.load(name)
    if model == "standard":
        link = {**STANDARD_LINK, "max_payload": profile.link.max_payload}
    elif model == "none":
        link = {"max_payload": profile.link.max_payload}
    else:
        raise ValueError(f"unknown model {model!r}")
    profile = profile.with_changes(link=link)
    if mvt:
        from stalkerscan.simulator.generate.mvt_compat import with_mvt_answers

        profile = with_mvt_answers(profile)
    return profile


def link_text(profile: Any) -> str:
    """The latency model in words, printed next to every figure."""
    link = profile.link
    if not any((link.stream_open_ms, link.write_ms, link.shell_run_ms, link.bulk_mb_s,
                link.hash_mb_s)):  # fmt: skip
        return "no latency (every knob 0)"
    return (
        f"{link.stream_open_ms:g} ms per stream open, {link.write_ms:g} ms per device write, "
        f"{link.shell_run_ms:g} ms device-side run time per shell session, "
        f"{link.bulk_mb_s:g} MB/s bulk, on-phone hashing {link.hash_mb_s:g} MB/s"
    )


def _count_packages(profile: Any) -> int:
    """Packages user 0 sees (`pm list packages -u`), the figure the plot's x axis uses."""
    from stalkerscan.simulator.profile import command_key

    answer = profile.commands.get(command_key("pm list packages -f -i -U -u --user 0"))
    if answer is None or answer.stdout is None:
        return 0
    return sum(1 for line in answer.stdout.read_all().splitlines() if line.startswith(b"package:"))


class _Core:
    """The phone itself and the operations both handles offer."""

    def __init__(self, profile_name: str, model: str, *, mvt: bool) -> None:
        from stalkerscan.simulator.server import SimulatedPhone

        self.profile = load_profile(profile_name, model, mvt=mvt)
        self.phone = SimulatedPhone(self.profile).start()

    def info(self) -> dict[str, Any]:
        p = self.profile
        return {
            "port": self.phone.port,
            "serial": self.phone.serial_tcp,
            "link": link_text(p),
            "files": len(p.files),
            "file_bytes": sum(f.content.size for f in p.files.values()),
            "data_bytes": sum(
                f.content.size for path, f in p.files.items() if path.startswith("/data/")
            ),
            "commands": len(p.commands),
            "packages": _count_packages(p),
        }

    def stats(self) -> dict[str, Any]:
        log = [[e.time, e.conn, e.kind, e.command[:200]] for e in self.phone.command_log.entries()]
        return {"stats": self.phone.stats.snapshot(), "log": log}

    def reset(self) -> None:
        self.phone.stats.reset()
        self.phone.command_log.clear()

    def prime(self, algorithms: list[str]) -> float:
        """Compute the files' digests now, so that no tool pays the simulator's hashing CPU.

        With no latency model the simulator's own hashing would otherwise show up as the
        phone's time; under the standard model it overlaps the modelled time anyway.
        """
        t = time.perf_counter()
        for f in self.profile.files.values():
            for a in algorithms:
                f.content.digest(a)
        return time.perf_counter() - t

    def close(self) -> None:
        self.phone.stop()


class PhoneHandle:
    """A running simulated phone (in this process or a child process)."""

    serial: str
    info: dict[str, Any]

    def stats(self) -> dict[str, Any]:
        """Counters and the command log since the last reset."""
        raise NotImplementedError

    def reset(self) -> None:
        """Zero the counters and forget the log."""
        raise NotImplementedError

    def prime(self, algorithms: list[str]) -> float:
        """Pre-compute file digests; returns the seconds it took."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the phone."""
        raise NotImplementedError

    def __enter__(self) -> PhoneHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcessPhone(PhoneHandle):
    """The phone in a thread of this process (cheaper, but shares the GIL and the cores)."""

    def __init__(self, profile: str, model: str, *, mvt: bool) -> None:
        self.core = _Core(profile, model, mvt=mvt)
        self.info = self.core.info()
        self.serial = self.info["serial"]

    def stats(self) -> dict[str, Any]:
        """See PhoneHandle."""
        return self.core.stats()

    def reset(self) -> None:
        """See PhoneHandle."""
        self.core.reset()

    def prime(self, algorithms: list[str]) -> float:
        """See PhoneHandle."""
        return self.core.prime(algorithms)

    def close(self) -> None:
        """See PhoneHandle."""
        self.core.close()


class ChildPhone(PhoneHandle):
    """The phone alone in a child interpreter, driven over its stdin/stdout."""

    def __init__(self, profile: str, model: str, *, mvt: bool) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--profile", profile,
               "--model", model] + (["--mvt"] if mvt else [])  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.info = self._read()
        self.serial = self.info["serial"]

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the phone process ended (exit {self.proc.wait()})")
        data: dict[str, Any] = json.loads(line)
        return data

    def _ask(self, **request: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def stats(self) -> dict[str, Any]:
        """See PhoneHandle."""
        return self._ask(op="stats")

    def reset(self) -> None:
        """See PhoneHandle."""
        self._ask(op="reset")

    def prime(self, algorithms: list[str]) -> float:
        """See PhoneHandle."""
        return float(self._ask(op="prime", algorithms=algorithms)["seconds"])

    def close(self) -> None:
        """See PhoneHandle."""
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                self._ask(op="quit")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def open_phone(
    profile: str, model: str, *, mvt: bool = False, isolated: bool = True
) -> PhoneHandle:
    """Start the phone for `profile` under `model` (in a child process when `isolated`)."""
    if isolated:
        return ChildPhone(profile, model, mvt=mvt)
    return InProcessPhone(profile, model, mvt=mvt)


def _serve(args: argparse.Namespace) -> int:
    core = _Core(args.profile, args.model, mvt=args.mvt)
    out = sys.stdout

    def reply(data: dict[str, Any]) -> None:
        out.write(json.dumps(data) + "\n")
        out.flush()

    reply(core.info())
    try:
        for line in sys.stdin:
            request = json.loads(line)
            op = request.get("op")
            if op == "stats":
                reply(core.stats())
            elif op == "reset":
                core.reset()
                reply({"ok": True})
            elif op == "prime":
                reply({"seconds": core.prime(list(request.get("algorithms", ["sha256"])))})
            elif op == "quit":
                reply({"ok": True})
                break
            else:
                reply({"error": f"unknown op {op!r}"})
    finally:
        core.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Serve one benchmark phone in the foreground (the child-process side)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", required=True, choices=PROFILES)
    parser.add_argument("--model", default="standard", choices=MODELS)
    parser.add_argument("--mvt", action="store_true", help="also answer MVT's commands")
    return _serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
