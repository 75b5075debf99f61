"""What is inside an APK, read safely in memory: code entries for YARA, hostnames and URLs.

An APK from a phone is hostile input. This module never writes an entry anywhere: it opens the zip
from a path or from bytes, checks the central directory against `ZipLimits` before reading a
byte of content (zip bombs, absurd declared sizes, too many entries), reads each entry through a
bounded stream, and ignores names that try to escape a folder (`../`, absolute paths).

Hostnames come from two exact sources and one loose one:

* DEX: the string table is parsed (`string_ids` → MUTF-8 string data). Scanning for printable
  runs would glue the ULEB128 length byte that precedes every string (often printable: 0x2c is
  ",", 0x63 is "c") onto the string, so "c2.example.org" would come out as "/c2.example.org" or
  "cc2.example.org"; parsing gives each string exactly as the code uses it. A file that is not a
  valid DEX falls back to printable runs.
* Binary XML and `resources.arsc`: their string pools are parsed the same way.
* Other resources and assets: printable ASCII and UTF-16LE runs (loose, as their format is free).
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from stalkerscan.errors import ApkError
from stalkerscan.evidence.common import Frozen
from stalkerscan.rules import DEFAULT_TIMEOUT_S, RuleHit, RuleSet

MiB = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """Bounds for reading one APK; the defaults fit real apps and refuse zip bombs."""

    max_file_bytes: int = 1024 * MiB  # the APK itself
    max_entries: int = 50_000  # large games have ~20k entries
    max_entry_bytes: int = 128 * MiB  # one entry we decompress (a classes.dex or a .so)
    max_total_bytes: int = 512 * MiB  # all entries this module decompresses for one APK
    max_ratio: float = 200.0  # declared uncompressed / compressed size of one entry
    ratio_floor_bytes: int = 1 * MiB  # the ratio check applies above this declared size
    max_declared_total: int = 8 * 1024 * MiB  # sum of declared sizes in the central directory


DEFAULT_LIMITS = ZipLimits()

_DEX_NAME = re.compile(r"^classes\d*\.dex$")
_SO_NAME = re.compile(r"^lib/[A-Za-z0-9_\-]{1,64}/[A-Za-z0-9_.+\-]{1,200}\.so$")
# Code hidden as assets or raw resources and loaded at run time (DexClassLoader, System.load).
_HIDDEN_CODE_NAME = re.compile(r"^(?:assets|res/raw)/[^\x00]{1,300}\.(?:dex|so)$")
# Resource and asset files whose text is worth a look for hosts.
_TEXT_NAME = re.compile(
    r"^(?:resources\.arsc|AndroidManifest\.xml|res/[^\x00]{1,200}\.xml|assets/[^\x00]{1,300})$"
)


def _is_critical(name: str) -> bool:
    """Entries the manifest and certificate analysis cannot do without."""
    return name in ("AndroidManifest.xml", "resources.arsc") or name.startswith("META-INF/")


def _is_traversal(name: str) -> bool:
    """True for entry names that try to leave the extraction folder (never extracted anyway)."""
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\"))
        or ".." in parts
        or "\x00" in name
        or bool(re.match(r"^[A-Za-z]:", name))
    )


@dataclass
class ApkArchive:
    """An APK opened for reading in memory; the constructor refuses hostile archives (ApkError)."""

    source: Path | bytes = field(repr=False)  # never print an APK's bytes
    limits: ZipLimits = DEFAULT_LIMITS
    traversal_names: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # entry name -> reason, never read
    bytes_read: int = 0

    def __post_init__(self) -> None:
        size = len(self.source) if isinstance(self.source, bytes) else _file_size(self.source)
        if size > self.limits.max_file_bytes:
            raise ApkError(
                f"The APK is {size} bytes, over the {self.limits.max_file_bytes}-byte limit."
            )
        self.size = size
        try:
            fileobj = (
                io.BytesIO(self.source)
                if isinstance(self.source, bytes)
                else self.source.open("rb")
            )
        except OSError as err:
            raise ApkError(f"The APK could not be opened: {err.strerror or err}.") from err
        try:
            self._zip = zipfile.ZipFile(fileobj)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as err:
            fileobj.close()
            raise ApkError(f"Not a readable zip archive: {err}.") from err
        except (struct.error, NotImplementedError, UnicodeDecodeError) as err:
            fileobj.close()
            raise ApkError(f"Not a readable zip archive: {type(err).__name__}.") from err
        self._fileobj = fileobj
        try:
            self._check(infos, size)
        except ApkError:
            self.close()
            raise
        self.infos = infos

    def _check(self, infos: list[zipfile.ZipInfo], size: int) -> None:
        lim = self.limits
        if len(infos) > lim.max_entries:
            raise ApkError(f"The APK has {len(infos)} entries, over the {lim.max_entries} limit.")
        declared = 0
        for info in infos:
            name = info.filename
            if _is_traversal(name):
                # Never extracted, so harmless here; counted because it is a sign of a crafted file.
                self.traversal_names.append(name[:200])
            reason = self._entry_problem(info, size)
            if reason is None:
                declared += info.file_size
                continue
            if _is_critical(name):
                # androguard inflates these without bounds: the whole APK is refused.
                raise ApkError(reason)
            # Any other entry is refused on its own, so that one crafted entry (a padding
            # asset, a fake classes2.dex) cannot hide the rest of the app from the analysis.
            self.refused[name] = reason
            self.skipped.append(reason)
        if declared > lim.max_declared_total:
            raise ApkError(
                f"The APK declares {declared} uncompressed bytes in total, over the "
                f"{lim.max_declared_total}-byte limit."
            )

    def _entry_problem(self, info: zipfile.ZipInfo, size: int) -> str | None:
        lim, name = self.limits, info.filename[:200]
        if info.compress_size > size:
            return (
                f"Entry {name!r} claims {info.compress_size} compressed bytes, more than the "
                f"whole file ({size} bytes): the archive is corrupt or crafted."
            )
        if info.file_size > lim.ratio_floor_bytes and (
            info.compress_size == 0 or info.file_size / info.compress_size > lim.max_ratio
        ):
            return (
                f"Zip bomb refused: entry {name!r} declares {info.file_size} bytes "
                f"from {info.compress_size} compressed bytes."
            )
        if _is_critical(info.filename) and info.file_size > lim.max_entry_bytes:
            return (
                f"Entry {name!r} declares {info.file_size} bytes, over the "
                f"{lim.max_entry_bytes}-byte limit."
            )
        return None

    def notes(self) -> list[str]:
        """Non-fatal findings of the central-directory check, for `ApkInfo.problems`."""
        notes = list(self.refused.values())
        if self.traversal_names:
            notes.append(
                f"{len(self.traversal_names)} entry name(s) with path traversal ignored "
                f"(e.g. {self.traversal_names[0]!r})"
            )
        return notes

    @property
    def names(self) -> list[str]:
        """Entry names as stored (may be hostile; never use them as paths)."""
        return [i.filename for i in self.infos]

    def read(self, info: zipfile.ZipInfo, max_bytes: int | None = None) -> bytes | None:
        """Decompress one entry within the limits; None (and a `skipped` note) when refused."""
        if info.filename in self.refused:
            return None  # already in `skipped` with the reason
        cap = self.limits.max_entry_bytes if max_bytes is None else max_bytes
        name = info.filename[:200]
        if info.file_size > cap:
            self.skipped.append(f"{name!r}: {info.file_size} bytes, over the {cap}-byte limit")
            return None
        budget = self.limits.max_total_bytes - self.bytes_read
        if info.file_size > budget:
            self.skipped.append(f"{name!r}: the {self.limits.max_total_bytes}-byte total is spent")
            return None
        try:
            with self._zip.open(info) as stream:
                # zipfile stops at the declared size, and the declared size was checked above;
                # read one byte more to notice a stream that lies about it anyway.
                data = stream.read(min(cap, budget) + 1)
        except (
            zipfile.BadZipFile,
            NotImplementedError,
            RuntimeError,  # encrypted entries
            ValueError,
            EOFError,
            OSError,
            zlib.error,
        ) as err:
            self.skipped.append(f"{name!r}: unreadable ({type(err).__name__}: {str(err)[:100]})")
            return None
        if len(data) > min(cap, budget):
            self.skipped.append(f"{name!r}: larger than declared; refused")
            return None
        self.bytes_read += len(data)
        return data

    def entries(self, pattern: re.Pattern[str]) -> Iterator[tuple[str, bytes]]:
        """(name, bytes) of every entry whose whole name matches `pattern`, in archive order."""
        for info in self.infos:
            # ZipInfo.is_dir() raises IndexError on an empty name (a crafted central directory).
            if not info.filename or info.filename.endswith("/") or _is_traversal(info.filename):
                continue
            if pattern.match(info.filename):
                data = self.read(info)
                if data is not None:
                    yield info.filename, data

    def code_entries(self) -> Iterator[tuple[str, bytes]]:
        """`classes*.dex`, `lib/<abi>/*.so`, and `.dex`/`.so` under assets/ or res/raw/."""
        yield from self.entries(_DEX_NAME)
        yield from self.entries(_SO_NAME)
        yield from self.entries(_HIDDEN_CODE_NAME)

    def close(self) -> None:
        """Release the underlying file."""
        self._zip.close()
        self._fileobj.close()

    def __enter__(self) -> ApkArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as err:
        raise ApkError(f"The APK could not be read: {err.strerror or err}.") from err


def iter_code_entries(
    source: Path | bytes, *, limits: ZipLimits = DEFAULT_LIMITS
) -> Iterator[tuple[str, bytes]]:
    """Yield (entry name, bytes) for every `classes*.dex` and `lib/*/*.so`, in memory, bounded.

    Raises ApkError before yielding anything when the archive is refused. An entry refused on
    its own (zip bomb, over a limit) is left out; `ApkArchive.skipped` and `analyse_content`
    say why.
    """
    with ApkArchive(source, limits) as arc:
        yield from arc.code_entries()


# --- strings ---------------------------------------------------------------------------------


def _uleb128(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for _ in range(5):
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
    raise ValueError("bad uleb128")


def dex_strings(
    data: bytes, *, max_strings: int = 1_000_000, max_len: int = 64 * 1024
) -> list[str]:
    """The DEX string table (`string_ids`), decoded; printable runs if `data` is not a valid DEX."""
    if len(data) < 0x70 or not data.startswith(b"dex\n"):
        return printable_runs(data)
    count, table = struct.unpack_from("<II", data, 0x38)
    if count > max_strings or table + 4 * count > len(data):
        return printable_runs(data)
    out: list[str] = []
    for i in range(count):
        (off,) = struct.unpack_from("<I", data, table + 4 * i)
        try:
            _, start = _uleb128(data, off)
        except (IndexError, ValueError):
            continue
        end = data.find(b"\x00", start, start + max_len)
        if end < 0:
            continue
        # MUTF-8: UTF-8 except NUL as C0 80 and surrogates encoded one by one; "replace" keeps
        # every ASCII host intact, which is all this is for.
        out.append(data[start:end].decode("utf-8", errors="replace"))
    return out


def string_pool(data: bytes, offset: int, *, max_strings: int = 500_000) -> list[str]:
    """The strings of an Android ResStringPool chunk at `offset` (binary XML, resources.arsc)."""
    if offset + 28 > len(data):
        return []
    ctype, header_size, size, count, _styles, flags, strings_start = struct.unpack_from(
        "<HHIIIII", data, offset
    )
    if ctype != 0x0001 or count > max_strings or offset + size > len(data):
        return []
    utf8 = bool(flags & 0x100)
    base = offset + strings_start
    out: list[str] = []
    for i in range(count):
        pos_ = offset + header_size + 4 * i
        if pos_ + 4 > len(data):
            break
        (rel,) = struct.unpack_from("<I", data, pos_)
        p = base + rel
        try:
            if utf8:
                p += 2 if data[p] & 0x80 else 1  # length in characters
                n = data[p]
                if n & 0x80:
                    n = ((n & 0x7F) << 8) | data[p + 1]
                    p += 1
                p += 1
                out.append(data[p : p + n].decode("utf-8", errors="replace"))
            else:
                (n,) = struct.unpack_from("<H", data, p)
                p += 2
                if n & 0x8000:
                    (lo,) = struct.unpack_from("<H", data, p)
                    n = ((n & 0x7FFF) << 16) | lo
                    p += 2
                out.append(data[p : p + 2 * n].decode("utf-16-le", errors="replace"))
        except (IndexError, struct.error):
            continue
    return out


_ASCII_RUN = re.compile(rb"[\x20-\x7e]{6,}")
_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e]\x00){6,}")


def printable_runs(data: bytes, *, max_runs: int = 200_000) -> list[str]:
    """Printable ASCII and UTF-16LE runs of six characters or more."""
    out: list[str] = []
    for m in _ASCII_RUN.finditer(data):
        out.append(m.group().decode("ascii"))
        if len(out) >= max_runs:
            return out
    if data.count(0) < len(data) // 10:
        # UTF-16 text is about half NUL bytes; the UTF-16 regex is slow on binary data (~1 s per
        # 8 MB of random bytes), so it only runs where UTF-16 text is possible.
        return out
    for m in _UTF16_RUN.finditer(data):
        out.append(m.group().decode("utf-16-le"))
        if len(out) >= max_runs:
            break
    return out


def resource_strings(data: bytes) -> tuple[list[str], bool]:
    """Strings of a resource or asset, and whether they are exact (string pool) or loose runs."""
    if len(data) >= 8 and data[:2] in (b"\x02\x00", b"\x03\x00"):
        # ResTable (resources.arsc, header 12 bytes) or binary XML (header 8 bytes).
        (header_size,) = struct.unpack_from("<H", data, 2)
        pool = string_pool(data, header_size)
        if pool:
            return pool, True
    return printable_runs(data), False


# --- hosts -----------------------------------------------------------------------------------

# Two-letter country-code TLDs (ISO 3166 plus uk, eu, ac), generated from CLDR territories.
_CC_TLD_TEXT = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs "
    "bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee "
    "eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm "
    "hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb "
    "lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz "
    "na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs "
    "ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk "
    "tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
)
_CC_TLDS = frozenset(_CC_TLD_TEXT.split())
# Generic TLDs common in app code and in stalkerware C2 lists, and the reserved test names.
_G_TLD_TEXT = (
    "com net org info biz edu gov mil int mobi name pro app dev io xyz top online site club shop "
    "store tech live cloud space website fun icu vip link click work asia today world life host "
    "email press news blog media digital network systems services solutions agency page one "
    "global group center support software monster cyou buzz rest bar best win bid loan men date "
    "party racing review science stream trade download cam gdn kim ltd ooo surf tokyo moe pw "
    "example test invalid localhost onion"
)
_G_TLDS = frozenset(_G_TLD_TEXT.split())
_KNOWN_TLDS = _CC_TLDS | _G_TLDS
# Bare "name.ext" strings that are file names, not hosts, even where ext is also a ccTLD.
_FILE_EXTS = frozenset(
    ("so", "db", "js", "sh", "py", "md", "ts", "gz", "xz", "mo", "po", "rs", "ps", "pl", "ml", "cc")
)

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_URL = re.compile(
    r"(?i)\b(?:https?|wss?|ftps?|tcp|udp|mqtts?|rtmps?)://([^\s/?#\"'<>\\|`^{}]+)[^\s\"'<>]*"
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9]")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_HOSTISH = re.compile(r"^[\w-]{1,63}(?:\.[\w-]{1,63})+$")
# XML namespace names are URIs that no app ever connects to; every manifest has the first one.
_NAMESPACE_URIS = (
    "http://schemas.android.com/apk/res",
    "http://schemas.android.com/tools",
    "http://www.w3.org/",
)


class HostRef(Frozen):
    """A hostname or IPv4 address found in an app, with where it was seen."""

    host: str
    kind: Literal["domain", "ipv4"]
    entry: str  # zip entry name (as stored; hostile names are only ever displayed escaped)
    url: str | None = None  # one URL it appeared in, truncated


def normalise_host(text: str) -> str | None:
    """Lower-case host without port, userinfo or trailing dot, or None if not a valid host/IPv4."""
    host = text.strip().rsplit("@", 1)[-1]
    if host.startswith("["):
        return None  # IPv6 literals: not matched against the feed yet
    host = host.split(":", 1)[0].rstrip(".").lower()
    if not host or len(host) > 253:
        return None
    if _IPV4.match(host):
        try:
            return str(ipaddress.IPv4Address(host))
        except ipaddress.AddressValueError:
            return None
    if not host.isascii():
        # IDNA encoding is slow (~1 ms): only try it on host-shaped text, not on translations.
        if not _HOSTISH.match(host):
            return None
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    tld = labels[-1]
    if not (tld.isalpha() and len(tld) >= 2) and not tld.startswith("xn--"):
        return None
    return host


def _bare_host(token: str) -> str | None:
    """A whole token that is a hostname on its own, told apart from Java names and files."""
    if "." not in token or len(token) > 300 or " " in token:
        return None
    host = normalise_host(token)
    if host is None:
        return None
    if _IPV4.match(host):
        return host if not host.startswith("0.") else None
    labels = host.split(".")
    if labels[-1] not in _KNOWN_TLDS:
        return None
    # "com.whatsapp", "org.telegram.messenger": reverse-DNS Java names begin with a TLD.
    if labels[0] in _KNOWN_TLDS:
        return None
    if len(labels) == 2 and labels[-1] in _FILE_EXTS:
        return None
    if token != token.lower() and not token.isupper():
        return None  # "Intent.ACTION_VIEW"-style identifiers; hosts are written in one case
    return host


def host_matches(host: str, listed: str) -> bool:
    """True if `host` is the listed C2 host or a subdomain of it (never a parent of it).

    Both sides are normalised first; a listed `cloud.example.com` matches `x.cloud.example.com`
    but not `example.com` (a shared parent such as a cloud provider's domain).
    """
    h, l_ = normalise_host(host), normalise_host(listed)
    if h is None or l_ is None:
        return False
    if _IPV4.match(l_):
        return h == l_
    return h == l_ or h.endswith("." + l_)


def hosts_in_strings(strings: Iterable[str], entry: str, *, exact: bool = True) -> list[HostRef]:
    """Hosts from URLs anywhere in each string, and from strings that are a bare hostname.

    `exact`: each string is a whole string of the app (DEX, string pool), so a bare host must be
    the whole string; otherwise (printable runs) every host-shaped token is considered.
    """
    found: dict[str, HostRef] = {}

    def add(host: str | None, url: str | None) -> None:
        if host and host not in found:
            kind: Literal["domain", "ipv4"] = "ipv4" if _IPV4.match(host) else "domain"
            found[host] = HostRef(host=host, kind=kind, entry=entry, url=url)

    for s in strings:
        s = s[:8192]
        if s.startswith(_NAMESPACE_URIS):
            continue
        for m in _URL.finditer(s):
            add(normalise_host(m.group(1)), m.group(0)[:300])
        if "://" in s:
            continue
        tokens = [s.strip()] if exact else _TOKEN.findall(s)
        for tok in tokens:
            add(_bare_host(tok), None)
    return list(found.values())


def extract_hosts(
    source: Path | bytes | ApkArchive, *, limits: ZipLimits = DEFAULT_LIMITS
) -> list[HostRef]:
    """Hostnames and IPv4 addresses in an APK's DEX strings, resources and assets (first sighting).

    Raises ApkError when the archive is refused.
    """
    if isinstance(source, ApkArchive):
        return _extract(source)
    with ApkArchive(source, limits) as arc:
        return _extract(arc)


def _extract(arc: ApkArchive) -> list[HostRef]:
    found: dict[str, HostRef] = {}

    def add(refs: list[HostRef]) -> None:
        for ref in refs:
            found.setdefault(ref.host, ref)

    for name, data in [*arc.entries(_DEX_NAME), *arc.entries(_HIDDEN_CODE_NAME)]:
        if name.endswith(".dex"):
            add(hosts_in_strings(dex_strings(data), name))
    for name, data in arc.entries(_TEXT_NAME):
        strings, exact = resource_strings(data)
        add(hosts_in_strings(strings, name, exact=exact))
    return sorted(found.values(), key=lambda r: (r.kind, r.host))


# --- everything at once ----------------------------------------------------------------------


class CodeEntry(Frozen):
    """A DEX or native library that was scanned."""

    name: str
    size: int
    sha256: str


class ApkContent(Frozen):
    """YARA hits on an APK's code and the hosts inside it; `unparseable` when the zip is refused."""

    code_entries: tuple[CodeEntry, ...] = ()
    hits: tuple[RuleHit, ...] = ()
    hosts: tuple[HostRef, ...] = ()
    timed_out: tuple[str, ...] = ()  # "classes.dex: feed" for each (entry, rule set) timeout
    errors: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # entries not read (over a limit, unreadable), with the reason
    traversal_names: int = 0
    unparseable: str | None = None


def analyse_content(
    source: Path | bytes,
    rule_sets: Sequence[RuleSet] = (),
    *,
    timeout: int = DEFAULT_TIMEOUT_S,
    limits: ZipLimits = DEFAULT_LIMITS,
) -> ApkContent:
    """YARA on every DEX/.so and hosts from DEX, resources and assets, reading each entry once.

    Never raises for a bad APK: a refused archive gives `unparseable` with the reason.
    """
    try:
        arc = ApkArchive(source, limits)
    except ApkError as err:
        return ApkContent(unparseable=err.message)
    hits: list[RuleHit] = []
    timed_out: list[str] = []
    errors: list[str] = []
    entries: list[CodeEntry] = []
    found: dict[str, HostRef] = {}
    with arc:
        for name, data in arc.code_entries():
            entries.append(
                CodeEntry(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())
            )
            for rs in rule_sets:
                out = rs.scan(data, timeout=timeout, target=name)
                hits.extend(out.hits)
                timed_out.extend(f"{name}: {n}" for n in out.timed_out)
                errors.extend(f"{name}: {e}" for e in out.errors)
            if name.endswith(".dex"):
                for ref in hosts_in_strings(dex_strings(data), name):
                    found.setdefault(ref.host, ref)
        for name, data in arc.entries(_TEXT_NAME):
            strings, exact = resource_strings(data)
            for ref in hosts_in_strings(strings, name, exact=exact):
                found.setdefault(ref.host, ref)
    return ApkContent(
        code_entries=tuple(entries),
        hits=tuple(hits),
        hosts=tuple(sorted(found.values(), key=lambda r: (r.kind, r.host))),
        timed_out=tuple(timed_out),
        errors=tuple(errors),
        skipped=tuple(arc.skipped),
        traversal_names=len(arc.traversal_names),
    )
