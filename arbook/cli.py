"""The `arbook` command line: one short wrapper per operation, errors turned into exit codes here only.

Exit status: 0 done; 1 the input was refused (an ArbookError, printed without a traceback);
2 wrong usage (click's own handling). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from common.errors import ArbookError
from common.values import parse_amount_cents, parse_date

from .operation import Summary

__all__ = ["cli", "main"]

WORKBOOK = click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


as_of_option = click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
    metavar="DATE",
    help="The date the run is for (default: today), e.g. 2026-11-30.",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout."
)


def _mail_options(command: Callable) -> Callable:
    command = click.option("--customer", metavar="ID", help="Only this customer.")(command)
    command = click.option(
        "--outbox",
        type=click.Path(file_okay=False, path_type=Path),
        help="Write the messages as .eml files here (the default without --send: outbox/ beside the workbook).",
    )(command)
    return click.option("--send", is_flag=True, help="Send through the SMTP server of the Settings table.")(
        command
    )


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
@json_option
def init(workbook: Path, suggest: bool, force: bool, as_json: bool) -> None:
    """Adopt an existing workbook: add the missing tables (and a Mapping proposal); touch nothing else."""
    from .init import init as run

    _render(run(workbook, suggest=suggest, force=force), as_json)


@cli.command()
@WORKBOOK
@json_option
def check(workbook: Path, as_json: bool) -> None:
    """Validate every table; report each problem with table, row and column."""
    from workbook.filebook import FileBook

    from .check import check as run

    with FileBook(workbook, lock=False) as book:
        _render(run(book), as_json)


@cli.command("import-bank")
@WORKBOOK
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--format", "fmt", metavar="NAME", help="Skip detection: csv, mt940, camt053 or camt054.")
@json_option
def import_bank(workbook: Path, files: tuple[Path, ...], fmt: str | None, as_json: bool) -> None:
    """Import bank statements (CSV, MT940, CAMT.053/.054); lines already imported are skipped."""
    from workbook.filebook import FileBook

    from .bank_import import import_bank as run

    with FileBook(workbook) as book, _progress() as progress:
        summary = run(book, list(files), fmt=fmt, progress=progress)
    _render(summary, as_json)


@cli.command()
@WORKBOOK
@as_of_option
@click.option("--no-post", is_flag=True, help="Only propose; post nothing, not even the confident matches.")
@json_option
def match(workbook: Path, as_of: dt.date, no_post: bool, as_json: bool) -> None:
    """Match bank credits to invoices; post the confident ones, suggest the rest."""
    from workbook.filebook import FileBook

    from .match import match as run

    with FileBook(workbook) as book, _progress() as progress:
        summary = run(book, as_of=as_of, post=not no_post, progress=progress)
    _render(summary, as_json)


@cli.command()
@WORKBOOK
@as_of_option
@json_option
def post(workbook: Path, as_of: dt.date, as_json: bool) -> None:
    """Post the suggestions marked Approve = Y in the Matches table."""
    from workbook.filebook import FileBook

    from .match import post as run

    with FileBook(workbook) as book, _progress() as progress:
        summary = run(book, as_of=as_of, progress=progress)
    _render(summary, as_json)


def _view_command(name: str, doc: str) -> None:
    @cli.command(name, help=doc)
    @WORKBOOK
    @as_of_option
    @json_option
    def command(workbook: Path, as_of: dt.date, as_json: bool) -> None:
        import importlib

        from workbook.filebook import FileBook

        run = getattr(importlib.import_module(f"arbook.{name}"), name)
        with FileBook(workbook) as book, _progress() as progress:
            summary = run(book, as_of=as_of, progress=progress)
        _render(summary, as_json)


_view_command("aging", "Recompute Aging, the KPIs and the computed Invoices columns.")
_view_command("credit", "Recompute the Credit table: exposure, score, grade and action per customer.")
_view_command("forecast", "Recompute the cash-in Forecast: 13 weeks, then months.")


@cli.command("credit-check")
@WORKBOOK
@click.argument("customer")
@click.argument("amount")
@as_of_option
@json_option
def credit_check(workbook: Path, customer: str, amount: str, as_of: dt.date, as_json: bool) -> None:
    """Would an order of AMOUNT fit CUSTOMER's credit? OK, or over by how much."""
    from workbook.filebook import FileBook

    from .credit import credit_check as run

    try:
        cents = parse_amount_cents(amount)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="AMOUNT") from None
    with FileBook(workbook, lock=False) as book:
        _render(run(book, customer, cents, as_of=as_of), as_json)


@cli.command()
@WORKBOOK
@as_of_option
@_mail_options
@click.option("--balance-forward", is_flag=True, help="Running-balance statements instead of open items.")
@json_option
def statements(
    workbook: Path,
    as_of: dt.date,
    send: bool,
    outbox: Path | None,
    customer: str | None,
    balance_forward: bool,
    as_json: bool,
) -> None:
    """Statements of account: PDF attached, HTML body, in each customer's language."""
    from workbook.filebook import FileBook

    from .mail import transport_for
    from .statements import statements as run

    with FileBook(workbook) as book, _progress() as progress:
        transport = transport_for(book, send=send, outbox=outbox)
        summary = run(
            book,
            as_of=as_of,
            transport=transport,
            customer=customer,
            balance_forward=balance_forward,
            progress=progress,
        )
    _render(summary, as_json)


@cli.command()
@WORKBOOK
@as_of_option
@_mail_options
@json_option
def notices(
    workbook: Path, as_of: dt.date, send: bool, outbox: Path | None, customer: str | None, as_json: bool
) -> None:
    """Reminders and overdue notices by the DunningLevels table."""
    from workbook.filebook import FileBook

    from .mail import transport_for
    from .notices import notices as run

    with FileBook(workbook) as book, _progress() as progress:
        transport = transport_for(book, send=send, outbox=outbox)
        summary = run(book, as_of=as_of, transport=transport, customer=customer, progress=progress)
    _render(summary, as_json)


@cli.command("month-end")
@WORKBOOK
@click.option(
    "--bank",
    "bank_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A bank statement file of the month (repeat for several).",
)
@as_of_option
@click.option("--send", is_flag=True, help="Send mail through SMTP (default: write an outbox).")
@click.option(
    "--outbox", type=click.Path(file_okay=False, path_type=Path), help="Where to write the messages."
)
@click.option(
    "--dry-run", is_flag=True, help="Compute everything, write nothing to the workbook, mail to the outbox."
)
@json_option
def month_end(
    workbook: Path,
    bank_files: tuple[Path, ...],
    as_of: dt.date,
    send: bool,
    outbox: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """All of the above in order, then the reconciliation report to report_recipients."""
    from .monthend import month_end as run

    with _progress() as progress:
        summary = run(
            workbook,
            bank_files=list(bank_files),
            as_of=as_of,
            send=send,
            outbox=outbox,
            dry_run=dry_run,
            progress=progress,
        )
    _render(summary, as_json)


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
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
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
