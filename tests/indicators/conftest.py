"""Shared fixtures: the fictional test feeds, the Echap snapshot (when present), a feed store in a
temporary folder, a loopback HTTP server that serves feeds (whole, truncated, as HTML...), and a
helper that runs the real CLI in a subprocess."""

from __future__ import annotations

import http.server
import io
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stalkerscan.indicators.store import FeedStore

REPO = Path(__file__).resolve().parents[2]
FEEDS = REPO / "fixtures" / "feeds"
GOOD = FEEDS / "good"
BROKEN = FEEDS / "broken"
FEED_NAMES = ("ioc.yaml", "watchware.yaml", "samples.csv")


def echap_snapshot_dir() -> Path | None:
    """The Echap snapshot: $STALKERSCAN_ECHAP_DIR or ../shared/echap beside the repository."""
    env = os.environ.get("STALKERSCAN_ECHAP_DIR")
    path = Path(env) if env else REPO.parent / "shared" / "echap"
    return path if (path / "ioc.yaml").is_file() else None


@pytest.fixture
def echap_dir() -> Path:
    """The snapshot folder; skips the test only when the snapshot is absent."""
    path = echap_snapshot_dir()
    if path is None:
        pytest.skip("the Echap snapshot (../shared/echap or STALKERSCAN_ECHAP_DIR) is absent")
    return path


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_dir: Path) -> FeedStore:
    return FeedStore(store_dir)


def feed_files(folder: Path, names: tuple[str, ...] = FEED_NAMES) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in names if (folder / n).is_file()}


def copy_feed(src: Path, dst: Path, replace: dict[str, bytes] | None = None) -> Path:
    """A copy of a feed folder with some files replaced (bytes) or removed (b"" -> kept empty)."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in (*FEED_NAMES, "rules.yar"):
        if (src / name).is_file():
            shutil.copyfile(src / name, dst / name)
    for name, data in (replace or {}).items():
        (dst / name).write_bytes(data)
    return dst


def zip_feed(folder: Path, top: str = "stalkerware-indicators-main", comment: bytes = b"") -> bytes:
    """A zip laid out like GitHub's archive: every file under one top folder."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{top}/README.md", "fictional\n")
        for name in (*FEED_NAMES, "rules.yar"):
            if (folder / name).is_file():
                zf.writestr(f"{top}/{name}", (folder / name).read_bytes())
        zf.comment = comment
    return buf.getvalue()


@dataclass
class Route:
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    status: int = 200
    declared_length: int | None = None  # announce more than is sent: a cut-off download
    location: str | None = None


class FeedServer:
    """A loopback HTTP server (port chosen by the OS) answering from a dict of routes."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "9")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                self.send_response(route.status)
                if route.location:
                    self.send_header("Location", route.location)
                self.send_header("Content-Type", route.content_type)
                length = route.declared_length or len(route.body)
                self.send_header("Content-Length", str(length))
                if route.declared_length:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(route.body)
                if route.declared_length:
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve_folder(self, prefix: str, folder: Path, *, with_rules: bool = True) -> str:
        """Serve a feed folder as raw files under `prefix`; returns the base URL."""
        names = (*FEED_NAMES, "rules.yar") if with_rules else FEED_NAMES
        for name in names:
            if (folder / name).is_file():
                self.routes[f"{prefix}{name}"] = Route((folder / name).read_bytes())
        return self.url(prefix)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    try:
        yield server
    finally:
        server.close()


def run_cli(
    *args: str, store_dir: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `python -m stalkerscan ARGS` with the store in `store_dir` (wide terminal)."""
    full_env = {
        **os.environ,
        "STALKERSCAN_INDICATORS_DIR": str(store_dir),
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "TERM": "dumb",
        **(env or {}),
    }
    full_env.pop("STALKERSCAN_LOCAL_INDICATORS", None)
    return subprocess.run(
        [sys.executable, "-m", "stalkerscan", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=REPO,
    )
