"""Every project rule compiles, has its meta, hits its positive and misses its benign twin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stalkerscan.rules import (
    REQUIRED_META,
    SEVERITIES,
    check_rule_files,
    load_rule_set,
    project_rules_dir,
)

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
FIXTURES = ROOT / "fixtures" / "rules"


def _rule_ids() -> list[str]:
    return sorted(c.rule_id for c in check_rule_files([RULES]) if c.rule_id)


RULE_IDS = _rule_ids()


@pytest.fixture(scope="module")
def project():  # type: ignore[no-untyped-def]
    return load_rule_set("project", [RULES])


def test_project_rules_dir_is_the_top_level_folder() -> None:
    assert project_rules_dir() == RULES
    assert len(RULE_IDS) >= 8
    assert len(set(RULE_IDS)) == len(RULE_IDS)


def test_every_rule_passes_the_check() -> None:
    results = check_rule_files([RULES])
    assert results and all(r.ok for r in results), [r for r in results if not r.ok]
    assert {r.severity for r in results} <= set(SEVERITIES)


def test_there_is_a_native_code_rule(project) -> None:  # type: ignore[no-untyped-def]
    scopes = {}
    import yara

    for f in sorted(RULES.glob("*.yar")):
        for r in yara.compile(filepath=str(f)):
            scopes[r.meta["id"]] = r.meta.get("scope")
    assert "elf" in scopes.values() and "dex" in scopes.values()


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_hits_its_positive_fixture(project, rule_id: str) -> None:  # type: ignore[no-untyped-def]
    data = (FIXTURES / f"{rule_id}.positive.bin").read_bytes()
    out = project.scan(data, timeout=5, target="positive")
    assert rule_id in {h.rule_id for h in out.hits}, out


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_misses_its_benign_fixture(project, rule_id: str) -> None:  # type: ignore[no-untyped-def]
    data = (FIXTURES / f"{rule_id}.benign.bin").read_bytes()
    out = project.scan(data, timeout=5)
    assert rule_id not in {h.rule_id for h in out.hits}, out


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_benign_fixture_is_a_near_miss(rule_id: str) -> None:
    # The benign twin shares the file shape and some of the strings: the test is not trivial.
    pos = (FIXTURES / f"{rule_id}.positive.bin").read_bytes()
    ben = (FIXTURES / f"{rule_id}.benign.bin").read_bytes()
    assert pos[:4] == ben[:4]
    shared = set(pos.split(b"\x00")) & set(ben.split(b"\x00")) - {b""}
    assert shared


def test_rules_need_the_code_bytes_not_the_zip(project) -> None:  # type: ignore[no-untyped-def]
    # A positive fixture without the DEX magic (e.g. strings in a text file) does not match.
    data = (FIXTURES / "SS-YARA-001.positive.bin").read_bytes()
    assert project.scan(b"not a dex" + data[4:], timeout=5).hits == ()


def test_fixtures_exist_for_every_rule_and_no_others() -> None:
    names = {p.name.split(".")[0] for p in FIXTURES.glob("*.bin")}
    assert names == set(RULE_IDS)


def test_fixture_generator_is_in_sync(tmp_path: Path) -> None:
    gen = FIXTURES / "make_fixtures.py"
    copy = tmp_path / "make_fixtures.py"
    copy.write_text(gen.read_text())
    subprocess.run([sys.executable, str(copy)], check=True, timeout=30)
    for p in FIXTURES.glob("*.bin"):
        assert (tmp_path / p.name).read_bytes() == p.read_bytes(), p.name


def test_meta_keys_are_the_documented_ones() -> None:
    assert REQUIRED_META == ("id", "description", "severity", "author", "reference")
