"""`indicators update` end to end against a feed served on 127.0.0.1, through the real CLI:
raw-file and zip layouts, and broken downloads that must leave the previous version active
with exit code 2 and a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stalkerscan.errors import FeedError, UsageError
from stalkerscan.indicators.fetch import Http, RawFilesFetcher, ZipUrlFetcher, check_url
from stalkerscan.indicators.store import FeedStore
from stalkerscan.indicators.update import update_feed

from .conftest import GOOD, FeedServer, Route, run_cli, zip_feed

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_raw_layout_end_to_end(feed_server: FeedServer, store_dir: Path) -> None:
    base = feed_server.serve_folder("/feed/main/", GOOD)
    out = run_cli("indicators", "update", "--source", base, store_dir=store_dir)
    assert out.returncode == 0, out.stderr
    assert "First feed version installed" in out.stdout
    info = FeedStore(store_dir).active()
    assert info is not None and info.source == base and info.has_rules
    assert sorted(feed_server.requests) == sorted(
        f"/feed/main/{n}" for n in ("ioc.yaml", "watchware.yaml", "samples.csv", "rules.yar")
    )


def test_raw_layout_without_rules_file(feed_server: FeedServer, store_dir: Path) -> None:
    base = feed_server.serve_folder("/f/", GOOD, with_rules=False)
    out = run_cli("indicators", "update", "--source", base, store_dir=store_dir)
    assert out.returncode == 0, out.stderr
    assert "has no rules.yar" in out.stdout
    info = FeedStore(store_dir).active()
    assert info is not None and not info.has_rules


def test_zip_layout_end_to_end_with_commit(feed_server: FeedServer, store: FeedStore) -> None:
    feed_server.routes["/archive/main.zip"] = Route(
        zip_feed(GOOD, comment=COMMIT.encode()), "application/zip"
    )
    result = update_feed(store, ZipUrlFetcher(feed_server.url("/archive/main.zip"), ref="main"))
    assert result.version.commit == COMMIT
    assert result.version.ref == "main"
    assert result.version.counts["families"] == 9


def test_zip_commit_from_folder_name(feed_server: FeedServer, store: FeedStore) -> None:
    feed_server.routes["/a.zip"] = Route(
        zip_feed(GOOD, top=f"stalkerware-indicators-{COMMIT}"), "application/zip"
    )
    assert update_feed(store, ZipUrlFetcher(feed_server.url("/a.zip"))).version.commit == COMMIT


def _install_good(feed_server: FeedServer, store_dir: Path) -> str:
    base = feed_server.serve_folder("/good/", GOOD)
    return update_feed(FeedStore(store_dir), RawFilesFetcher(base)).version.id


def _broken_update(feed_server: FeedServer, store_dir: Path, name: str, route: Route):
    before = _install_good(feed_server, store_dir)
    base = feed_server.serve_folder("/bad/", GOOD)
    feed_server.routes[f"/bad/{name}"] = route
    out = run_cli("indicators", "update", "--source", base, store_dir=store_dir)
    assert out.returncode == 2, out.stdout + out.stderr
    assert FeedStore(store_dir).active_id() == before
    assert f"version {before} stays active" in " ".join(out.stderr.split())
    return " ".join(out.stderr.split())


def _broken_update_lib(feed_server: FeedServer, store_dir: Path, name: str, route: Route) -> str:
    """The same refusal, through the library (faster; the CLI cases above prove the exit code)."""
    before = _install_good(feed_server, store_dir)
    base = feed_server.serve_folder("/bad/", GOOD)
    feed_server.routes[f"/bad/{name}"] = route
    with pytest.raises(FeedError) as info:
        update_feed(FeedStore(store_dir), RawFilesFetcher(base))
    assert FeedStore(store_dir).active_id() == before
    return info.value.message


def test_truncated_download(feed_server: FeedServer, store_dir: Path) -> None:
    body = (GOOD / "samples.csv").read_bytes()
    err = _broken_update(
        feed_server,
        store_dir,
        "samples.csv",
        Route(body[: len(body) // 2], declared_length=len(body)),
    )
    assert "cut short" in err and "truncated" in err


def test_empty_file(feed_server: FeedServer, store_dir: Path) -> None:
    err = _broken_update(feed_server, store_dir, "ioc.yaml", Route(b""))
    assert "ioc.yaml is empty" in err


def test_html_error_page(feed_server: FeedServer, store_dir: Path) -> None:
    page = b"<!DOCTYPE html><html><body>Rate limit exceeded</body></html>"
    err = _broken_update(
        feed_server, store_dir, "ioc.yaml", Route(page, "text/html; charset=utf-8")
    )
    assert "web page (HTML)" in err


def test_html_page_served_as_text(feed_server: FeedServer, store_dir: Path) -> None:
    page = b"\n<html><head><title>Sign in</title></head></html>"
    err = _broken_update_lib(feed_server, store_dir, "watchware.yaml", Route(page))
    assert "watchware.yaml is a web page (HTML)" in err


def test_server_error(feed_server: FeedServer, store_dir: Path) -> None:
    err = _broken_update_lib(feed_server, store_dir, "ioc.yaml", Route(b"oops", status=503))
    assert "HTTP 503" in err


def test_alias_bomb_served(feed_server: FeedServer, store_dir: Path) -> None:
    bomb = (GOOD.parent / "broken" / "alias-bomb.yaml").read_bytes()
    err = _broken_update_lib(feed_server, store_dir, "ioc.yaml", Route(bomb))
    assert "ioc.yaml uses a YAML alias" in err


def test_ten_times_smaller_feed_is_refused_unless_forced(
    feed_server: FeedServer, store_dir: Path
) -> None:
    tiny = b"- name: Tiny\n  packages:\n  - com.tiny.app\n"
    assert len(tiny) * 10 <= len((GOOD / "ioc.yaml").read_bytes())
    err = _broken_update(feed_server, store_dir, "ioc.yaml", Route(tiny))
    assert "ioc.yaml shrank from 2,474 to 42 bytes" in err
    assert "much smaller than the active one" in err
    assert "--force" in err
    base = feed_server.url("/bad/")
    forced = run_cli("indicators", "update", "--source", base, "--force", store_dir=store_dir)
    assert forced.returncode == 0, forced.stderr


def test_drop_of_more_than_a_fifth_is_refused(feed_server: FeedServer, store_dir: Path) -> None:
    samples = (GOOD / "samples.csv").read_bytes().split(b"\r\n")
    fewer = b"\r\n".join(samples[:3] + samples[9:])  # rows 03..08 gone: 6 of 8 hashes
    err = _broken_update_lib(feed_server, store_dir, "samples.csv", Route(fewer))
    assert "sample hashes: 8 before, 2 now (75% fewer; 6 removed)" in err
    assert "certificates: 9 before, 7 now (22% fewer; 2 removed)" in err


def test_file_over_the_size_limit_is_not_read_to_the_end(store: FeedStore) -> None:
    server = FeedServer()
    try:
        server.serve_folder("/f/", GOOD)
        server.routes["/f/rules.yar"] = Route(b"//" * (4 * 1024 * 1024 + 1))
        with pytest.raises(FeedError, match="larger than the limit"):
            update_feed(store, RawFilesFetcher(server.url("/f/"), http=Http(max_total=10**9)))
        import stalkerscan.indicators.layout as layout

        assert layout.MAX_BYTES["rules.yar"] < 2 * 4 * 1024 * 1024 + 2
    finally:
        server.close()
    assert store.active_id() is None


def test_total_size_limit(feed_server: FeedServer, store: FeedStore) -> None:
    base = feed_server.serve_folder("/f/", GOOD)
    with pytest.raises(FeedError, match="in total"):
        update_feed(store, RawFilesFetcher(base, http=Http(max_total=3000)))


def test_plain_http_only_to_loopback() -> None:
    check_url("http://127.0.0.1:8080/feed/")
    check_url("http://localhost/feed/")
    check_url("http://[::1]:9/feed/")
    check_url("https://raw.githubusercontent.com/AssoEchap/stalkerware-indicators/master/")
    for url in (
        "http://example.com/feed/",
        "http://10.0.0.1/",
        "ftp://127.0.0.1/",
        "file:///etc/passwd",
        "https:///nohost",
    ):
        with pytest.raises(UsageError, match="only https"):
            check_url(url)


def test_non_https_source_is_a_usage_error(store_dir: Path) -> None:
    out = run_cli(
        "indicators", "update", "--source", "http://feeds.example/ioc/", store_dir=store_dir
    )
    assert out.returncode == 2
    assert "only https:// URLs are allowed" in " ".join(out.stderr.split())


def test_redirect_to_plain_http_elsewhere_is_refused(
    feed_server: FeedServer, store: FeedStore
) -> None:
    base = feed_server.serve_folder("/f/", GOOD)
    feed_server.routes["/f/ioc.yaml"] = Route(
        b"", status=302, location="http://feeds.example/ioc.yaml"
    )
    with pytest.raises(UsageError, match="only https"):
        update_feed(store, RawFilesFetcher(base))
    assert store.active_id() is None


def test_certificate_verification_cannot_be_turned_off() -> None:
    import ssl

    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="verification"):
        Http(context=ctx)


def test_unreachable_server(store_dir: Path) -> None:
    server = FeedServer()
    url = server.url("/gone/")
    server.close()
    out = run_cli("indicators", "update", "--source", url, store_dir=store_dir)
    assert out.returncode == 2
    assert "failed" in out.stderr and "Nothing was installed" in " ".join(out.stderr.split())


def test_status_json_after_http_update(feed_server: FeedServer, store_dir: Path) -> None:
    _install_good(feed_server, store_dir)
    out = run_cli("indicators", "status", "--json", store_dir=store_dir)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "families": 9,
        "packages": 12,
        "certificates": 6,
        "sample_hashes": 8,
        "domains": 10,
        "ips": 4,
    }
