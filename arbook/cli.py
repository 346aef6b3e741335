"""The `arbook` command line: one command per operation of `arbook.operations`, errors turned into exit codes here only.

Each operation's command is made from its declaration: its inputs become the arguments and
options below (one definition each, with its help), a command that writes offers --dry-run,
and the runner does the work on a FileBook. `new`, `init`, `demo` and `refresh-vba` make or
adopt a workbook file rather than work on one, and `mail-login` signs in to a mail provider;
they are written out here.

Exit status: 0 done; 1 the input was refused (an ArbookError, printed without a traceback);
2 wrong usage (click's own handling). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from common.errors import ArbookError
from common.values import parse_amount_cents, parse_date

from .as_of import assumed_as_of, read_as_of
from .operation import Summary
from .operations import OPERATIONS, Operation

if TYPE_CHECKING:
    from workbook.book import Book

__all__ = ["cli", "main"]

WORKBOOK = click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Check the date now (a usage error); it is read once the workbook's date order is known."""
    if value is not None:
        try:
            parse_date(value, date_order="dmy")  # either order: only whether it is a date is asked here
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


def _run_date(operation: str, typed: str | None, book: Book) -> dt.date:
    """The date the run is for, saying on stderr what was assumed or how a date was read."""
    if typed is None:
        day, said = assumed_as_of(operation, dt.date.today())
    else:
        day, said = read_as_of(typed, book.settings().date_order)
    if said:
        _say(said)
    return day


def _say(line: str) -> None:
    click.echo(line, err=True)


def _amount(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    try:
        return parse_amount_cents(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout."
)
dry_run_option = click.option(
    "--dry-run",
    is_flag=True,
    help="Compute everything and report it; change nothing (the workbook, the mail journal, MailLog); "
    "mail goes to the outbox only.",
)

Decorator = Callable[[Callable], Callable]

INPUTS: dict[str, tuple[Decorator, ...]] = {
    "as_of": (
        click.option(
            "--as-of",
            "as_of",
            callback=_as_of,
            metavar="DATE",
            help="The date the run is for, e.g. 2026-11-30 (default: today; for month-end the last "
            "completed month end). Day and month that could be swapped are read by the Settings date_order.",
        ),
    ),
    "files": (click.argument("files", nargs=-1, required=True, type=FILE),),
    "bank_files": (
        click.option(
            "--bank",
            "files",
            multiple=True,
            type=FILE,
            help="A bank statement file of the month (repeat for several).",
        ),
    ),
    "fmt": (
        click.option(
            "--format", "fmt", metavar="NAME", help="Skip detection: csv, mt940, camt053 or camt054."
        ),
    ),
    "no_post": (
        click.option(
            "--no-post", is_flag=True, help="Only propose; post nothing, not even the confident matches."
        ),
    ),
    "customer": (click.option("--customer", metavar="ID", help="Only this customer."),),
    "order": (
        click.argument("customer"),
        click.argument("amount_cents", metavar="AMOUNT", callback=_amount),
    ),
    "balance_forward": (
        click.option(
            "--balance-forward", is_flag=True, help="Running-balance statements instead of open items."
        ),
    ),
    "resend": (
        click.option(
            "--resend",
            metavar="ID[,ID...]",
            callback=lambda _ctx, _param, value: tuple(
                filter(None, (v.strip() for v in (value or "").split(",")))
            ),
            help="Send these customers' statement or notice again although it went out already: a new "
            "message, logged in MailLog as a re-send. Without it nothing is ever sent twice.",
        ),
    ),
    "application": (
        click.argument("source", metavar="SOURCE"),
        click.argument("items", metavar="ITEM...", nargs=-1, required=True),
    ),
    "target": (click.argument("target", metavar="TARGET"),),
    "reason": (
        click.option("--reason", required=True, help="Why: recorded in Allocations.Reason, and in Audit."),
    ),
    "invoice": (
        click.argument("invoice", metavar="INVOICE"),
        click.option(
            "--amount",
            "amount_cents",
            metavar="AMOUNT",
            callback=lambda ctx, param, value: 0 if value is None else _amount(ctx, param, value),
            help="Write off only this much (default: all that is open).",
        ),
    ),
    "period": (
        click.option(
            "--from",
            "start",
            callback=_as_of,
            metavar="DATE",
            help="The first day (default: the 1st of the month of --to).",
        ),
        click.option("--to", "as_of", callback=_as_of, metavar="DATE", help="The last day (default: today)."),
    ),
    "mail": (
        click.option("--send", is_flag=True, help="Send through the SMTP server of the Settings table."),
        click.option(
            "--outbox",
            type=click.Path(file_okay=False, path_type=Path),
            help="Write the messages as .eml files here (the default without --send: outbox/ beside the workbook).",
        ),
    ),
}
"""How each input of `arbook.operations` is typed on the command line."""


def _render(summary: Summary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict(), default=str, ensure_ascii=False, indent=2))
    else:
        from .render import render_summary

        render_summary(summary)
    if not summary.ok:
        sys.exit(1)


def _progress():
    from .render import progress_bar

    return progress_bar()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="arbook")
def cli() -> None:
    """Customer receivables kept in an Excel workbook: import bank statements, match payments to
    invoices, recompute aging, credit and forecast, and send statements and notices."""


def _command(op: Operation) -> click.Command:
    """The CLI command of `op`: WORKBOOK, its inputs, --dry-run when it writes, --json."""

    def command(workbook: Path, as_json: bool, dry_run: bool = False, **given: object) -> None:
        from workbook.filebook import FileBook

        from .runner import Request, Runner

        no_post = bool(given.pop("no_post", False))
        files = given.pop("files", ())
        with FileBook(workbook, lock=op.writes, dry_run=dry_run) as book, _progress() as progress:
            if "as_of" in op.inputs or "period" in op.inputs:
                given["as_of"] = _run_date(op.name, given.get("as_of"), book)  # type: ignore[arg-type]
            if given.get("start") is not None:
                given["start"] = read_as_of(given["start"], book.settings().date_order)[0]  # type: ignore[arg-type]
            request = Request(files=tuple(files), post=not no_post, **given)  # type: ignore[arg-type]
            summary = Runner(book, request, progress, say=_say).run(op)
        _render(summary, as_json)

    decorators: list[Decorator] = [WORKBOOK]
    for name in op.inputs:
        decorators += INPUTS[name]
    if op.writes:
        decorators.append(dry_run_option)
    decorators.append(json_option)
    for decorate in reversed(decorators):
        command = decorate(command)
    return cli.command(op.name, help=op.help)(command)


for _op in OPERATIONS:
    if _op.command:
        _command(_op)


@cli.command()
@WORKBOOK
@json_option
def new(workbook: Path, as_json: bool) -> None:
    """Create an empty workbook from the template (.xlsx, or .xlsm with buttons)."""
    from .new import new_workbook

    _render(new_workbook(workbook), as_json)


@cli.command("refresh-vba")
@WORKBOOK
@json_option
def refresh_vba(workbook: Path, as_json: bool) -> None:
    """Give an .xlsm the VBA of the xlwings installed now (run after upgrading xlwings)."""
    from macros.vba import refresh_vba as run

    _render(run(workbook), as_json)


@cli.command()
@click.argument(
    "workbook", type=click.Path(readable=False, path_type=Path)
)  # init says what is wrong with it
@click.option("--suggest", is_flag=True, help="Also propose a Mapping from your own sheets' headings.")
@click.option("--force", is_flag=True, help="Proceed even though a digital signature will be broken.")
@click.option(
    "--dashboard",
    is_flag=True,
    help="Also add the Dashboard with its Run button and macros (an .xlsx is left as it is: an .xlsm copy "
    "beside it gets them).",
)
@json_option
def init(workbook: Path, suggest: bool, force: bool, dashboard: bool, as_json: bool) -> None:
    """Adopt an existing workbook: add the missing tables (and a Mapping proposal); touch nothing else."""
    from .init import init as run

    _render(run(workbook, suggest=suggest, force=force, dashboard=dashboard), as_json)


@cli.command("mail-login")
@WORKBOOK
@json_option
def mail_login(workbook: Path, as_json: bool) -> None:
    """Sign in once to Microsoft 365 or Google Workspace (smtp_auth) for --send; the token goes to the keyring."""
    from .mail_login import mail_login as run

    summary = run(
        workbook,
        show=lambda text: click.echo(text, err=True),
        ask_secret=lambda prompt: click.prompt(prompt, hide_input=True, err=True),
    )
    _render(summary, as_json)


@cli.command()
@click.argument(
    "directory", required=False, default="arbook-demo", type=click.Path(file_okay=False, path_type=Path)
)
@json_option
def demo(directory: Path, as_json: bool) -> None:
    """Sample workbook and bank files in DIRECTORY, then a month-end into an outbox; prints where to look."""
    from .demo import demo as run

    with _progress() as progress:
        summary = run(directory, progress=progress)
    _render(summary, as_json)


def main() -> None:
    """Console entry point: the one place where a refusal becomes exit status 1 and a message."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort as exc:  # Ctrl-C: click's Abort from the KeyboardInterrupt
        click.echo("Aborted.", err=True)
        for note in getattr(exc.__cause__, "__notes__", ()):
            click.echo(note, err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ArbookError as exc:
        click.echo(f"arbook: {exc}", err=True)
        for note in getattr(exc, "__notes__", ()):
            click.echo(note, err=True)
        sys.exit(1)
    except SystemExit:
        raise
    sys.exit(0)
