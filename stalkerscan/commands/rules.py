"""`stalkerscan rules check`: compile every YARA rule and check its required meta."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

rules_app = typer.Typer(
    help="The YARA rules stalkerscan runs on the code inside apps.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the `rules` command group to the CLI."""
    app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def check(
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="A folder of .yar files or one file (default: the project's rules/ folder).",
        ),
    ] = None,
    any_id: Annotated[
        bool,
        typer.Option(
            "--any-id",
            help="Accept rule ids of any form (for a feed's rules); the default wants SS-YARA-NNN.",
        ),
    ] = False,
) -> None:
    """Compile every rule and check its meta (id, description, severity, author, reference).

    Prints one line per rule. Exits with 2 if a file does not compile or a rule's meta is
    incomplete, naming the file (and the line, for a compile error).
    """
    from rich.console import Console
    from rich.table import Table

    from stalkerscan.errors import RuleError
    from stalkerscan.rules import check_rule_files, project_rules_dir
    from stalkerscan.textsafe import for_terminal

    target = rules if rules is not None else project_rules_dir()
    results = check_rule_files([target], require_project_ids=not any_id)
    table = Table(title=for_terminal(f"YARA rules in {target}", max_len=300))
    for col in ("file", "rule", "id", "severity", "status"):
        table.add_column(col, overflow="fold")
    for r in results:
        status = (
            "[green]ok[/green]"
            if r.ok
            else "[red]" + for_terminal("; ".join(r.problems), max_len=500) + "[/red]"
        )
        table.add_row(
            for_terminal(Path(r.file).name),
            for_terminal(r.rule or "-"),
            for_terminal(r.rule_id or "-"),
            for_terminal(r.severity or "-"),
            status,
        )
    Console().print(table)
    bad = [r for r in results if not r.ok]
    if bad:
        first = bad[0]
        where = first.file + (f" (rule {first.rule})" if first.rule else "")
        raise RuleError(
            f"{len(bad)} problem(s) in the YARA rules; first: {where}: {'; '.join(first.problems)}",
            "Fix the rule files named above and run `stalkerscan rules check` again.",
        )
    typer.echo(f"{len(results)} rule(s) compiled, meta complete.")
