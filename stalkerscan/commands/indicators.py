"""`stalkerscan indicators ...`: update, inspect, compare and roll back the indicator feed.

Only `indicators update` uses the network (see stalkerscan/indicators/fetch.py). Everything
printed from a feed goes through `for_terminal`: feed text is data, not markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stalkerscan.commands._options import IndicatorsDirOption

if TYPE_CHECKING:
    from rich.console import Console

    from stalkerscan.indicators.model import Feed, Problem
    from stalkerscan.indicators.store import FeedStore
    from stalkerscan.indicators.update import FeedDiff

STALE_DAYS = 30

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

indicators_app = typer.Typer(
    name="indicators",
    help=(
        "Keep the stalkerware indicator feed current: update it from the Echap repository "
        "(or a local copy), see what changed, and go back to an earlier version."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def register(app: typer.Typer) -> None:
    """Add the `indicators` command group."""
    app.add_typer(indicators_app, name="indicators")


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def _safe(text: object, max_len: int | None = 200) -> str:
    from stalkerscan.textsafe import for_terminal

    return for_terminal(str(text), max_len=max_len)


def _store(indicators_dir: Path | None) -> FeedStore:
    from stalkerscan.indicators.store import FeedStore

    return FeedStore(indicators_dir)


# --- update ------------------------------------------------------------------------------------


@indicators_app.command("update")
def update_cmd(
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="URL|PATH|ZIP",
            help=(
                "Where to get the feed: an https:// URL (a folder of raw files or a .zip "
                "archive), a local folder, or a local zip. Default: the Echap repository on "
                "GitHub."
            ),
            show_default=False,
        ),
    ] = None,
    ref: Annotated[
        str | None,
        typer.Option(
            "--ref",
            metavar="BRANCH|COMMIT",
            help="Branch, tag or commit of the Echap repository (default: master).",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Accept a feed that lost many indicators at once."),
    ] = False,
    show: Annotated[
        int, typer.Option("--show", metavar="N", help="Values to list per change (0: all).")
    ] = 10,
    indicators_dir: IndicatorsDirOption = None,
) -> None:
    """Download (or import) the feed, check it, show what changed, and make it active."""
    from stalkerscan.errors import FeedError
    from stalkerscan.indicators.fetch import fetcher_for
    from stalkerscan.indicators.update import update_feed

    console = _console()
    store = _store(indicators_dir)
    before = store.active()
    fetcher = fetcher_for(source, ref=ref)
    console.print(f"Getting the indicator feed from {_safe(fetcher.description)} …")
    try:
        result = update_feed(store, fetcher, force=force)
    except FeedError as err:
        kept = (
            f"Nothing was changed: version {before.id} stays active."
            if before
            else "Nothing was installed."
        )
        raise FeedError(err.message, f"{err.hint} {kept}" if err.hint else kept) from err
    for note in result.notes:
        console.print(f"[yellow]Note:[/yellow] {_safe(note, 400)}")
    _print_problems(console, result.problems, show)
    if not result.changed:
        console.print(
            f"The feed is unchanged: version [bold]{result.version.id}[/bold] stays active."
        )
        return
    if result.previous is not None:
        console.print(f"Changes against version {result.previous.id}:")
        _print_diff(console, result.diff, show)
    else:
        console.print("First feed version installed:")
        _print_diff(console, result.diff, show, list_values=False)
    info = result.version
    commit = f", commit {info.commit[:12]}" if info.commit else ""
    console.print(
        f"[green]Active version:[/green] [bold]{info.id}[/bold] ({_safe(info.source)}{commit})."
    )
    if not info.has_rules:
        console.print("This feed version has no rules.yar.")
    _print_credit(console)


def _print_credit(console: Console) -> None:
    from stalkerscan.indicators.layout import ECHAP_CREDIT

    console.print(f"[dim]{ECHAP_CREDIT}[/dim]")


def _print_problems(console: Console, problems: list[Problem], show: int) -> None:
    if not problems:
        return
    skipped = [p for p in problems if p.severity == "skipped"]
    warned = [p for p in problems if p.severity == "warning"]
    console.print(
        f"[yellow]{len(skipped)} entries or values were skipped and {len(warned)} "
        "warnings were noted while checking the feed:[/yellow]"
    )
    listed = problems if show == 0 else problems[:show]
    for p in listed:
        console.print(f"  {p.severity}: {_safe(p.file)}: {_safe(p.entry)}: {_safe(p.reason, 300)}")
    if len(listed) < len(problems):
        console.print(f"  … and {len(problems) - len(listed)} more (--show 0 lists all).")


def _print_diff(console: Console, diff: FeedDiff, show: int, *, list_values: bool = True) -> None:
    from rich.table import Table

    from stalkerscan.indicators.update import DIFF_CATEGORIES

    table = Table("indicators", "before", "after", "added", "removed")
    for cat in DIFF_CATEGORIES:
        table.add_row(
            cat.replace("_", " "),
            f"{diff.before[cat]:,}",
            f"{diff.after[cat]:,}",
            f"+{len(diff.added[cat]):,}",
            f"-{len(diff.removed[cat]):,}",
        )
    console.print(table)
    if not list_values:
        return
    for cat in DIFF_CATEGORIES:
        for sign, values in (("+", diff.added[cat]), ("-", diff.removed[cat])):
            listed = values if show == 0 else values[:show]
            for value in listed:
                console.print(f"  {sign} {cat.replace('_', ' ')}: {_safe(value)}")
            if len(listed) < len(values):
                console.print(
                    f"  {sign} {cat.replace('_', ' ')}: … and {len(values) - len(listed)} more"
                )


# --- status and list ---------------------------------------------------------------------------


@indicators_app.command("status")
def status_cmd(
    as_json: JsonOption = False,
    indicators_dir: IndicatorsDirOption = None,
) -> None:
    """Show the active feed version, its age and its counts (warns when it is old)."""
    from stalkerscan.errors import FeedError
    from stalkerscan.indicators.model import FeedCounts

    store = _store(indicators_dir)
    info = store.active()
    if info is None:
        raise FeedError(
            f"No indicator feed is installed in {store.root}.",
            "Run `stalkerscan indicators update` (or --source PATH for a local copy).",
        )
    counts = FeedCounts(**info.counts)
    if as_json:
        typer.echo(json.dumps(counts.status_json(), indent=2))
        return
    from datetime import UTC, datetime

    age = (datetime.now(UTC) - store.last_checked(info.id)).total_seconds() / 86400
    console = _console()
    console.print(f"Active feed version: [bold]{info.id}[/bold]")
    console.print(f"  source: {_safe(info.source)}")
    console.print(f"  commit: {_safe(info.commit or 'unknown')}")
    console.print(f"  downloaded: {info.downloaded_at} ({age:.0f} days ago)")
    console.print(f"  rules.yar: {_safe(info.rules_path) if info.rules_path else 'none'}")
    console.print(
        f"  {counts.families} families ({counts.stalkerware_families} stalkerware, "
        f"{counts.watchware_families} watchware), {counts.packages} packages "
        f"({counts.packages_with_samples} with samples), {counts.certificates} certificates "
        f"({counts.certificates_with_samples} with samples), {counts.sample_hashes} sample "
        f"hashes, {counts.domains} C2 domains ({counts.hostnames} host names in all), "
        f"{counts.ips} IPs"
    )
    if info.problem_count:
        console.print(f"  {info.problem_count} entries or values were skipped or noted at import.")
    try:
        store.read_files(info)
    except (FeedError, OSError) as err:
        console.print(f"[bold red]Warning:[/bold red] {_safe(err, 500)} Scans will not use it.")
    if age > STALE_DAYS:
        console.print(
            f"[bold yellow]Warning:[/bold yellow] the feed is {age:.0f} days old. "
            "Run `stalkerscan indicators update`."
        )
    _print_local_status(console, store)
    _print_credit(console)


def _print_local_status(console: Console, store: FeedStore) -> None:
    from stalkerscan.errors import FeedError
    from stalkerscan.indicators import local_feed_source
    from stalkerscan.indicators.index import load_part

    try:
        src = local_feed_source(None, store.root)
    except OSError as err:
        console.print(f"Local indicators: unreadable ({_safe(err)}).")
        return
    if src is None:
        return
    try:
        part = load_part(src, store.cache_dir)
    except FeedError as err:
        console.print(
            f"[yellow]Local indicators in {_safe(src.path)} are not used:[/yellow] "
            f"{_safe(err, 1000)}"
        )
        return
    console.print(
        f"Local indicators: {_safe(src.path)}, {part.provenance.counts['families']} families."
    )


@indicators_app.command("list")
def list_cmd(
    as_json: JsonOption = False,
    indicators_dir: IndicatorsDirOption = None,
) -> None:
    """List installed feed versions (the active one is marked)."""
    store = _store(indicators_dir)
    versions = store.list_versions()
    active = store.active_id()
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "id": v.id,
                        "active": v.id == active,
                        "source": v.source,
                        "ref": v.ref,
                        "commit": v.commit,
                        "downloaded_at": v.downloaded_at,
                        "files": v.files,
                        "counts": v.counts,
                        "has_rules": v.has_rules,
                        "problem_count": v.problem_count,
                    }
                    for v in versions
                ],
                indent=2,
            )
        )
        return
    console = _console()
    if not versions:
        console.print(f"No feed version is installed in {_safe(store.root)}.")
        return
    for v in versions:
        mark = "[bold]*[/bold]" if v.id == active else " "
        console.print(
            f"{mark} [bold]{v.id}[/bold]  {v.counts.get('families', '?')} families, "
            f"{v.counts.get('packages', '?')} packages, rules.yar: "
            f"{'yes' if v.has_rules else 'no'}"
        )
        commit = f", commit {_safe(v.commit[:12])}" if v.commit else ""
        console.print(f"    from {_safe(v.source, 120)}{commit}")
    console.print("* = active. A version id starts with its download time (UTC).")


# --- diff and rollback -------------------------------------------------------------------------


def _load_feed(spec: str, store: FeedStore) -> tuple[str, Feed]:
    """A feed from 'active', a version id, or a folder/zip path."""
    from stalkerscan.errors import FeedError, UsageError
    from stalkerscan.indicators.echap import parse_echap
    from stalkerscan.indicators.fetch import LocalFetcher

    if spec == "active":
        info = store.active()
        if info is None:
            raise FeedError("No indicator feed is installed.")
        return info.id, parse_echap(store.read_files(info))
    path = Path(spec).expanduser()
    if path.exists():
        return str(path), parse_echap(LocalFetcher(path).fetch().files)
    if (store.versions_dir / spec).is_dir():
        info = store.get(spec)
        return info.id, parse_echap(store.read_files(info))
    raise UsageError(
        f"{spec!r} is neither an installed version nor a folder or zip file.",
        "See `stalkerscan indicators list`.",
    )


@indicators_app.command("diff")
def diff_cmd(
    old: Annotated[
        str | None,
        typer.Argument(
            metavar="[A]",
            help="Version id, 'active', or a feed folder/zip.",
            show_default=False,
        ),
    ] = None,
    new: Annotated[
        str | None,
        typer.Argument(
            metavar="[B]",
            help="Version id, 'active', or a feed folder/zip.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    show: Annotated[
        int, typer.Option("--show", metavar="N", help="Values to list per change (0: all).")
    ] = 0,
    indicators_dir: IndicatorsDirOption = None,
) -> None:
    """What was added and removed: A → B; A → active with one argument; previous → active
    with none."""
    from stalkerscan.errors import FeedError
    from stalkerscan.indicators.update import diff_feeds

    store = _store(indicators_dir)
    if old is None:
        # The version active before this one; after a rollback, the newest other version.
        active = store.active_id()
        history = [v for v in store.history() if v != active]
        others = [v.id for v in store.list_versions() if v.id != active]
        if not history and not others:
            raise FeedError(
                "There is no other installed version to compare the active one with.",
                "Give two versions or folders: `stalkerscan indicators diff A B`.",
            )
        old, new = (history or others)[-1], "active"
    elif new is None:
        new = "active"
    old_label, old_feed = _load_feed(old, store)
    new_label, new_feed = _load_feed(new, store)
    diff = diff_feeds(old_feed, new_feed)
    if as_json:
        typer.echo(json.dumps({"from": old_label, "to": new_label, **diff.as_dict()}, indent=2))
        return
    console = _console()
    console.print(f"From {_safe(old_label)} to {_safe(new_label)}:")
    if diff.is_empty:
        console.print("No indicator was added or removed.")
        return
    _print_diff(console, diff, show)


@indicators_app.command("rollback")
def rollback_cmd(
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="VERSION",
            help="Go to this version instead of the previous one.",
        ),
    ] = None,
    indicators_dir: IndicatorsDirOption = None,
) -> None:
    """Make the previously active feed version active again."""
    store = _store(indicators_dir)
    was, now = store.rollback(to)
    _console().print(f"Active version: [bold]{now.id}[/bold] (was {was.id if was else 'none'}).")


@indicators_app.command("validate")
def validate_cmd(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="A feed folder or zip, or (with --local) a local-indicators folder.",
        ),
    ],
    local: Annotated[
        bool,
        typer.Option(
            "--local",
            help="PATH is a folder of local indicator YAML files (checked strictly).",
        ),
    ] = False,
    show: Annotated[
        int, typer.Option("--show", metavar="N", help="Problems to list (0: all).")
    ] = 20,
) -> None:
    """Check a feed or local indicators without installing anything."""
    from stalkerscan.errors import UsageError
    from stalkerscan.indicators.echap import parse_echap, parse_family_files
    from stalkerscan.indicators.fetch import LocalFetcher

    console = _console()
    if local:
        if not path.is_dir():
            raise UsageError(f"{path} is not a folder.")
        files = {
            p.name: p.read_bytes()
            for p in sorted(path.iterdir())
            if p.is_file() and p.suffix in (".yaml", ".yml")
        }
        feed = parse_family_files(files, feed_id="local", strict=True)
    else:
        feed = parse_echap(LocalFetcher(path).fetch().files)
    _print_problems(console, list(feed.problems), show)
    c = feed.counts()
    console.print(
        f"[green]OK:[/green] {c.families} families, {c.packages_with_samples} packages, "
        f"{c.certificates_with_samples} certificates, {c.sample_hashes} sample hashes, "
        f"{c.hostnames} host names, {c.ips} IPs."
    )
