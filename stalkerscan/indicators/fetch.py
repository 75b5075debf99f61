"""Getting feed files: from the Echap repository over HTTPS, from a URL, a local folder or a zip.

This is the only module in stalkerscan that opens network connections, and only
`stalkerscan indicators update` calls it. Rules:
- HTTPS with certificate verification (the system's CA store through `ssl.create_default_context`);
  plain `http://` only to a loopback address (tests serve a feed on 127.0.0.1);
- redirects are followed only to HTTPS (GitHub's archive links redirect to codeload.github.com);
- a size cap per file and in total, a timeout per read and a deadline for the whole update;
- nothing is written to disk here: the caller validates the bytes before the store sees them.
"""

from __future__ import annotations

import io
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from stalkerscan import __version__
from stalkerscan.errors import FeedError, UsageError
from stalkerscan.indicators.layout import FEED_FILES, MAX_BYTES, OPTIONAL_FILES
from stalkerscan.netaddr import is_loopback_host

ECHAP_REPO = "AssoEchap/stalkerware-indicators"
DEFAULT_REF = "master"
RAW_BASE = "https://raw.githubusercontent.com/{repo}/{ref}/"
ZIP_URL = "https://github.com/{repo}/archive/{ref}.zip"
COMMIT_API = "https://api.github.com/repos/{repo}/commits/{ref}"

MAX_ZIP_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
MAX_ZIP_ENTRIES = 5_000
READ_TIMEOUT = 30.0  # seconds per socket operation
DEADLINE = 180.0  # seconds for the whole fetch
_COMMIT_RE = re.compile(r"[0-9a-f]{40}")
_REF_RE = re.compile(r"[A-Za-z0-9._/-]{1,200}")


@dataclass
class Fetched:
    """The bytes of a feed, and where they came from."""

    files: dict[str, bytes]
    source: str
    ref: str | None = None
    commit: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "the feed has no rules.yar"


class Fetcher:
    """Base of every way to get a feed; `fetch()` returns the files or raises FeedError."""

    description = "feed"

    def fetch(self) -> Fetched:
        """Get the feed files (required ones must be there; rules.yar is optional)."""
        raise NotImplementedError


# --- HTTP --------------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """Refuse a URL that is not HTTPS (or http to loopback); UsageError says why."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return
    raise UsageError(
        f"Refusing to download the feed from {url!r}: only https:// URLs are allowed "
        "(plain http only to this computer, for tests).",
        "Use an https:// URL, or a local folder or zip file.",
    )


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _default_context() -> ssl.SSLContext:
    """The system's CA store; certifi's bundle when the system has none (python.org macOS)."""
    ctx = ssl.create_default_context()
    if ctx.cert_store_stats().get("x509_ca", 0) == 0:
        try:
            import certifi  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            return ctx
        ctx = ssl.create_default_context(cafile=certifi.where())
    return ctx


class Http:
    """A small HTTPS client with certificate verification, size caps and a deadline."""

    def __init__(
        self,
        *,
        deadline: float = DEADLINE,
        timeout: float = READ_TIMEOUT,
        max_total: int = MAX_TOTAL_BYTES,
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + deadline
        self.max_total = max_total
        self.total = 0
        ctx = context or _default_context()
        # Never weaken verification: create_default_context sets CERT_REQUIRED + hostname check.
        if ctx.verify_mode != ssl.CERT_REQUIRED or not ctx.check_hostname:
            raise ValueError("the feed download needs certificate and host name verification")
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=ctx), _HttpsOnlyRedirects()
        )
        # This computer's own address never goes through a proxy from the environment.
        self._direct = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=ctx),
            _HttpsOnlyRedirects(),
        )

    def get(
        self, url: str, *, max_bytes: int, what: str, accept: str = "*/*", missing_ok: bool = False
    ) -> tuple[bytes, str] | None:
        """GET `url`; returns (body, content type), None on 404 when `missing_ok`."""
        check_url(url)  # https, or http to loopback: never file: or other schemes
        req = urllib.request.Request(  # noqa: S310
            url,
            headers={
                "User-Agent": f"stalkerscan/{__version__} (+indicator feed update)",
                "Accept": accept,
                "Accept-Encoding": "identity",
            },
        )
        try:
            opener = (
                self._direct
                if is_loopback_host(urllib.parse.urlsplit(url).hostname)
                else self._opener
            )
            with opener.open(req, timeout=self._remaining()) as resp:
                ctype = resp.headers.get("Content-Type", "") or ""
                length = resp.headers.get("Content-Length")
                body = self._read(resp, max_bytes=max_bytes, what=what)
        except urllib.error.HTTPError as err:
            if err.code == 404 and missing_ok:
                return None
            raise FeedError(
                f"Downloading {what} from {url} failed: HTTP {err.code} {err.reason}."
            ) from err
        except ssl.SSLError as err:
            raise FeedError(
                f"Downloading {what} from {url} failed: the server's certificate could not be "
                f"verified ({err.reason or err}).",
                "Check the computer's clock and network (a proxy that intercepts HTTPS?).",
            ) from err
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            if isinstance(reason, ssl.SSLError):
                raise FeedError(
                    f"Downloading {what} from {url} failed: the server's certificate could not "
                    f"be verified ({reason}).",
                    "Check the computer's clock and network (a proxy that intercepts HTTPS?).",
                ) from err
            if isinstance(reason, socket.timeout | TimeoutError):
                raise FeedError(f"Downloading {what} from {url} timed out.") from err
            if isinstance(reason, socket.gaierror):
                raise FeedError(
                    f"Downloading {what} from {url} failed: the server's name could not be "
                    "found (no network connection, or no name service).",
                    "Check the network, or import a local copy with --source PATH.",
                ) from err
            raise FeedError(
                f"Downloading {what} from {url} failed: {reason}.",
                "Check the network, or import a local copy with --source PATH.",
            ) from err
        if length is not None and length.isdigit() and int(length) != len(body):
            raise FeedError(
                f"Downloading {what} from {url} was cut short: got {len(body):,} of "
                f"{int(length):,} bytes (truncated)."
            )
        return body, ctype

    def _remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FeedError("The feed download took too long and was stopped.")
        return min(self.timeout, left)

    def _read(self, resp: Any, *, max_bytes: int, what: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            self._remaining()
            try:
                chunk = resp.read(64 * 1024)
            except Exception as err:  # http.client.IncompleteRead, reset connections
                raise FeedError(f"Downloading {what} was cut short ({err}).") from err
            if not chunk:
                break
            size += len(chunk)
            self.total += len(chunk)
            if size > max_bytes:
                raise FeedError(
                    f"{what} is larger than the limit of {max_bytes:,} bytes; download stopped."
                )
            if self.total > self.max_total:
                raise FeedError(
                    f"The feed is larger than the limit of {self.max_total:,} bytes "
                    "in total; download stopped."
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _refuse_html(name: str, body: bytes, ctype: str) -> None:
    if "text/html" in ctype.lower():
        raise FeedError(
            f"{name} was served as a web page (HTML), not the feed file: the server probably "
            "answered with an error or sign-in page."
        )


class RawFilesFetcher(Fetcher):
    """Feed files one by one from a base URL (`<base>/ioc.yaml`, ...): GitHub's raw layout."""

    def __init__(
        self,
        base_url: str,
        *,
        ref: str | None = None,
        commit: str | None = None,
        http: Http | None = None,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        check_url(self.base_url)
        self.ref = ref
        self.commit = commit
        self.http = http or Http()
        self.description = self.base_url

    def fetch(self) -> Fetched:
        """Download each feed file (rules.yar may be absent)."""
        out = Fetched(files={}, source=self.base_url, ref=self.ref, commit=self.commit)
        for name in (*FEED_FILES, *OPTIONAL_FILES):
            got = self.http.get(
                self.base_url + name,
                max_bytes=MAX_BYTES[name],
                what=name,
                missing_ok=name in OPTIONAL_FILES,
            )
            if got is None:
                out.notes.append(f"The feed has no {name}; this version has no rule file.")
                continue
            body, ctype = got
            _refuse_html(name, body, ctype)
            out.files[name] = body
        return out


class EchapFetcher(RawFilesFetcher):
    """The Echap repository on GitHub at a branch, tag or commit (raw files of that commit)."""

    def __init__(
        self, ref: str = DEFAULT_REF, *, repo: str = ECHAP_REPO, http: Http | None = None
    ) -> None:
        if not _REF_RE.fullmatch(ref) or ".." in ref:
            raise UsageError(f"{ref!r} is not a branch, tag or commit name.")
        self.repo = repo
        http = http or Http()
        commit = ref if _COMMIT_RE.fullmatch(ref) else _resolve_commit(http, repo, ref)
        # Download every file at the resolved commit so the files belong together even if the
        # branch moves during the download.
        super().__init__(
            RAW_BASE.format(repo=repo, ref=commit or ref), ref=ref, commit=commit, http=http
        )


def _resolve_commit(http: Http, repo: str, ref: str) -> str | None:
    """The commit a branch points at (GitHub API), or None when the API does not answer."""
    try:
        got = http.get(
            COMMIT_API.format(repo=repo, ref=ref),
            max_bytes=4096,
            what="the commit id",
            accept="application/vnd.github.sha",
        )
    except FeedError:
        return None
    if got is None:
        return None
    text = got[0].decode("ascii", "replace").strip()
    return text if _COMMIT_RE.fullmatch(text) else None


# --- zip and local -------------------------------------------------------------------------


def read_zip(data: bytes, source: str) -> Fetched:
    """Feed files from a zip (GitHub's archive has them under one top folder)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise FeedError(f"{source} is not a zip file (or it is truncated).") from err
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise FeedError(f"{source} has {len(infos):,} entries, over the limit.")
        # The shallowest folder that holds ioc.yaml is the feed's root.
        roots = sorted(
            (
                i.filename[: -len("ioc.yaml")]
                for i in infos
                if i.filename.endswith("ioc.yaml") and i.filename.rsplit("/", 1)[-1] == "ioc.yaml"
            ),
            key=lambda r: r.count("/"),
        )
        if not roots:
            raise FeedError(f"{source} does not contain ioc.yaml.")
        root = roots[0]
        by_name = {i.filename: i for i in infos}
        out = Fetched(files={}, source=source)
        for name in (*FEED_FILES, *OPTIONAL_FILES):
            info = by_name.get(root + name)
            if info is None:
                if name in OPTIONAL_FILES:
                    out.notes.append(f"The feed has no {name}; this version has no rule file.")
                    continue
                raise FeedError(f"{source} does not contain {name}.")
            if info.file_size > MAX_BYTES[name]:
                raise FeedError(
                    f"{name} in {source} is {info.file_size:,} bytes, over the "
                    f"limit of {MAX_BYTES[name]:,}."
                )
            try:
                with zf.open(info) as fh:
                    body = fh.read(MAX_BYTES[name] + 1)
            except (zipfile.BadZipFile, OSError, EOFError) as err:
                raise FeedError(f"{name} in {source} cannot be read ({err}).") from err
            if len(body) > MAX_BYTES[name]:
                raise FeedError(f"{name} in {source} is over the limit of {MAX_BYTES[name]:,}.")
            out.files[name] = body
        # GitHub writes the commit id as the archive's comment.
        comment = zf.comment.decode("ascii", "replace").strip()
        if _COMMIT_RE.fullmatch(comment):
            out.commit = comment
        else:
            m = re.search(r"-([0-9a-f]{40})/$", root)
            out.commit = m.group(1) if m else None
    return out


class ZipUrlFetcher(Fetcher):
    """A zip archive of the repository from a URL."""

    def __init__(self, url: str, *, ref: str | None = None, http: Http | None = None) -> None:
        check_url(url)
        self.url = url
        self.ref = ref
        self.http = http or Http()
        self.description = url

    def fetch(self) -> Fetched:
        """Download the zip and read the feed files from it."""
        got = self.http.get(self.url, max_bytes=MAX_ZIP_BYTES, what="the feed archive")
        if got is None:  # only with missing_ok
            raise FeedError(f"{self.url} was not found.")
        body, ctype = got
        _refuse_html("The feed archive", body, ctype)
        out = read_zip(body, self.url)
        out.ref = self.ref
        return out


class LocalFetcher(Fetcher):
    """A local folder (with ioc.yaml, watchware.yaml, samples.csv) or a local zip file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = str(path)

    def fetch(self) -> Fetched:
        """Read the files (no network)."""
        path = self.path
        if path.is_file():
            limit = MAX_ZIP_BYTES
            if path.stat().st_size > limit:
                raise FeedError(f"{path} is over the limit of {limit:,} bytes.")
            return read_zip(path.read_bytes(), str(path))
        if not path.is_dir():
            raise UsageError(f"{path} is neither a folder nor a zip file.")
        out = Fetched(files={}, source=str(path.resolve()))
        for name in (*FEED_FILES, *OPTIONAL_FILES):
            file = path / name
            if not file.is_file():
                if name in OPTIONAL_FILES:
                    out.notes.append(f"The feed has no {name}; this version has no rule file.")
                    continue
                raise FeedError(f"{path} does not contain {name}.")
            if file.stat().st_size > MAX_BYTES[name]:
                raise FeedError(f"{file} is over the limit of {MAX_BYTES[name]:,} bytes.")
            out.files[name] = file.read_bytes()
        return out


def fetcher_for(
    source: str | None, *, ref: str | None = None, http_factory: Callable[[], Http] = Http
) -> Fetcher:
    """Choose how to get the feed: None -> Echap on GitHub; URL (.zip or raw base); PATH."""
    if source is None:
        return EchapFetcher(ref or DEFAULT_REF, http=http_factory())
    if "://" in source:
        if urllib.parse.urlsplit(source).path.endswith(".zip"):
            return ZipUrlFetcher(source, ref=ref, http=http_factory())
        return RawFilesFetcher(source, ref=ref, http=http_factory())
    path = Path(source).expanduser()
    if not path.exists():
        raise UsageError(
            f"{source} does not exist.",
            "Give a folder or zip file with the feed, or an https:// URL.",
        )
    return LocalFetcher(path)
