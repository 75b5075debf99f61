"""Choosing and reading sources without the network: the default Echap source (through a fake
HTTP client that subclasses the real one), zip files and folders."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from stalkerscan.errors import FeedError, UsageError
from stalkerscan.indicators.fetch import (
    EchapFetcher,
    Http,
    LocalFetcher,
    RawFilesFetcher,
    ZipUrlFetcher,
    fetcher_for,
    read_zip,
)
from stalkerscan.indicators.store import FeedStore
from stalkerscan.indicators.update import update_feed

from .conftest import GOOD, feed_files, zip_feed

COMMIT = "fedcba9876543210fedcba9876543210fedcba98"
RAW = "https://raw.githubusercontent.com/AssoEchap/stalkerware-indicators/"
API = "https://api.github.com/repos/AssoEchap/stalkerware-indicators/commits/"


class FakeHttp(Http):
    """Answers from a dict instead of the network and records every URL asked for."""

    def __init__(self, answers: dict[str, bytes | int]) -> None:
        super().__init__()
        self.answers = answers
        self.asked: list[str] = []

    def get(
        self, url: str, *, max_bytes: int, what: str, accept: str = "*/*", missing_ok: bool = False
    ) -> tuple[bytes, str] | None:
        self.asked.append(url)
        answer = self.answers.get(url, 404)
        if isinstance(answer, int):
            if answer == 404 and missing_ok:
                return None
            raise FeedError(f"Downloading {what} from {url} failed: HTTP {answer}.")
        return answer, "text/plain; charset=utf-8"


def test_default_source_resolves_the_branch_then_downloads_that_commit() -> None:
    files = feed_files(GOOD)
    http = FakeHttp(
        {
            API + "master": COMMIT.encode() + b"\n",
            **{f"{RAW}{COMMIT}/{n}": data for n, data in files.items()},
        }
    )
    got = EchapFetcher(http=http).fetch()
    assert (got.ref, got.commit, got.source) == ("master", COMMIT, f"{RAW}{COMMIT}/")
    assert got.files == files
    assert http.asked == [
        API + "master",
        *(f"{RAW}{COMMIT}/{n}" for n in ("ioc.yaml", "watchware.yaml", "samples.csv", "rules.yar")),
    ]
    assert got.notes == ["The feed has no rules.yar; this version has no rule file."]


def test_default_source_without_the_api_falls_back_to_the_branch() -> None:
    files = feed_files(GOOD)
    http = FakeHttp({API + "main": 403, **{f"{RAW}main/{n}": d for n, d in files.items()}})
    got = EchapFetcher("main", http=http).fetch()
    assert (got.ref, got.commit) == ("main", None)


def test_a_commit_ref_is_used_as_is() -> None:
    files = feed_files(GOOD)
    http = FakeHttp({f"{RAW}{COMMIT}/{n}": d for n, d in files.items()})
    got = EchapFetcher(COMMIT, http=http).fetch()
    assert got.commit == COMMIT and API + COMMIT not in http.asked


@pytest.mark.parametrize("ref", ["../../etc", "a b", "x" * 300, ""])
def test_bad_refs_are_refused(ref: str) -> None:
    with pytest.raises(UsageError):
        EchapFetcher(ref, http=FakeHttp({}))


def test_fetcher_for_chooses_by_source(tmp_path: Path) -> None:
    assert isinstance(fetcher_for("https://mirror.example/echap/"), RawFilesFetcher)
    assert isinstance(fetcher_for("https://mirror.example/echap/main.zip"), ZipUrlFetcher)
    assert isinstance(fetcher_for(str(GOOD)), LocalFetcher)
    with pytest.raises(UsageError, match="does not exist"):
        fetcher_for(str(tmp_path / "nothing"))


def test_local_zip_source(tmp_path: Path, store: FeedStore) -> None:
    archive = tmp_path / "feed.zip"
    archive.write_bytes(zip_feed(GOOD, comment=COMMIT.encode()))
    result = update_feed(store, fetcher_for(str(archive)))
    assert result.version.commit == COMMIT and result.version.has_rules


def test_zip_problems(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="not a zip file"):
        read_zip(b"PK\x03\x04 truncated", "x.zip")
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("top/README.md", "no feed here")
    with pytest.raises(FeedError, match=r"does not contain ioc\.yaml"):
        read_zip(buf.getvalue(), "x.zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("top/ioc.yaml", "- name: A\n")
        zf.writestr("top/watchware.yaml", "[]\n")
        zf.writestr("top/samples.csv", b"#" * (64 * 1024 * 1024 + 1))  # compresses to ~64 kB
    with pytest.raises(FeedError, match=r"samples\.csv in x\.zip is .* over the limit"):
        read_zip(buf.getvalue(), "x.zip")


def test_rules_file_must_be_text(tmp_path: Path, store: FeedStore) -> None:
    folder = tmp_path / "feed"
    folder.mkdir()
    for name, data in feed_files(GOOD).items():
        (folder / name).write_bytes(data)
    (folder / "rules.yar").write_bytes(b"<!DOCTYPE html><html>error</html>")
    with pytest.raises(FeedError, match=r"rules\.yar is a web page"):
        update_feed(store, LocalFetcher(folder))
    (folder / "rules.yar").write_bytes(b"rule x { condition: true }\x00\x01")
    with pytest.raises(FeedError, match=r"rules\.yar is binary data"):
        update_feed(store, LocalFetcher(folder))
    assert store.active_id() is None
