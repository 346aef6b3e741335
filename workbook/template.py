"""A new arbook workbook, built from the contract: every table, the Dashboard, and (in .xlsm) the Run button.

Everything is derived from `workbook.contract`, so a table added there appears here with its
formats, widths and drop-down lists. Text is always written with `write_string`: a payer name
or memo that starts with "=" must stay text, never become a formula.

The Dashboard (the first sheet) holds:
  - a status area of named cells that the Excel front end writes after each run:
    `arbook_last_run`, `arbook_result`, `arbook_message`;
  - in .xlsm workbooks, the run area: `arbook_operation` (a drop-down of the operations' labels),
    `arbook_bank_files` (paths for the bank import and month-end, `;`-separated, relative to
    the workbook's folder), `arbook_as_of` (blank = today) and one Run button bound to
    `ArbookRun`, a macro of the workbook's own VBA module (see `vba_module_source`);
  - key figures, looked up by Metric in the arbook-owned `KPIs` table;
  - two native charts. A chart over a fixed range would not follow a table whose row count
    changes, so each chart reads a fixed-size block of helper cells ("Chart data") whose
    formulas use structured references (`SUM(INDEX(Aging,0,3))`, `INDEX(Forecast[Expected],3)`),
    which Excel and LibreOffice both re-evaluate whatever the table's size (and, for Aging,
    whatever bucket columns the aging_buckets setting gives it).
"""

from __future__ import annotations

import importlib.resources
import io
import math
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from common.currency import currencies_by_digits
from common.errors import ArbookError

from . import contract
from .cells import CODECS, Encoded, XlsxFormats, encode_column, money_format, write_xlsx_column
from .contract import SETTINGS, TABLES, YES_NO, Column, Table, normalise_header
from .package import column_letter
from .settings import setting_text
from .units import Units, base_currency_of, book_units
from .vbaproject import declared_modules, module_sources, with_modules

__all__ = [
    "AGING_CHART_BUCKETS",
    "DASHBOARD",
    "FORECAST_CHART_ROWS",
    "INPUT_NAMES",
    "RUN_MACRO",
    "STATUS_NAMES",
    "VBA_MODULE",
    "XLWINGS_SAMPLE_MODULE",
    "build_workbook",
    "button_modules",
    "vba_module_source",
    "vba_project",
    "with_button_modules",
]

DASHBOARD = "Dashboard"

STATUS_NAMES = {"last_run": "arbook_last_run", "result": "arbook_result", "message": "arbook_message"}
"""Named cells of the Dashboard's status area, written by the Excel front end after each run."""

INPUT_NAMES = {"operation": "arbook_operation", "bank_files": "arbook_bank_files", "as_of": "arbook_as_of"}
"""Named cells of the run area (.xlsm only), read by the Excel front end."""

VBA_MODULE = "arbook"
"""The workbook's own VBA module: its macros run the same Python whatever the workbook is called."""

RUN_MACRO = "ArbookRun"
"""The Run button's macro: the operation chosen in the Dashboard's Operation cell."""

FORECAST_CHART_ROWS = 13
"""Periods the forecast chart shows: the 13-week forecast, one row per week."""

AGING_CHART_BUCKETS = 6
"""Buckets the aging chart shows: Current and five more, as many as the default aging_buckets
(30,60,90,120) make; fewer buckets leave empty places, more are left out of the chart."""
TOP_OVERDUE_ROWS = 10
DASHBOARD_CURRENCIES = 6
"""Currencies the Dashboard lists open receivables of (the KPIs table has the rows of every one)."""
BASE_DEFAULT = base_currency_of(None)
"""The base currency when the Settings row is blank (the contract's default, read from it)."""

_PERCENT_COLUMNS = {("Credit", "Utilization"), ("Credit", "OnTimeRate")}
_TABLE_STYLE = "Table Style Medium 2"


def build_workbook(
    path: Path,
    *,
    rows: Mapping[str, pd.DataFrame] | None = None,
    macro_enabled: bool = False,
    vba_project_file: Path | None = None,
    operations: Sequence[tuple[str, str]] = (),
    kpis: Sequence[tuple[str, str]] = (),
) -> None:
    """Write a new workbook at `path` with every contract table, the Dashboard and `rows`.

    `rows` maps a table name to a frame typed per the contract (money in Int64 cents, dates
    as datetime64, IDs as str); its columns are matched to the contract's by name. Given
    Settings rows override the defaults of the same Key. With `macro_enabled` the file must
    be .xlsm: it gets the VBA project (`vba_project_file`, else the one inside the installed
    xlwings) with the workbook's own module put in (`vba_module_source`), and the Run button
    with a drop-down of `operations` ((key, label) of each, from the front end that runs them).
    `kpis` are the key figures the Dashboard shows: (Metric of the KPIs table, label).
    """
    path = Path(path)
    known = {normalise_header(t.name) for t in TABLES}
    unknown = sorted(name for name in rows or {} if normalise_header(name) not in known)
    if unknown:
        raise ValueError(f"rows given for tables the contract does not have: {unknown}")
    rows = {normalise_header(k): v for k, v in (rows or {}).items()}
    if macro_enabled != (path.suffix.lower() == ".xlsm"):
        raise ArbookError(f"{path.name}: a workbook with buttons must be .xlsm, one without must be .xlsx")
    if macro_enabled and not operations:
        raise ValueError("a workbook with a Run button needs the operations it offers")
    vba = (
        vba_project(operations, vba_project_file.read_bytes() if vba_project_file else None)
        if macro_enabled
        else None
    )

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    formats = _Formats(wb)
    dashboard = wb.add_worksheet(DASHBOARD)
    base = base_currency_of(rows.get("settings"))
    customers = rows.get("customers", pd.DataFrame())
    for table in TABLES:
        frame = rows.get(normalise_header(table.name))
        if table.name == "Settings":
            frame = _settings_frame(frame)
        _write_table(wb, formats, table, frame, book_units(table, lambda: base, lambda: customers))
    _write_dashboard(wb, dashboard, formats, operations if macro_enabled else (), kpis)
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.close()


def vba_project(operations: Sequence[tuple[str, str]], base: bytes | None = None) -> bytes:
    """The .xlsm's vbaProject.bin: xlwings' standalone project (`base`, else the one in the
    installed xlwings' quickstart_standalone.xlsm) with the workbook's own module put in, one
    macro for each of `operations` ((key, label)).

    Taken at build time, never committed: it always matches the xlwings the user runs, and
    `arbook refresh-vba` puts the current one into an existing workbook.
    """
    if base is None:
        source = importlib.resources.files("xlwings") / "quickstart_standalone.xlsm"
        with source.open("rb") as fh, zipfile.ZipFile(fh) as zf:
            base = zf.read("xl/vbaProject.bin")
    return with_modules(base, {VBA_MODULE: vba_module_source(operations)})


XLWINGS_SAMPLE_MODULE = "Module1"
"""xlwings' sample macro (SampleCall, which imports a module named after the workbook): not copied."""


def button_modules(project: bytes) -> dict[str, str]:
    """Name -> source of the standard and class modules of `project` (one `vba_project` built):
    the installed xlwings' (`xlwings`, `Dictionary`) and the workbook's own module, what the
    buttons need; xlwings' sample module is left out."""
    kinds = declared_modules(project)
    return {
        name: source
        for name, source in module_sources(project).items()
        if kinds[name] in ("Module", "Class") and name != XLWINGS_SAMPLE_MODULE
    }


def with_button_modules(project: bytes, built: bytes) -> bytes:
    """`project` (a workbook's own VBA project) with the `button_modules` of `built` (a
    `vba_project`) put in, every other module (the user's macros, the sheets' code) kept;
    checked by reading arbook's module back."""
    fresh = button_modules(built)
    kinds = declared_modules(built)
    new = with_modules(project, fresh, classes=frozenset(n for n in fresh if kinds[n] == "Class"))
    if module_sources(new).get(VBA_MODULE) != fresh[VBA_MODULE]:
        raise ValueError("the new VBA project does not read back with arbook's module")
    return new


def vba_module_source(operations: Sequence[tuple[str, str]]) -> str:
    """The workbook's VBA module: `ArbookRun` for the Run button, then one macro per operation
    of `operations` ((key, label) of each, as the Dashboard's drop-down offers them).

    One Run button and a drop-down rather than a button per operation: the operation is read from
    the `arbook_operation` cell, which works the same on Windows and macOS and can be tested
    without Excel. The workbook's VBA module still has one macro per operation, for a button or a
    keyboard shortcut of the user's own (Developer > Insert > Button, Assign Macro).

    Each runs, through xlwings' RunPython, an installed module (`macros.entry`) rather than one
    named after the workbook (as xlwings' sample macro does), so the buttons keep working when
    the workbook is renamed or copied.
    """
    lines = [
        f'Attribute VB_Name = "{VBA_MODULE}"',
        "' arbook: the macros of this workbook's buttons, written by arbook (arbook refresh-vba writes them again).",
        "' Each runs, through xlwings' RunPython, the operation the arbook command line runs, on this",
        "' workbook, whatever it is called (the Python side: macros/entry.py).",
        "Option Explicit",
        "",
        "' The Run button: the operation chosen in the Dashboard's Operation cell",
        f"Sub {RUN_MACRO}()",
        '    RunPython "import macros.entry; macros.entry.run_from_excel()"',
        "End Sub",
    ]
    for key, label in operations:
        name = "Arbook" + "".join(part.capitalize() for part in key.split("_"))
        lines += [
            "",
            f"' {label}",
            f"Sub {name}()",
            f"    RunPython \"import macros.entry; macros.entry.run('{key}')\"",
            "End Sub",
        ]
    return "\r\n".join(lines) + "\r\n"


class _Formats:
    """One xlsxwriter Format per column kind (and the Dashboard's few), created once."""

    def __init__(self, wb: Workbook) -> None:
        self.cells = XlsxFormats(wb)
        self.percent = wb.add_format({"num_format": "0.0%"})
        self.title = wb.add_format({"bold": True, "font_size": 20})
        self.heading = wb.add_format({"bold": True, "font_size": 13, "bottom": 1})
        self.label = wb.add_format({"bold": True})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.input = wb.add_format({"bg_color": "#FFF2CC", "border": 1, "num_format": "@"})
        self.input_date = wb.add_format({"bg_color": "#FFF2CC", "border": 1, "num_format": "yyyy-mm-dd"})
        self.status = wb.add_format({"border": 1, "num_format": "@"})
        self.status_time = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd hh:mm:ss"})
        self.kpi = wb.add_format({"num_format": CODECS["money"].number_format, "font_size": 14, "bold": True})
        self.money = self.cells["money"]

    def column(self, table: Table, col: Column) -> Format:
        """The column's own Format (the table's and its blank cells')."""
        percent = self.percentage(table, col)
        return self.cells[col.kind] if percent is None else percent

    def percentage(self, table: Table, col: Column) -> Format | None:
        """The percent Format where the column holds a fraction shown as a percentage, else None (the codec's)."""
        return self.percent if (table.name, col.name) in _PERCENT_COLUMNS else None


def _settings_frame(given: pd.DataFrame | None) -> pd.DataFrame:
    """Every contract setting, its default as a person would type it (blank when it has none); given rows win."""
    override: dict[str, tuple[object, object]] = {}
    extra: list[tuple[object, object, object]] = []
    known = {s.key for s in SETTINGS}
    if given is not None:
        cols = {normalise_header(c): c for c in given.columns}
        for _, r in given.iterrows():
            key = str(r[cols["key"]])
            desc = r[cols["description"]] if "description" in cols else None
            if key in known:
                override[key] = (r[cols["value"]], desc)
            else:
                extra.append((key, r[cols["value"]], desc))
    records = []
    for s in SETTINGS:
        value, desc = override.get(s.key, (setting_text(s, s.default), None))
        records.append((s.key, value, desc if _filled(desc) else s.description))
    records += extra
    return pd.DataFrame(records, columns=["Key", "Value", "Description"])


def _filled(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def _write_table(
    wb: Workbook, formats: _Formats, table: Table, frame: pd.DataFrame | None, units: Units
) -> None:
    ws = wb.add_worksheet(table.name)
    cols = table.columns
    columns = _columns(table, frame, units)
    height = len(columns[0].cells) if columns else 0
    body = max(height, 1)  # an empty table keeps one blank row, so the ListObject is valid
    ws.add_table(
        0,
        0,
        body,
        len(cols) - 1,
        {
            "name": table.name,
            "style": _TABLE_STYLE,
            "columns": [{"header": c.name, "format": formats.column(table, c)} for c in cols],
        },
    )
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
        if col.description:
            ws.write_comment(0, c, col.description)
        if columns:
            write_xlsx_column(
                ws, 1, c, columns[c], formats.cells, fmt=formats.percentage(table, col), blank_format=True
            )
        else:
            ws.write_blank(1, c, None, formats.column(table, col))
        choices = ("Y", "N") if col.kind == "bool" else col.choices
        if choices:
            ws.data_validation(
                1,
                c,
                body,
                c,
                {
                    "validate": "list",
                    "source": list(choices),
                    # yes/no columns take ja, oui, 是 ... as well: Excel warns, the reader decides
                    "error_type": "warning" if choices == YES_NO else "stop",
                    "error_title": f"{table.name}[{col.name}]",
                    "error_message": "Choose one of: " + ", ".join(choices),
                },
            )
    if table.name == "Settings" and columns:
        _settings_validation(ws, columns[0].cells)
    _highlight(wb, ws, table, body)
    ws.freeze_panes(1, 0)


def _highlight(wb: Workbook, ws: Worksheet, table: Table, body: int) -> None:
    """What a credit controller looks for first: money in overdue buckets, customers on Hold or Review.

    The ranges cover the table's rows; arbook's writer stretches them when the table grows.
    """
    alarm = wb.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
    caution = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
    names = table.column_names
    if table.name == "Aging":
        first, last = names.index("1-30"), names.index("120+")
        ws.conditional_format(
            1, first, body, last, {"type": "cell", "criteria": ">", "value": 0, "format": caution}
        )
        ws.conditional_format(
            1,
            names.index("Overdue"),
            body,
            names.index("Overdue"),
            {"type": "cell", "criteria": ">", "value": 0, "format": alarm},
        )
    if table.name == "Credit":
        action = f"${column_letter(names.index('Action') + 1)}2"
        for word, fmt in (("Hold", alarm), ("Review", caution)):
            ws.conditional_format(
                1,
                0,
                body,
                len(names) - 1,
                {"type": "formula", "criteria": f'={action}="{word}"', "format": fmt},
            )


def _columns(table: Table, frame: pd.DataFrame | None, units: Units) -> list[Encoded]:
    """The frame's columns in contract order as cells (workbook.cells), money in the decimals of
    each row's currency (`units`); [] for no rows."""
    if frame is None or frame.empty:
        return []
    by_name = {normalise_header(c): c for c in frame.columns}
    unknown = set(by_name) - {normalise_header(c.name) for c in table.columns}
    if unknown:
        raise ValueError(f"{table.name}: columns not in the contract: {sorted(by_name[u] for u in unknown)}")
    rows = range(2, 2 + len(frame))
    typed = frame.rename(
        columns={
            by_name[normalise_header(c.name)]: c.name
            for c in table.columns
            if normalise_header(c.name) in by_name
        }
    ).reset_index(drop=True)
    out = []
    for col in table.columns:
        series = typed[col.name] if col.name in typed else pd.Series([None] * len(frame), dtype=object)
        digits = units.digits(table, col.name, typed) if col.kind == "money" else None
        out.append(encode_column(table, col.name, series, rows, digits))
    return out


def _settings_validation(ws: Worksheet, keys: list[object]) -> None:
    """Drop-downs on the Value cell of yes/no and choice settings."""
    kinds = {s.key: s for s in SETTINGS}
    for r, key in enumerate(keys, start=1):
        s = kinds.get(str(key))
        if s is None or s.kind not in ("bool", "choice"):
            continue
        choices = ["yes", "no"] if s.kind == "bool" else list(s.choices)
        ws.data_validation(r, 1, r, 1, {"validate": "list", "source": choices, "error_type": "warning"})


_LIST_COL = 20  # U: the Operation drop-down's list, outside the printed area
_DATA_COL = 22  # W, X: the charts' helper cells
_CHART_COL = 4  # E: the charts, right of the status and key figures


def _write_dashboard(
    wb: Workbook,
    ws: Worksheet,
    formats: _Formats,
    operations: Sequence[tuple[str, str]],
    kpis: Sequence[tuple[str, str]],
) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 2, 10)
    ws.set_column(3, 3, 2)
    ws.write_string(0, 0, "arbook: customer receivables", formats.title)
    ws.write_string(
        1,
        0,
        "The figures below come from the KPIs, Aging and Forecast tables, which every arbook run rewrites.",
        formats.note,
    )

    ws.write_string(3, 0, "Status of the last run", formats.heading)
    for r, (key, label) in enumerate(
        (("last_run", "Last run"), ("result", "Result"), ("message", "Message")), 4
    ):
        ws.write_string(r, 0, label, formats.label)
        ws.write_blank(r, 1, None, formats.status_time if key == "last_run" else formats.status)
        wb.define_name(STATUS_NAMES[key], f"={DASHBOARD}!$B${r + 1}")

    top = _write_run_area(wb, ws, formats, 8, [label for _, label in operations]) if operations else 8
    ws.write_string(top, 0, "Key figures", formats.heading)
    for r, (metric, label) in enumerate(kpis, top + 1):
        lookup = f'MATCH("{metric}",KPIs[Metric],0)'
        ws.write_string(r, 0, label, formats.label)
        ws.write_formula(r, 1, f'=IFERROR(INDEX(KPIs[Value],{lookup}),"")', formats.kpi, "")
        ws.write_formula(r, 2, f'=IFERROR(INDEX(KPIs[Unit],{lookup})&"","")', None, "")
    _money_as_its_unit(wb, ws, top + 1, top + len(kpis))
    _write_currencies(ws, formats, top + len(kpis) + 2)
    _money_as_its_unit(wb, ws, top + len(kpis) + 4, top + len(kpis) + 3 + 3 * DASHBOARD_CURRENCIES)

    _write_charts(wb, ws, formats)
    ws.set_landscape()
    ws.print_area(0, 0, 51, 13)
    ws.fit_to_pages(1, 1)
    ws.activate()


def _money_as_its_unit(wb: Workbook, ws: Worksheet, first: int, last: int) -> None:
    """Figures in column B of rows first..last show the decimals of the currency in column C
    beside them (1,560,395 JPY, 1.234 KWD): the Dashboard's cells hold formulas whose currency is
    known only when Excel computes them, so the format is a conditional one, by the code shown."""
    for digits, codes in currencies_by_digits().items():
        if digits == 2:
            continue  # the cells' own format
        row = first + 1
        condition = "=OR(" + ",".join(f'$C{row}="{code}"' for code in codes) + ")"
        fmt = wb.add_format({"num_format": money_format(digits)})
        ws.conditional_format(first, 1, last, 1, {"type": "formula", "criteria": condition, "format": fmt})


def _write_currencies(ws: Worksheet, formats: _Formats, top: int) -> None:
    """Open receivables per currency, three lines each, from the KPIs table's rows of it: as
    booked, the rate used (1 base = x, with the Rates row's own date) and converted. The
    converted lines add up to the "all currencies" key figure above, so a person can check it."""
    ws.write_string(top, 0, "Open receivables by currency", formats.heading)
    ws.write_string(
        top + 1, 0, "as booked, the rate used and its date, then in the base currency", formats.note
    )

    def kpi(metric: str, column: str = "Value") -> str:
        return f"INDEX(KPIs[{column}],MATCH({metric},KPIs[Metric],0))"

    base = kpi('"OpenAR"', "Unit")
    for k in range(1, DASHBOARD_CURRENCIES + 1):
        row = top + 2 + 3 * (k - 1)
        code = f'IFERROR({kpi(chr(34) + f"Currency {k}" + chr(34), "Unit")}&"","")'
        lines = (
            (f'{code}&" open, as booked"', kpi(f'"OpenAR "&{code}'), code, formats.money),
            (f'"  rate: 1 "&{base}&" ="', kpi(f'"Rate "&{code}'), kpi(f'"Rate "&{code}', "AsOf"), None),
            (f'"  in "&{base}', kpi(f'"OpenAR "&{code}&" in "&{base}'), base, formats.money),
        )
        for offset, (label, value, unit, number) in enumerate(lines):
            there = f'IF({code}="","",'
            ws.write_formula(row + offset, 0, f"={there}{label})", formats.label, "")
            ws.write_formula(row + offset, 1, f'={there}IFERROR({value},""))', number, "")
            unit_format = formats.input_date if offset == 1 else None
            ws.write_formula(row + offset, 2, f'={there}IFERROR({unit},""))', unit_format, "")


def _write_run_area(wb: Workbook, ws: Worksheet, formats: _Formats, top: int, labels: list[str]) -> int:
    """Operation drop-down, its inputs and the Run button; returns the next free row."""
    ws.write_string(top, 0, "Run an operation", formats.heading)
    inputs = (
        (INPUT_NAMES["operation"], "Operation", labels[1], formats.input),
        (INPUT_NAMES["bank_files"], "Bank file(s), ;-separated", "", formats.input),
        (INPUT_NAMES["as_of"], "As of (blank = today)", "", formats.input_date),
    )
    for r, (name, label, value, fmt) in enumerate(inputs, top + 1):
        ws.write_string(r, 0, label, formats.label)
        if value:
            ws.write_string(r, 1, value, fmt)
        else:
            ws.write_blank(r, 1, None, fmt)
        wb.define_name(name, f"={DASHBOARD}!$B${r + 1}")
    ws.write_string(top, _LIST_COL, "Operations", formats.label)
    for i, label in enumerate(labels, top + 1):
        ws.write_string(i, _LIST_COL, label)
    ws.set_column(_LIST_COL, _LIST_COL, 30)
    column = xl_col_to_name(_LIST_COL)
    ws.data_validation(
        top + 1,
        1,
        top + 1,
        1,
        {
            "validate": "list",
            "source": f"=${column}${top + 2}:${column}${top + 1 + len(labels)}",
            "error_title": "Operation",
            "error_message": "Choose an operation from the list",
        },
    )
    ws.insert_button(
        top + 1,
        2,
        {
            "macro": RUN_MACRO,
            "caption": "Run",
            "width": 70,
            "height": 40,
            "description": "Runs the operation chosen in the Operation cell",
        },
    )
    return top + 5


def _write_charts(wb: Workbook, ws: Worksheet, formats: _Formats) -> None:
    """Charts over fixed helper cells whose structured references follow the tables' size."""
    col = _DATA_COL
    ws.write_string(0, col, "Chart data (formulas over the Aging and Forecast tables)", formats.note)
    # Bucket columns follow the aging_buckets setting, so they are found by position, never by
    # name: a formula naming a column that a later Aging table lacks would make Excel repair the
    # file. `Aging[[#Headers]]` (not `Aging[#Headers]`) because LibreOffice reads only that form.
    aging = contract.table("Aging").column_names
    first = aging.index("Current") + 1  # 1-based position of the first bucket column
    fixed = len(aging) - (aging.index("Total") - aging.index("Current"))  # columns that are not buckets
    # Aging rows are per currency: the charts show the base currency's rows alone (never a sum of
    # two currencies); the base currency is the Settings row's (blank there: the declared default).
    ws.write_string(0, col + 2, "Base currency", formats.label)
    setting = 'INDEX(Settings[Value],MATCH("base_currency",Settings[Key],0))&""'
    ws.write_formula(
        0,
        col + 3,
        f'=IFERROR(IF({setting}="","{BASE_DEFAULT}",UPPER(TRIM({setting}))),"{BASE_DEFAULT}")',
        None,
        "",
    )
    base = f"${column_letter(col + 4)}$1"  # column_letter counts from 1
    currency = aging.index("Currency") + 1  # as INDEX(Aging,...) too: LibreOffice's Aging holds the header
    ws.write_string(1, col, "Bucket", formats.label)
    ws.write_string(1, col + 1, "Open", formats.label)
    for k in range(AGING_CHART_BUCKETS):
        there = f"COLUMNS(Aging)-{fixed}>{k}"
        ws.write_formula(2 + k, col, f'=IF({there},INDEX(Aging[[#Headers]],1,{first + k}),"")', None, "")
        ws.write_formula(
            2 + k,
            col + 1,
            f"=IF({there},SUMIF(INDEX(Aging,0,{currency}),{base},INDEX(Aging,0,{first + k})),0)",
            formats.money,
            "",
        )
    buckets = range(AGING_CHART_BUCKETS)
    head = 3 + len(buckets)
    ws.write_string(head, col, "Period", formats.label)
    ws.write_string(head, col + 1, "Expected", formats.label)
    for k in range(1, FORECAST_CHART_ROWS + 1):
        ws.write_formula(head + k, col, f'=IFERROR(INDEX(Forecast[Period],{k})&"","")', None, "")
        ws.write_formula(head + k, col + 1, f"=IFERROR(INDEX(Forecast[Expected],{k})+0,0)", formats.money, "")
    top = head + FORECAST_CHART_ROWS + 2
    ws.write_string(top, col, "Customer", formats.label)
    ws.write_string(top, col + 1, "Overdue", formats.label)
    for k in range(1, TOP_OVERDUE_ROWS + 1):
        # k-th largest overdue amount of the base currency's rows and its customer (customers with
        # equal amounts show the first's name); SUMPRODUCT evaluates the row-wise products as
        # arrays in Excel and LibreOffice alike, without an array formula
        mine = f"(Aging[Currency]={base})"
        largest = f"SUMPRODUCT(LARGE({mine}*Aging[Overdue],{k}))"
        first_row = f"SUMPRODUCT(MATCH(1,{mine}*(Aging[Overdue]={largest}),0))"
        ws.write_formula(
            top + k,
            col,
            f'=IFERROR(IF({largest}>0,INDEX(Aging[Name],{first_row}),""),"")',
            None,
            "",
        )
        ws.write_formula(top + k, col + 1, f"=IFERROR(MAX({largest},0),0)", formats.money, "")
    ws.set_column(col, col, 22)
    ws.set_column(col + 1, col + 1, 14)

    def series(name: str, first: int, last: int, color: str) -> dict[str, object]:
        return {
            "name": name,
            "fill": {"color": color},
            "categories": [DASHBOARD, first, col, last, col],
            "values": [DASHBOARD, first, col + 1, last, col + 1],
        }

    for anchor, title, data in (
        (3, "Aging by bucket, base-currency rows", series("Open", 2, 1 + len(buckets), "#4472C4")),
        (
            19,
            f"Cash-in forecast, {FORECAST_CHART_ROWS} weeks, in the base currency (others converted)",
            series("Expected", head + 1, head + FORECAST_CHART_ROWS, "#70AD47"),
        ),
        (
            35,
            f"Top {TOP_OVERDUE_ROWS} overdue customers, base-currency rows",
            series("Overdue", top + 1, top + TOP_OVERDUE_ROWS, "#C00000"),
        ),
    ):
        chart = wb.add_chart({"type": "bar" if title.startswith("Top") else "column"})
        chart.add_series(data)
        chart.set_title({"name": title})
        chart.set_legend({"none": True})
        if title.startswith("Top"):  # a bar chart: the largest first, amounts along the bottom
            chart.set_y_axis({"reverse": True})
            chart.set_x_axis({"num_format": "#,##0"})
        else:
            chart.set_y_axis({"num_format": "#,##0"})
        ws.insert_chart(anchor, _CHART_COL, chart, {"x_scale": 1.3, "y_scale": 1.0})
