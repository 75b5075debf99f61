"""`sha256sum` parser: hashes, per-path errors (toybox and busybox), junk, escapes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stalkerscan.evidence.hashes import parse_sha256sum

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dumpsys" / "hashes"
CASES = sorted(FIXTURES.glob("*.txt"))
REGEN = os.environ.get("STALKERSCAN_REGEN_GOLDEN") == "1"


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.name)
def test_golden_and_encodings(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    result = parse_sha256sum(text)
    golden = source.with_suffix(".golden.json")
    data = result.model_dump(mode="json")
    if REGEN:
        golden.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert data == json.loads(golden.read_text(encoding="utf-8"))
    crlf = text.replace("\n", "\r\n")
    assert parse_sha256sum(crlf) == result
    assert parse_sha256sum(crlf.encode("utf-16-le")) == result


def test_mixed_stdout_and_stderr() -> None:
    result = parse_sha256sum((FIXTURES / "mixed-stdout-stderr.txt").read_text())
    notes = result.get("/data/app/~~Xk3d9fZ2bQ==/org.example.notes-Zm9vYmFy0w==/base.apk")
    assert notes is not None and notes.sha256 is not None and notes.sha256.startswith("3f7a0c6d")
    spy = result.get("/data/app/~~q9=Lk2=Zw0a8==/org.example.wifiservice-YWJj=ZGVm==/base.apk")
    assert spy is not None and spy.sha256 is None and spy.error == "Permission denied"
    split = result.get(
        "/data/app/~~Bw9aQ1cY2Q==/org.example.browser-U2Fy2A==/split_config.arm64_v8a.apk"
    )
    assert split is not None and split.sha256 == ("abcdefabcdef0123456789" * 3)[:64]  # lower-cased
    assert len(result.as_dict()) == 3 and len(result.files) == 5
    assert result.issues.unparsed_lines == 1 and not result.tool_missing


def test_busybox_and_missing_tool() -> None:
    busy = parse_sha256sum((FIXTURES / "busybox-errors.txt").read_text())
    err = busy.get("/data/app/org.example.syncagent-2/base.apk")
    assert err is not None and err.error == "Permission denied"
    missing = parse_sha256sum((FIXTURES / "missing-tool.txt").read_text())
    assert missing.tool_missing and missing.files == ()


def test_escaped_path_and_conflicts() -> None:
    digest = "a" * 64
    other = "b" * 64
    text = (
        f"\\{digest}  /data/x\\nname\n{digest}  /p\n{other}  /p\n"
        f"sha256sum: /q: Permission denied\n{digest}  /q\n"
    )
    result = parse_sha256sum(text)
    assert result.get("/data/x\nname").sha256 == digest  # type: ignore[union-attr]
    assert result.get("/p").sha256 is None and result.get("/p").error  # type: ignore[union-attr]
    assert result.get("/q").sha256 == digest  # type: ignore[union-attr]
    assert parse_sha256sum("").files == ()
