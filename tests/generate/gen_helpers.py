"""Shared helpers of the generator's tests (a module of its own: `from conftest import` picks
whichever conftest pytest loaded last when several test folders are given on the command line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from stalkerscan.simulator import scenarios

# hostile-huge writes ~200 MB: it has its own (slow-marked) test, never rendered by default.
SKIP_BY_DEFAULT = {"hostile-huge", "huge"}
ALL = [i.name for i in scenarios.list_profiles()]
REGULAR = [n for n in ALL if n not in SKIP_BY_DEFAULT]
BENIGN = [n for n in REGULAR if n not in ("hostile",)]


class Rendered:
    """A rendered profile folder with helpers to read a command's output."""

    def __init__(self, root: Path) -> None:
        self.root = root
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster
        text = (root / "profile.yaml").read_text(encoding="utf-8")
        self.data = yaml.load(text, Loader=loader)
        self.commands: dict[str, object] = self.data["commands"]
        self._parsed: dict[tuple[str, Any], Any] = {}

    def entry(self, command: str) -> dict[str, object]:
        """The command's entry in the long form."""
        e = self.commands[command]
        return {"stdout": e} if isinstance(e, str) else dict(e)  # type: ignore[arg-type]

    def out(self, command: str) -> bytes:
        """The stdout bytes of `command`."""
        e = self.entry(command)
        if "stdout" in e:
            return (self.root / str(e["stdout"])).read_bytes()
        text = e.get("text", "")
        return text.encode() if isinstance(text, str) else bytes(text)  # type: ignore[arg-type]

    def parsed(self, command: str, parse: Any) -> Any:
        """`parse(out(command))`, computed once per session (parsing is the slow part)."""
        key = (command, parse)
        if key not in self._parsed:
            self._parsed[key] = parse(self.out(command))
        return self._parsed[key]

    def text(self, command: str) -> str:
        """The stdout of `command` as text."""
        return self.out(command).decode("utf-8", "replace")
