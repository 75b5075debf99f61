"""Files that must be refused as a whole (the previous version stays active) and entries that are
only skipped, each with a message naming the file and the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.errors import ExitCode, FeedError
from stalkerscan.indicators.echap import decode_text, parse_echap, parse_family_files
from stalkerscan.indicators.layout import MAX_YAML_BYTES
from stalkerscan.indicators.yamlsafe import YamlRefused, load_feed_yaml

from .conftest import BROKEN, FEEDS, GOOD, feed_files


def test_scalars_stay_strings() -> None:
    doc = load_feed_yaml("a: 0123\nb: [1, true, 2020-01-01, 1e3]\nc:\nd: ~\n")
    assert doc == {"a": "0123", "b": ["1", "true", "2020-01-01", "1e3"], "c": None, "d": None}


def test_alias_bomb_is_refused_without_expanding() -> None:
    text = (BROKEN / "alias-bomb.yaml").read_text()
    with pytest.raises(YamlRefused, match="alias") as info:
        load_feed_yaml(text)
    assert info.value.line == 3


def test_a_single_alias_is_refused_too() -> None:
    with pytest.raises(YamlRefused, match=r"alias \(\*x\)"):
        load_feed_yaml("- &x {name: A}\n- *x\n")


def _ioc_error(name: str, data: bytes) -> FeedError:
    files = feed_files(GOOD)
    files["ioc.yaml"] = data
    with pytest.raises(FeedError) as info:
        parse_echap(files)
    assert info.value.exit_code == ExitCode.USAGE
    return info.value


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("alias-bomb.yaml", "ioc.yaml uses a YAML alias (*a0)"),
        ("deep-nesting.yaml", "ioc.yaml is nested more than 20 levels deep"),
        (
            "duplicate-keys.yaml",
            "ioc.yaml has the key 'packages' twice at line 13 (in the entry 'DoubledUp')",
        ),
        ("top-level-mapping.yaml", "ioc.yaml must hold a list of families"),
        ("not-yaml.yaml", "ioc.yaml is not valid YAML"),
        ("html-error.html", "ioc.yaml is a web page (HTML)"),
    ],
)
def test_broken_yaml_files_are_refused_with_file_and_entry(fixture: str, expected: str) -> None:
    err = _ioc_error("ioc.yaml", (BROKEN / fixture).read_bytes())
    assert expected in err.message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "ioc.yaml is empty"),
        (b"  \r\n\n", "ioc.yaml is empty"),
        (b"# only a comment\n", "ioc.yaml holds no data"),
        (b"[]\n", "ioc.yaml holds an empty list"),
        (b"- name: A\n\x00\x01\x02", "ioc.yaml is binary data"),
        (b"- name: \xff\xfe caf\xe9\n", "ioc.yaml is not UTF-8 text"),
        (b"\n\n  <html><body>502 Bad Gateway</body></html>", "web page (HTML)"),
        (b"- name: Cut\n  packages:\n  - 'com.cut", "ioc.yaml is not valid YAML"),
    ],
)
def test_unusable_files_are_refused(data: bytes, expected: str) -> None:
    assert expected in _ioc_error("ioc.yaml", data).message


def test_huge_file_is_refused_before_parsing() -> None:
    with pytest.raises(FeedError, match="over the limit"):
        decode_text("ioc.yaml", b"#" * (MAX_YAML_BYTES + 1))


def test_samples_that_are_not_csv_are_refused() -> None:
    files = feed_files(GOOD)
    files["samples.csv"] = (BROKEN / "samples-not-csv.csv").read_bytes()
    with pytest.raises(FeedError, match=r"samples\.csv is not the expected CSV"):
        parse_echap(files)


def test_missing_file_is_refused() -> None:
    files = feed_files(GOOD)
    del files["samples.csv"]
    with pytest.raises(FeedError, match=r"The feed has no samples\.csv"):
        parse_echap(files)


def test_wrong_types_skip_the_entry_or_field_and_say_which() -> None:
    feed = parse_family_files(
        {"wrong-types.yaml": (BROKEN / "wrong-types.yaml").read_bytes()},
        feed_id="t",
        strict=False,
    )
    assert [f.name for f in feed.families] == ["GoodOne", "MappingPackages", "NestedList"]
    assert [str(p) for p in feed.problems] == [
        "wrong-types.yaml: entry 2: has no name",
        "wrong-types.yaml: MappingPackages: packages: expected a list, found a mapping "
        "(field skipped)",
        "wrong-types.yaml: MappingPackages: c2: expected a mapping with domains: and ips:",
        "wrong-types.yaml: NestedList: certificates: item 1 is a list, not a text value",
    ]


def test_local_indicators_are_strict(tmp_path: Path) -> None:
    with pytest.raises(FeedError) as info:
        parse_family_files(
            {"typo.yaml": (FEEDS / "local-bad" / "typo.yaml").read_bytes()}, feed_id="local"
        )
    assert "typo.yaml: TypoFamily: unknown key 'package'" in info.value.message
    assert "typo.yaml: TypoFamily: certificates: certificate digest has 4 hex digits" in (
        info.value.message
    )
    good = parse_family_files(
        {"our-cases.yaml": (FEEDS / "local-good" / "our-cases.yaml").read_bytes()},
        feed_id="local",
    )
    assert good.families[0].certificates == ("1234567890ABCDEF1234567890ABCDEF12345678",)


def test_the_documented_local_example_is_valid() -> None:
    folder = FEEDS.parents[1] / "indicators" / "local"
    files = {p.name: p.read_bytes() for p in folder.glob("*.yaml")}
    feed = parse_family_files(files, feed_id="local")
    assert feed.problems == ()
    assert {f.name for f in feed.families} == {
        "ExampleCaseFamily (fictional)",
        "ExampleTracker (fictional)",
    }


def test_control_characters_are_refused_as_invalid_yaml() -> None:
    # Found by the property test: PyYAML's reader rejects these while the loader is built.
    assert "ioc.yaml is not valid YAML" in _ioc_error("ioc.yaml", b"\x01").message
