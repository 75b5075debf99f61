"""Property tests: no text, truncation or mutation of real-format text makes a parser raise.

Each parser also has a last-resort guard that records `parser stopped` instead of raising; these
tests assert that guard is never needed, so a parser bug cannot hide behind it.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stalkerscan.evidence.hashes import parse_sha256sum
from stalkerscan.evidence.launcher import parse_launcher_query
from stalkerscan.evidence.package import PARSER_STOPPED, parse_dumpsys_package
from stalkerscan.evidence.pm_list import parse_pm_list_packages
from stalkerscan.evidence.users import parse_pm_list_users

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "dumpsys"
PACKAGE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "package").glob("*.txt"))]
OTHER = {
    name: [p.read_text(encoding="utf-8") for p in sorted((ROOT / name).glob("*.txt"))]
    for name in ("pm_list", "users", "launcher", "hashes")
}
PARSERS = {
    "pm_list": parse_pm_list_packages,
    "users": parse_pm_list_users,
    "launcher": parse_launcher_query,
    "hashes": parse_sha256sum,
}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like the formats: their keywords, indentation and separators.
_TOKENS = st.sampled_from(
    [
        "Packages:\n",
        "Hidden system packages:\n",
        "Shared users:\n",
        "Service Resolver Table:\n",
        "  Non-Data Actions:\n",
        "      android.app.action.DEVICE_ADMIN_ENABLED:\n",
        "        1a2b org.example.a/.R (2 filters)\n",
        "  Package [org.example.a] (1a):\n",
        "  SharedUser [s] (2):\n",
        "    User 0: installed=true enabled=9 ceDataInode=-1\n",
        "    User x:\n",
        "      runtime permissions:\n",
        "        p: granted=true, flags=[ A|B]\n",
        "    install permissions:\n",
        "    Suspend params:\n",
        "      suspendingPackage=\n",
        "      firstInstallTime=2024-13-45 99:99:99\n",
        "    versionCode=99999999999999999999999 minSdk=x\n",
        "    signatures=PackageSignatures{ [\n",
        "    splits=[base:, :, config.x:1]\n",
        "    flags=[\n",
        "package:/data/app/~~a==/x-b==/base.apk=org.example.a  installer=null uid:10001,\n",
        "package:=\n",
        "\tUserInfo{0:na:me:zz} running\n",
        "\tUserInfo{99999999999:x:ffffffffffffffffff}\n",
        "0: id=1, name=, type=, flags=|\n",
        "3 activities found:\n",
        "    ActivityInfo:\n",
        "      name=\n",
        "      packageName=org.example.a\n",
        "      ApplicationInfo:\n",
        "a" * 64 + "  /p\n",
        "\\" + "b" * 64 + "  /p\\n\\\\\n",
        "sha256sum: : :\n",
        "=",
        ":",
        "\r",
        "\x00",
        "\ufeff",
        "\t",
        " ",
        "\n",
    ]
)
formatish = st.lists(_TOKENS | st.text(max_size=20), max_size=60).map("".join)


def _no_stop(result: object) -> None:
    issues = result.issues  # type: ignore[attr-defined]
    assert not any(e.startswith(PARSER_STOPPED) for e in issues.examples)


@FAST
@given(st.text(max_size=2000))
def test_package_arbitrary_text(text: str) -> None:
    _no_stop(parse_dumpsys_package(text))


@FAST
@given(st.binary(max_size=2000))
def test_package_arbitrary_bytes(data: bytes) -> None:
    _no_stop(parse_dumpsys_package(data))


@FAST
@given(formatish)
def test_package_format_like_text(text: str) -> None:
    _no_stop(parse_dumpsys_package(text))


@FAST
@given(st.sampled_from(PACKAGE_TEXTS), st.floats(0, 1), st.floats(0, 1))
def test_package_truncations(text: str, a: float, b: float) -> None:
    start, end = sorted((int(a * len(text)), int(b * len(text))))
    _no_stop(parse_dumpsys_package(text[:end]))
    _no_stop(parse_dumpsys_package(text[start:]))
    _no_stop(parse_dumpsys_package(text[start:end]))


@FAST
@given(
    st.sampled_from(PACKAGE_TEXTS),
    st.lists(st.tuples(st.floats(0, 1), st.text(max_size=8) | _TOKENS), max_size=8),
)
def test_package_mutations(text: str, edits: list[tuple[float, str]]) -> None:
    for where, insert in edits:
        i = int(where * len(text))
        text = text[:i] + insert + text[i + 1 :]
    _no_stop(parse_dumpsys_package(text))


@FAST
@given(st.sampled_from(sorted(PARSERS)), formatish | st.text(max_size=500))
def test_small_parsers_arbitrary_text(which: str, text: str) -> None:
    _no_stop(PARSERS[which](text))


@FAST
@given(st.sampled_from(sorted(PARSERS)), st.binary(max_size=500))
def test_small_parsers_arbitrary_bytes(which: str, data: bytes) -> None:
    _no_stop(PARSERS[which](data))


@FAST
@given(
    st.sampled_from([(k, t) for k, texts in OTHER.items() for t in texts]),
    st.floats(0, 1),
    st.lists(st.tuples(st.floats(0, 1), st.text(max_size=6) | _TOKENS), max_size=5),
)
def test_small_parsers_truncations_and_mutations(
    case: tuple[str, str], cut: float, edits: list[tuple[float, str]]
) -> None:
    which, text = case
    _no_stop(PARSERS[which](text[: int(cut * len(text))]))
    for where, insert in edits:
        i = int(where * len(text))
        text = text[:i] + insert + text[i + 1 :]
    _no_stop(PARSERS[which](text))


@FAST
@given(st.binary(max_size=3000))
def test_package_file_streaming_arbitrary_bytes(data: bytes) -> None:
    import tempfile

    from stalkerscan.evidence.package import parse_dumpsys_package_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dump.txt"
        path.write_bytes(data)
        _no_stop(parse_dumpsys_package_file(path))
