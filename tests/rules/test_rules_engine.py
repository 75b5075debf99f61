"""Rule sets: provenance, namespaces, compile errors naming the file, timeouts, the CLI check."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stalkerscan.errors import ExitCode, RuleError
from stalkerscan.rules import (
    MAX_INSTANCES,
    check_rule_files,
    compile_rules,
    load_rule_set,
    scan,
)

ROOT = Path(__file__).resolve().parents[2]
GOOD = """
rule demo_rule {
    meta:
        id = "SS-YARA-900"
        description = "test rule"
        severity = "low"
        author = "tests"
        reference = "https://example.org/"
    strings:
        $a = "training-marker"
    condition:
        $a
}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_provenance_has_each_file_sha256(tmp_path: Path) -> None:
    f = write(tmp_path, "a.yar", GOOD)
    rs = load_rule_set("feed", [tmp_path])
    assert rs.info.name == "feed" and rs.info.rule_count == 1
    (rf,) = rs.info.files
    assert rf.path == str(f) and rf.sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
    assert rf.namespace == "feed:a"


def test_same_rule_name_in_two_sets_is_kept_apart(tmp_path: Path) -> None:
    d1, d2 = tmp_path / "one", tmp_path / "two"
    d1.mkdir()
    d2.mkdir()
    write(d1, "x.yar", GOOD)
    write(d2, "x.yar", GOOD)
    sets = compile_rules(rules_dir=d1, feed_rules=d2 / "x.yar")
    out = scan(sets, b"..training-marker..training-marker..training-marker..training-marker")
    assert sorted(h.rule_set for h in out.hits) == ["feed", "project"]
    hit = out.hits[0]
    assert hit.rule == "demo_rule" and hit.rule_id == "SS-YARA-900" and hit.severity == "low"
    (s,) = hit.strings
    assert s.identifier == "$a" and s.count == 4 and len(s.offsets) == MAX_INSTANCES
    assert s.preview == "training-marker"


def test_compile_error_names_the_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "ok.yar", GOOD)
    bad = write(tmp_path, "broken.yar", 'rule x {\n strings: $a = "x"\n condition: $b\n}\n')
    with pytest.raises(RuleError) as err:
        load_rule_set("project", [tmp_path])
    assert str(bad) in err.value.message and "(4)" in err.value.message


def test_unavailable_module_is_a_rule_error(tmp_path: Path) -> None:
    bad = write(tmp_path, "cuckoo.yar", 'import "cuckoo"\nrule y { condition: true }\n')
    with pytest.raises(RuleError) as err:
        load_rule_set("feed", [bad])
    assert "cuckoo" in err.value.message and str(bad) in err.value.message


def test_includes_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "other.yar", GOOD)
    inc = write(tmp_path, "inc.yar", f'include "{tmp_path / "other.yar"}"\n')
    with pytest.raises(RuleError):
        load_rule_set("feed", [inc])


def test_missing_rule_path_is_a_rule_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError):
        load_rule_set("feed", [tmp_path / "nope.yar"])


def test_slow_rule_is_recorded_as_a_timeout(tmp_path: Path) -> None:
    # Quadratic loop over every occurrence of "a": YARA checks its timeout inside the loop.
    slow = write(
        tmp_path,
        "slow.yar",
        'rule slow { strings: $a = "a" condition: '
        "for all i in (1..#a) : ( for all k in (1..#a) : ( @a[i] >= 0 ) ) }\n",
    )
    rs = load_rule_set("feed", [slow])
    start = time.monotonic()
    out = rs.scan(b"a" * 200_000, timeout=1)
    assert out.timed_out == ("feed",) and out.hits == ()
    assert time.monotonic() - start < 10


def test_check_reports_missing_meta_and_bad_values(tmp_path: Path) -> None:
    write(
        tmp_path,
        "m.yar",
        "rule no_meta { condition: false }\n"
        'rule bad { meta: id = "X-1" description = "d" severity = "urgent" author = "a" '
        'reference = "r" condition: false }\n',
    )
    results = {r.rule: r for r in check_rule_files([tmp_path])}
    assert not results["no_meta"].ok
    assert any("'id' missing" in p for p in results["no_meta"].problems)
    probs = " ".join(results["bad"].problems)
    assert "urgent" in probs and "SS-YARA-NNN" in probs


def test_check_reports_duplicate_ids(tmp_path: Path) -> None:
    write(tmp_path, "a.yar", GOOD)
    write(tmp_path, "b.yar", GOOD.replace("demo_rule", "other_rule"))
    results = check_rule_files([tmp_path])
    assert any("also used by" in p for r in results for p in r.problems)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stalkerscan", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": "/tmp"},
        cwd=ROOT,
    )


def test_cli_rules_check_passes_on_project_rules() -> None:
    out = cli("rules", "check")
    assert out.returncode == 0, out.stderr
    assert "SS-YARA-001" in out.stdout and "SS-YARA-008" in out.stdout


def test_cli_rules_check_exit_2_naming_the_file(tmp_path: Path) -> None:
    bad = write(tmp_path, "broken.yar", "rule x {\n condition: $nope\n}\n")
    out = cli("rules", "check", "--rules", str(tmp_path))
    assert out.returncode == ExitCode.USAGE
    assert "broken.yar" in "".join(out.stderr.split())  # rich wraps long paths
    assert bad.name in "".join(out.stdout.split())


def test_guarded_set_kills_a_rule_that_overruns_yara_timeout(tmp_path: Path) -> None:
    # This regex runs ~4 minutes on 200 kB of "a" even with timeout=1 (YARA checks its timeout
    # between steps); the guarded worker is killed at timeout + grace.
    slow = write(
        tmp_path,
        "regex.yar",
        "rule r { strings: $a = /a.{0,200}a.{0,200}a.{0,200}b/s condition: $a }\n",
    )
    rs = load_rule_set("feed", [slow], guarded=True)
    rs.grace_s = 0.5
    try:
        start = time.monotonic()
        out = rs.scan(b"a" * 200_000, timeout=1)
        assert out.timed_out == ("feed",)
        assert time.monotonic() - start < 5
        # The worker restarts for the next object.
        fast = rs.scan(b"xx", timeout=1)
        assert fast.timed_out == () and fast.hits == ()
    finally:
        rs.close()


def test_guarded_set_gives_the_same_hits(tmp_path: Path) -> None:
    write(tmp_path, "a.yar", GOOD)
    plain = load_rule_set("feed", [tmp_path])
    guarded = load_rule_set("feed", [tmp_path], guarded=True)
    data = b"...training-marker..."
    try:
        assert guarded.scan(data, target="t") == plain.scan(data, target="t")
        assert guarded.scan(data).hits[0].strings[0].offsets == (3,)
    finally:
        guarded.close()


def test_cli_rules_check_exit_2_on_missing_meta(tmp_path: Path) -> None:
    write(tmp_path, "nometa.yar", "rule bare { condition: false }\n")
    out = cli("rules", "check", "--rules", str(tmp_path))
    assert out.returncode == ExitCode.USAGE
    flat = "".join(out.stderr.split())  # rich wraps long paths
    assert "nometa.yar" in flat and "'severity'missing" in flat
