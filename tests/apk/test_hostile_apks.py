"""Hostile archives: refused or unparseable with a reason; no wild allocation; nothing written."""

from __future__ import annotations

import os
import struct
import tracemalloc
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from stalkerscan.errors import ApkError
from stalkerscan.evidence.apk import MAX_TEXT, analyse_apk
from stalkerscan.evidence.apk_content import (
    ZipLimits,
    analyse_content,
    extract_hosts,
    iter_code_entries,
)

from .conftest import APKS, TRAINING


def zip_bytes(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buf.getvalue()


def with_declared_size(data: bytes, size: int, *, compressed: int | None = None) -> bytes:
    """Rewrite the first entry's sizes in the local header and the central directory."""
    out = bytearray(data)
    # Local file header: sizes at offsets 18 (compressed) and 22 (uncompressed).
    if compressed is not None:
        struct.pack_into("<I", out, 18, compressed)
    struct.pack_into("<I", out, 22, size)
    cd = out.find(b"PK\x01\x02")
    if compressed is not None:
        struct.pack_into("<I", out, cd + 20, compressed)
    struct.pack_into("<I", out, cd + 24, size)
    return bytes(out)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory; the test checks that it stays empty."""
    work = tmp_path / "work" / "inner"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    return tmp_path


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def training_entries() -> dict[str, bytes]:
    with zipfile.ZipFile(TRAINING) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def test_zip_bomb_in_the_manifest_makes_the_apk_unparseable(workdir: Path) -> None:
    bomb = zip_bytes({"AndroidManifest.xml": bytes(20 * 1024 * 1024), "classes.dex": b"dex\n"})
    assert len(bomb) < 100_000
    info = analyse_apk(bomb)
    assert info.unparseable and "Zip bomb" in info.unparseable
    assert "AndroidManifest.xml" in info.unparseable
    with pytest.raises(ApkError, match="Zip bomb"):
        list(iter_code_entries(bomb))
    with pytest.raises(ApkError):
        extract_hosts(bomb)
    assert analyse_content(bomb).unparseable
    assert tree(workdir) == ["work", "work/inner"]


def test_zip_bomb_entry_is_refused_alone_and_hides_nothing(workdir: Path, project_rules) -> None:  # type: ignore[no-untyped-def]
    # A crafted entry must not make the whole app unanalysable (that would be an evasion).
    entries = training_entries()
    entries["classes2.dex"] = bytes(20 * 1024 * 1024)
    data = zip_bytes(entries)
    info = analyse_apk(data)
    assert info.unparseable is None and info.package == "org.stalkerscan.training.syncservice"
    assert any("Zip bomb" in p and "classes2.dex" in p for p in info.problems)
    assert [n for n, _ in iter_code_entries(data)] == ["classes.dex"]
    content = analyse_content(data, project_rules)
    assert any("Zip bomb" in s and "classes2.dex" in s for s in content.skipped)
    assert "SS-YARA-001" in {h.rule_id for h in content.hits}
    assert tree(workdir) == ["work", "work/inner"]


def test_two_gigabyte_declared_size_is_refused_without_allocating(workdir: Path) -> None:
    manifest = training_entries()["AndroidManifest.xml"]
    # A manifest that claims 2 GB: the APK is unparseable.
    small = zip_bytes({"AndroidManifest.xml": manifest}, zipfile.ZIP_STORED)
    huge_manifest = with_declared_size(small, 2 * 1024**3)
    # A DEX that claims 2 GB: that entry alone is refused.
    small = zip_bytes(
        {"classes.dex": b"dex\n035\x00" + b"A" * 100, "AndroidManifest.xml": manifest},
        zipfile.ZIP_STORED,
    )
    huge_dex = with_declared_size(small, 2 * 1024**3)
    tracemalloc.start()
    try:
        info = analyse_apk(huge_manifest)
        with pytest.raises(ApkError):
            list(iter_code_entries(huge_manifest))
        dex_info = analyse_apk(huge_dex)
        dex_entries = list(iter_code_entries(huge_dex))
        content = analyse_content(huge_dex)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.unparseable and str(2 * 1024**3) in info.unparseable
    assert dex_info.unparseable is None
    assert any(str(2 * 1024**3) in p for p in dex_info.problems)
    assert dex_entries == []
    assert any(str(2 * 1024**3) in s for s in content.skipped)
    assert peak < 20 * 1024 * 1024


def test_declared_compressed_size_larger_than_the_file(workdir: Path) -> None:
    small = zip_bytes({"AndroidManifest.xml": b"x" * 100}, zipfile.ZIP_STORED)
    lying = with_declared_size(small, 2 * 1024**3, compressed=2 * 1024**3)
    info = analyse_apk(lying)
    assert info.unparseable and "corrupt or crafted" in info.unparseable


def test_path_traversal_names_are_ignored_and_nothing_is_written(workdir: Path) -> None:
    entries = training_entries()
    dex = entries["classes.dex"]
    entries.update(
        {
            "../../evil.dex": dex,
            "../classes.dex": dex,
            "/tmp/abs-classes.dex": dex,
            "lib/../../../x.so": b"\x7fELF",
            "C:\\windows\\classes.dex": dex,
        }
    )
    data = zip_bytes(entries)
    names = [n for n, _ in iter_code_entries(data)]
    assert names == ["classes.dex"]
    info = analyse_apk(data)
    assert info.unparseable is None and info.package == "org.stalkerscan.training.syncservice"
    assert any("path traversal" in p for p in info.problems)
    assert tree(workdir) == ["work", "work/inner"]
    assert not Path("/tmp/abs-classes.dex").exists()


def test_garbage_bytes_are_unparseable(workdir: Path) -> None:
    garbage = bytes((i * 7919 + 13) % 256 for i in range(50_000))
    info = analyse_apk(garbage)
    assert info.unparseable and "zip" in info.unparseable.lower()
    with pytest.raises(ApkError, match="zip"):
        list(iter_code_entries(garbage))


def test_empty_and_truncated(workdir: Path) -> None:
    assert analyse_apk(b"").unparseable
    head = TRAINING.read_bytes()[:3000]
    assert analyse_apk(head).unparseable


def test_zip_without_manifest(workdir: Path) -> None:
    info = analyse_apk(zip_bytes({"classes.dex": b"dex\n035\x00"}))
    assert info.unparseable == "No AndroidManifest.xml."


def test_garbage_manifest_is_unparseable(workdir: Path) -> None:
    info = analyse_apk(zip_bytes({"AndroidManifest.xml": os.urandom(64)}))
    assert info.unparseable


def test_file_over_the_size_limit(workdir: Path) -> None:
    info = analyse_apk(TRAINING, limits=ZipLimits(max_file_bytes=1000))
    assert info.unparseable and "limit" in info.unparseable
    assert info.sha256 is None


def test_missing_file() -> None:
    info = analyse_apk(Path("/nonexistent/x.apk"))
    assert info.unparseable and "could not be read" in info.unparseable


def test_too_many_entries() -> None:
    data = zip_bytes({f"assets/{i}": b"" for i in range(50)})
    with pytest.raises(ApkError, match="entries"):
        list(iter_code_entries(data, limits=ZipLimits(max_entries=10)))


def test_hostile_label_is_kept_verbatim_and_bounded() -> None:
    # Labels are data: a crafted label is stored as found, only cut to MAX_TEXT characters;
    # escaping is the renderer's job (textsafe.for_terminal, Jinja2 autoescape).
    info = analyse_apk(APKS / "hostile-label.apk")
    assert info.unparseable is None and info.launcher_activity
    assert info.label is not None and len(info.label) == MAX_TEXT
    assert info.label.startswith("\x1b[31mSystem\x1b[0m \u202eecivreS\u202c <b>[bold red]")
    assert "<script>alert(1)</script>\u200bAAA" in info.label
    assert info.version_name == "1.0<script>"


def test_label_resolution_is_bounded_by_the_resource_table_size() -> None:
    info = analyse_apk(TRAINING, max_label_resources_bytes=100)
    assert info.label is None and info.package == "org.stalkerscan.training.syncservice"
    assert any("resources.arsc" in p and "limit" in p for p in info.problems)


def test_huge_signing_block_pair_length_is_a_problem_not_a_crash() -> None:
    # Found by the fuzzer: one flipped byte made a pair length of ~2**63 (OverflowError in read).
    data = bytearray((APKS / "benign.apk").read_bytes())
    data[4111] = 128
    info = analyse_apk(bytes(data))
    assert "v3 key-rotation lineage not read: truncated signing block pair" in info.problems


def test_entry_with_an_empty_name_is_skipped_not_a_crash() -> None:
    # Found by fuzzing: zipfile's is_dir() raises IndexError on an empty entry name.
    src = zipfile.ZipFile(APKS / "benign.apk")
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in src.infolist():
            z.writestr(i.filename, src.read(i))
        z.writestr(zipfile.ZipInfo("x"), b"hello")
    data = bytearray(buf.getvalue())
    cd = data.rfind(b"PK\x01\x02")  # the last central-directory record: "x"
    struct.pack_into("<H", data, cd + 28, 0)  # name length 0
    del data[cd + 46 : cd + 47]
    eocd = data.rfind(b"PK\x05\x06")
    (size,) = struct.unpack_from("<I", data, eocd + 12)
    struct.pack_into("<I", data, eocd + 12, size - 1)
    assert zipfile.ZipFile(BytesIO(bytes(data))).namelist()[-1] == ""
    content = analyse_content(bytes(data))
    assert content.unparseable is None
    assert [e.name for e in content.code_entries] == ["classes.dex"]


def test_damaged_apks_write_nothing_to_stdout_or_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    # androguard print()s and apkInspector logs on the root logger for damaged entries; a crafted
    # APK must not write into our output (a JSON report may be on stdout).
    import random

    rng = random.Random(7)  # deterministic damage
    sources = [(APKS / n).read_bytes() for n in ("benign.apk", "training-stalkerware.apk")]
    for _ in range(300):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        analyse_apk(bytes(data))
    out, err = capfd.readouterr()
    assert out == "" and err == ""
