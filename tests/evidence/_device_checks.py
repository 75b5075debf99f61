"""Shared checks for the device and special-access parsers: golden files, encodings, garbage.

Golden files sit beside the fixtures as `<fixture stem>.expected.json`; regenerate them after a
reviewed format change with `STALKERSCAN_UPDATE_GOLDEN=1 python -m pytest tests/evidence`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dumpsys"
SAMPLE = FIXTURES / "emulator-android9"

Parser = Callable[[bytes | str], BaseModel]


def fixture_files(artifact: str, *samples: str) -> list[Path]:
    """The fixture texts of one artifact folder, plus named files of the real Android 9 sample."""
    files = sorted((FIXTURES / artifact).glob("*.txt"))
    files += [SAMPLE / s for s in samples]
    return files


def golden_path(artifact: str, fixture: Path) -> Path:
    """Where the expected JSON of `fixture` lives."""
    stem = fixture.stem if fixture.parent != SAMPLE else f"emulator-android9.{fixture.stem}"
    return FIXTURES / artifact / f"{stem}.expected.json"


def check_golden(artifact: str, fixture: Path, model: BaseModel) -> None:
    """Compare a parsed model with its golden JSON (or write it when asked to)."""
    got = model.model_dump(mode="json")
    path = golden_path(artifact, fixture)
    if os.environ.get("STALKERSCAN_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    assert path.exists(), f"golden file missing: {path}"
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got == want


def windows_variants(data: bytes) -> list[bytes]:
    """The same output as Windows tools save it: CRLF, UTF-16LE with and without a BOM."""
    text = data.decode("utf-8").replace("\n", "\r\n")
    return [
        text.encode("utf-8"),
        b"\xff\xfe" + text.encode("utf-16-le"),
        text.encode("utf-16-le"),
        "\ufeff".encode() + text.encode("utf-8"),
    ]


def check_windows_variants(parse: Parser, data: bytes) -> None:
    """CRLF and UTF-16LE copies of the output parse exactly like the original."""
    want = parse(data)
    for variant in windows_variants(data):
        assert parse(variant) == want


def never_raises_on_garbage(parse: Parser) -> Callable[[], None]:
    """A hypothesis test: arbitrary text and bytes never make `parse` raise."""
    expected = type(parse(""))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(st.text(max_size=400), st.binary(max_size=400)))
    def run(data: Any) -> None:
        result = parse(data)
        assert type(result) is expected

    return run


def never_raises_on_mutations(parse: Parser, files: list[Path]) -> Callable[[], None]:
    """A hypothesis test: truncated, cut and line-shuffled real-format text never raises."""
    texts = [f.read_text(encoding="utf-8") for f in files]
    expected = type(parse(""))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def run(data: st.DataObject) -> None:
        text = data.draw(st.sampled_from(texts))
        cut = data.draw(st.integers(0, len(text)))
        lines = text[:cut].split("\n")
        if lines:
            n = data.draw(st.integers(0, 4))
            for _ in range(n):
                i = data.draw(st.integers(0, len(lines) - 1))
                action = data.draw(st.sampled_from(["drop", "dup", "garble", "strip", "junk"]))
                if action == "drop":
                    del lines[i]
                elif action == "dup":
                    lines.insert(i, lines[i])
                elif action == "garble":
                    lines[i] = lines[i][: len(lines[i]) // 2] + data.draw(st.text(max_size=20))
                elif action == "strip":
                    lines[i] = lines[i].strip()
                else:
                    lines.insert(i, data.draw(st.text(max_size=40)))
                if not lines:
                    break
        result = parse("\n".join(lines))
        assert type(result) is expected

    return run
