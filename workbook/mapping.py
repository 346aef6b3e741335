"""The Mapping table: where contract columns live in the user's own sheets, and a proposal for it.

A team that adopts arbook keeps its own sheets ("Debitoren" with "Kundennr.", "Firma"; an
invoice list with "Invoice #", "Client", "Total", "Due"). Each Mapping row names one
contract column and where it is: `Table`, `Column`, `Source` (the user's sheet or Excel
Table) and `SourceColumn` (its heading there). The rules, precisely:

  - Only user input tables can be mapped: Customers, Invoices, Orders (`MAPPABLE`).
  - A mapped table is read from its one Source, and only the columns its rows name are read
    (a heading that merely looks like a contract column is not used unless a row says so).
    Rows keep the Source's Excel row numbers, so every problem names the user's own sheet,
    row and heading.
  - Computed (c) columns are written into the user's sheet only where a Mapping row names a
    column for them. The others go to an arbook-owned companion table `<Table>Computed`
    (e.g. `InvoicesComputed`: InvoiceNo, OpenAmount, Status, LastPaymentDate) on its own
    sheet, rewritten whole, one row per row of the user's table; reading the mapped table
    joins them back by key. The proposal never maps computed columns, so arbook never writes
    into the user's sheet unless the user adds such a row on purpose.

`suggest` proposes the rows from header names: exact synonyms in English, German,
French and Chinese first, then fuzzy similarity (rapidfuzz) for spellings the list lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd
from rapidfuzz import fuzz

from common.errors import InputError, Problem

from .contract import TABLES, Column, Owner, Table, table
from .convert import cell_text
from .layout import HEADING_SCAN, heading_rows
from .package import Package
from .reader import Location, SheetCells, headings, locate, read_located, sheet_location, total_rows
from .settings import BEFORE_SETTINGS

__all__ = ["MAPPABLE", "SYNONYMS", "Link", "Mapping", "load_mapping", "suggest"]

MAPPABLE = ("Customers", "Invoices", "Orders")
FUZZY_MIN = 85
"""Lowest rapidfuzz ratio (0-100) at which a heading is proposed for a column it is not a synonym of."""

_CURRENCY = ("curr", "ccy", "währung", "devise", "monnaie", "币种", "货币")

SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Customers", "CustomerID"): (
        "customer id",
        "customer no",
        "customer number",
        "customer #",
        "cust id",
        "cust no",
        "client id",
        "client no",
        "client number",
        "account no",
        "debtor no",
        "kundennr",
        "kundennummer",
        "kunden nr",
        "kd nr",
        "debitorennr",
        "debitorennummer",
        "debitor nr",
        "客户编号",
        "客户代码",
        "客户号",
        "客户id",
        "n° client",
        "numéro client",
        "numéro de client",
        "code client",
        "réf client",
    ),
    ("Customers", "Name"): (
        "customer name",
        "customer",
        "client",
        "client name",
        "company",
        "company name",
        "firm",
        "kunde",
        "kundenname",
        "firma",
        "firmenname",
        "name 1",
        "客户名称",
        "客户名",
        "公司名称",
        "名称",
        "raison sociale",
        "nom",
        "nom du client",
        "nom client",
        "société",
    ),
    ("Customers", "Email"): (
        "e-mail",
        "email address",
        "mail",
        "e-mail-adresse",
        "邮箱",
        "电子邮件",
        "邮件",
        "电邮",
        "courriel",
        "adresse e-mail",
    ),
    ("Customers", "CC"): (
        "copy to",
        "kopie an",
        "抄送",
        "copie à",
    ),
    ("Customers", "Language"): (
        "lang",
        "sprache",
        "语言",
        "langue",
    ),
    ("Customers", "Currency"): _CURRENCY,
    ("Customers", "PaymentTermsDays"): (
        "payment terms",
        "terms",
        "terms days",
        "zahlungsziel",
        "zahlungsziel tage",
        "zahlungsbedingung",
        "账期",
        "付款期限",
        "账期天数",
        "délai de paiement",
        "délai de paiement (jours)",
        "conditions de paiement",
        "账期(天)",
    ),
    ("Customers", "CreditLimit"): (
        "credit limit",
        "limit",
        "kreditlimit",
        "kreditlinie",
        "信用额度",
        "授信额度",
        "plafond de crédit",
        "limite de crédit",
        "encours autorisé",
    ),
    ("Customers", "DunningBlocked"): (
        "dunning block",
        "mahnsperre",
        "停止催款",
        "relance bloquée",
        "blocage relance",
    ),
    ("Customers", "Segment"): (
        "group",
        "kundengruppe",
        "客户分类",
        "分类",
        "catégorie",
    ),
    ("Customers", "Address"): ("address", "adresse", "anschrift", "地址"),
    ("Customers", "ContactName"): (
        "contact",
        "contact person",
        "ansprechpartner",
        "联系人",
        "interlocuteur",
    ),
    ("Invoices", "InvoiceNo"): (
        "invoice no",
        "invoice #",
        "invoice number",
        "invoice",
        "inv no",
        "inv #",
        "document no",
        "rechnungsnr",
        "rechnungsnummer",
        "rechnung",
        "rechnungs nr",
        "re nr",
        "belegnr",
        "belegnummer",
        "发票号",
        "发票号码",
        "发票编号",
        "单号",
        "n° facture",
        "n° de facture",
        "numéro de facture",
        "numéro facture",
        "facture",
        "n° pièce",
    ),
    ("Invoices", "CustomerID"): (
        "customer id",
        "customer no",
        "customer",
        "client",
        "client id",
        "client no",
        "account",
        "kunde",
        "kundennr",
        "kundennummer",
        "debitor",
        "debitorennr",
        "客户编号",
        "客户代码",
        "客户号",
        "客户",
        "n° client",
        "code client",
        "compte client",
    ),
    ("Invoices", "InvoiceDate"): (
        "invoice date",
        "date",
        "inv date",
        "document date",
        "rechnungsdatum",
        "datum",
        "belegdatum",
        "开票日期",
        "发票日期",
        "日期",
        "date facture",
        "date de facture",
        "date d'émission",
    ),
    ("Invoices", "DueDate"): (
        "due",
        "due date",
        "due on",
        "payable by",
        "fällig",
        "fällig am",
        "fälligkeit",
        "fälligkeitsdatum",
        "到期日",
        "到期日期",
        "付款到期日",
        "échéance",
        "date d'échéance",
        "date échéance",
    ),
    ("Invoices", "Currency"): _CURRENCY,
    ("Invoices", "Amount"): (
        "amount",
        "total",
        "gross",
        "gross amount",
        "invoice amount",
        "invoice total",
        "betrag",
        "brutto",
        "bruttobetrag",
        "summe",
        "rechnungsbetrag",
        "金额",
        "发票金额",
        "总额",
        "含税金额",
        "montant",
        "montant ttc",
        "total ttc",
        "montant facture",
    ),
    ("Invoices", "Reference"): (
        "ref",
        "po",
        "po number",
        "your reference",
        "referenz",
        "bestellnr",
        "参考号",
        "订单号",
        "référence",
        "n° commande",
        "bon de commande",
    ),
    ("Invoices", "Disputed"): (
        "dispute",
        "disputed",
        "in dispute",
        "strittig",
        "reklamiert",
        "litige",
        "en litige",
        "contesté",
        "有争议",
        "争议",
        "是否争议",
        "是否有争议",
    ),
    ("Invoices", "DisputeNote"): (
        "dispute reason",
        "reklamationsgrund",
        "争议说明",
        "motif du litige",
    ),
    ("Invoices", "PromiseDate"): (
        "promised",
        "promise to pay",
        "zahlungszusage",
        "zugesagt am",
        "承诺付款日",
        "promesse de paiement",
    ),
    ("Orders", "OrderNo"): (
        "order no",
        "order #",
        "order number",
        "order",
        "auftragsnr",
        "bestellnr",
        "订单号",
        "n° commande",
        "commande",
    ),
    ("Orders", "CustomerID"): (
        "customer id",
        "customer no",
        "customer",
        "client",
        "kunde",
        "kundennr",
        "客户编号",
        "code client",
    ),
    ("Orders", "OrderDate"): (
        "order date",
        "date",
        "auftragsdatum",
        "bestelldatum",
        "datum",
        "下单日期",
        "date de commande",
    ),
    ("Orders", "Amount"): (
        "amount",
        "total",
        "order value",
        "betrag",
        "auftragswert",
        "金额",
        "montant",
    ),
    ("Orders", "Status"): (
        "state",
        "auftragsstatus",
        "状态",
        "statut",
    ),
}
"""Headings people give each contract column, in English, German, French and Chinese (compared normalised)."""

_SOURCE_NAMES: dict[str, tuple[str, ...]] = {
    "Customers": (
        "customers",
        "customer",
        "clients",
        "fichier clients",
        "debtors",
        "kunden",
        "debitoren",
        "客户",
        "客户资料",
        "客户清单",
    ),
    "Invoices": (
        "invoices",
        "invoice",
        "receivables",
        "open items",
        "rechnungen",
        "offene posten",
        "forderungen",
        "factures",
        "créances",
        "encours clients",
        "发票",
        "应收账款",
        "应收",
    ),
    "Orders": ("orders", "aufträge", "bestellungen", "commandes", "订单"),
}


def _norm(text: object) -> str:
    """Headings compared the way people vary them: case, spaces, dots, dashes, "#" for "no"."""
    folded = str(text).casefold().replace("#", "no").replace("nº", "no").replace("n°", "no")
    return "".join(ch for ch in folded if ch.isalnum())


@dataclass(frozen=True)
class Link:
    """One Mapping row: contract `table`.`column` is the `source_column` heading of `source`."""

    table: str
    column: str
    source: str
    source_column: str
    row: int | None = None  # the Mapping row it came from, for messages


class Mapping:
    """The Mapping rows of a workbook, checked, and how reading and writing follow them."""

    def __init__(self, links: Iterable[Link] = ()) -> None:
        self.links = tuple(links)
        self._by_table: dict[str, list[Link]] = {}
        for link in self.links:
            self._by_table.setdefault(link.table, []).append(link)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Mapping:
        """Mapping rows as read from the workbook; InputError naming each row that cannot hold."""
        problems: list[Problem] = []
        links: list[Link] = []
        seen: dict[tuple[str, str], int] = {}
        sources: dict[str, tuple[str, int]] = {}
        headings: dict[tuple[str, str], tuple[str, int]] = {}
        for row, rec in zip(frame.index, frame.itertuples(index=False), strict=True):
            name, column, source, source_column = (
                str(v).strip() for v in (rec.Table, rec.Column, rec.Source, rec.SourceColumn)
            )
            row = int(row)
            try:
                decl = table(name)
            except KeyError:
                problems.append(
                    Problem("Mapping", row, "Table", f"expected one of {', '.join(MAPPABLE)}, got {name!r}")
                )
                continue
            if decl.name not in MAPPABLE:
                problems.append(
                    Problem("Mapping", row, "Table", f"only {', '.join(MAPPABLE)} can be mapped, not {name}")
                )
                continue
            try:
                col = decl.column(column)
            except KeyError:
                problems.append(
                    Problem(
                        "Mapping",
                        row,
                        "Column",
                        f"expected a column of {decl.name} ({', '.join(decl.column_names)}), got {column!r}",
                    )
                )
                continue
            first = seen.setdefault((decl.name, col.name), row)
            if first != row:
                problems.append(
                    Problem(
                        "Mapping",
                        row,
                        "Column",
                        f"{decl.name}.{col.name} is mapped twice (first in row {first})",
                    )
                )
            used = headings.setdefault((decl.name, _norm(source_column)), (col.name, row))
            if used[1] != row:
                problems.append(
                    Problem(
                        "Mapping",
                        row,
                        "SourceColumn",
                        f"{source_column!r} is already mapped to "
                        f"{decl.name}.{used[0]} in row {used[1]}; one heading holds one column",
                    )
                )
            src = sources.setdefault(decl.name, (source, row))
            if src[0].casefold() != source.casefold():
                problems.append(
                    Problem(
                        "Mapping",
                        row,
                        "Source",
                        f"every {decl.name} row must name the same Source; "
                        f"row {src[1]} names {src[0]!r}, this one {source!r}",
                    )
                )
            links.append(Link(decl.name, col.name, src[0], source_column, row))
        if problems:
            raise InputError(problems, heading="the Mapping table was refused")
        return cls(links)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(x.table, x.column, x.source, x.source_column) for x in self.links],
            columns=["Table", "Column", "Source", "SourceColumn"],
        )

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(self._by_table)

    def source(self, name: str) -> str | None:
        links = self._by_table.get(name)
        return links[0].source if links else None

    def locate(self, pkg: Package, cells: SheetCells, decl: Table) -> Location | None:
        """The user's Source of a mapped table, its headings renamed to the contract columns mapped to them.

        Every other heading reads as blank, so only the mapped columns are read and written.
        None when `decl` is not mapped.
        """
        links = self._by_table.get(decl.name)
        if not links:
            return None
        where = _source_location(pkg, cells, links[0].source, [x.source_column for x in links])
        if where is None:
            raise InputError(
                Problem(
                    "Mapping",
                    links[0].row,
                    "Source",
                    (
                        f"expected a sheet or Excel Table named {links[0].source!r} with a heading row for {decl.name}; "
                        f"the workbook has sheets {', '.join(repr(s.name) for s in pkg.sheets)}"
                    ),
                )
            )
        heading = {_key(x.source_column): x.column for x in links}
        header = tuple(heading.get(_key(h), "") for h in where.header)
        missing = [x for x in links if x.column not in header]
        if missing:
            found = (
                f"its headings (row {where.header_row}) are {', '.join(h for h in where.header if h)}"
                if len(missing) < len(links)
                else f"none of its first {HEADING_SCAN} rows holds a heading the Mapping names"
            )
            raise InputError(
                [
                    Problem(
                        "Mapping",
                        x.row,
                        "SourceColumn",
                        f"expected a heading {x.source_column!r} in {x.source!r} for {decl.name}.{x.column}; {found}",
                    )
                    for x in missing
                ],
                heading="the Mapping table was refused",
            )
        return replace(
            where, header=header, skip=total_rows(cells.rows(where.sheet.name), where, header, decl)
        )

    def explain(self, name: str, problems: list[Problem]) -> list[Problem]:
        """Problems of a mapped table, named as the user sees them: their sheet and their heading."""
        links = self._by_table.get(name)
        if not links:
            return problems
        heading = {x.column: x.source_column for x in links}
        where = f"{name} (in {links[0].source!r})"
        return [
            Problem(where, p.row, f"{heading[p.column]!r} = {p.column}", p.message)
            if p.column in heading
            else Problem(
                where, p.row, p.column, f"{p.message} (no Mapping row names a heading for {p.column})"
            )
            for p in problems
        ]

    def companion(self, decl: Table) -> Table | None:
        """The arbook-owned table holding a mapped table's computed columns that no Mapping row places."""
        links = self._by_table.get(decl.name)
        if not links or decl.key is None:
            return None
        placed = {x.column for x in links}
        aside = [c for c in decl.columns if c.computed and c.name not in placed]
        if not aside:
            return None
        key = decl.column(decl.key)
        return Table(
            f"{decl.name}Computed",
            Owner.ARBOOK,
            (Column(key.name, key.kind, width=key.width), *aside),
            description=f"computed columns of your mapped {decl.name}, by {key.name}",
        )

    def join_computed(
        self, pkg: Package, cells: SheetCells, decl: Table, frame: pd.DataFrame
    ) -> pd.DataFrame:
        """`frame` (a mapped table) with the values of its companion table, matched by key."""
        side = self.companion(decl)
        if side is None:
            return frame
        where = locate(pkg, cells, side)
        if where is None:
            return frame
        values, problems = read_located(cells, side, where, date_order=BEFORE_SETTINGS, date1904=pkg.date1904)
        if problems:
            raise InputError(problems, heading=f"arbook's {side.name} table was refused")
        values = values.drop_duplicates(decl.key).set_index(decl.key)
        out = frame.copy()
        keys = out[decl.key]
        for column in values.columns:
            out[column] = keys.map(values[column]).astype(out[column].dtype)
        return out


def _key(heading: object) -> str:
    return _norm(heading)


def _source_table(name: str) -> Table:
    """A stand-in declaration that lets `reader.locate` find the user's sheet or Excel Table by name."""
    return Table(name, Owner.USER, ())


def _source_location(pkg: Package, cells: SheetCells, name: str, headings: list[str]) -> Location | None:
    """The user's Excel Table or sheet `name`; on a sheet, the heading row is the one holding `headings`.

    Titles, a company name, a date line and blank rows may sit above the headings
    (`workbook.layout`): the first of the top rows that holds every heading is taken, else the
    one holding most of them (the caller then names the missing ones).
    """
    where = locate(pkg, cells, _source_table(name))
    if where is None or where.excel_table is not None:
        return where
    grid = cells.rows(where.sheet.name)
    wanted = {_key(h) for h in headings}
    best = (0, where.header_row)
    for number, row in enumerate(grid[:HEADING_SCAN], start=1):
        found = len(wanted & {_key(cell_text(v)) for v in row})
        if found > best[0]:
            best = (found, number)
        if found == len(wanted):
            break
    if best[1] == where.header_row:  # headings in the first filled row, as `locate` took them
        return where
    return sheet_location(where.sheet, grid, best[1])


def load_mapping(pkg: Package, cells: SheetCells) -> Mapping:
    """The workbook's Mapping table (an empty Mapping when it has none)."""
    decl = table("Mapping")
    where = locate(pkg, cells, decl)
    if where is None:
        return Mapping()
    frame, problems = read_located(cells, decl, where, date_order=BEFORE_SETTINGS, date1904=pkg.date1904)
    if problems:
        raise InputError(problems, heading="the Mapping table was refused")
    return Mapping.from_frame(frame)


# -- proposing a mapping ---------------------------------------------------------------------
def _score(heading: str, decl: Table, column: str) -> int:
    """How sure arbook is that `heading` holds `column`: 100 for the name or a synonym, else fuzzy."""
    h = _norm(heading)
    if not h:
        return 0
    names = [_norm(column), *(_norm(s) for s in SYNONYMS.get((decl.name, column), ()))]
    if h in names:
        return 100
    best = max(fuzz.ratio(h, n) for n in names)
    return int(best) if best >= FUZZY_MIN else 0


def _assign(decl: Table, header: tuple[str, ...]) -> dict[str, tuple[str, int]]:
    """Contract column -> (heading, score): each heading used once, the surest pairs first."""
    pairs = sorted(
        (
            (_score(h, decl, c.name), i, c.name, h)
            for c in decl.columns
            if not c.computed
            for i, h in enumerate(header)
            if h
        ),
        key=lambda p: (-p[0], p[1]),
    )
    taken_cols: set[str] = set()
    taken_heads: set[int] = set()
    out: dict[str, tuple[str, int]] = {}
    for score, i, column, heading in pairs:
        if score and column not in taken_cols and i not in taken_heads:
            out[column] = (heading, score)
            taken_cols.add(column)
            taken_heads.add(i)
    return out


_OWN = frozenset(n.casefold() for n in (*(t.name for t in TABLES), *(f"{m}Computed" for m in MAPPABLE)))
"""Excel Table names arbook gives its own tables: never a source of the user's data."""


def _candidates(pkg: Package, cells: SheetCells) -> list[tuple[str, int, tuple[str, ...]]]:
    """(Source name, heading row, headings) of the user's Excel Tables, and of each row of a
    worksheet without one that may hold its headings (titles and blank rows may sit above them)."""
    out = [
        (t.name, 0, locate(pkg, cells, _source_table(t.name)).header)
        for t in pkg.tables.values()
        if t.name.casefold() not in _OWN
    ]
    with_tables = {t.sheet.name for t in pkg.tables.values()}
    for sheet in pkg.sheets:
        if sheet.is_worksheet and sheet.name not in with_tables:
            grid = cells.rows(sheet.name)
            for number in heading_rows(grid):
                out.append((sheet.name, number, headings(grid, number)[2]))
    return out


def suggest(pkg: Package, cells: SheetCells, *, skip: Iterable[str] = ()) -> pd.DataFrame:
    """Proposed Mapping rows (with a Confidence 0-100) for the mappable tables not in `skip`.

    A table is proposed from a Source in which all its required columns are found, or at least
    half of them when the Source is named like the table ("Rechnungen", "Debitoren", "客户"): the
    user then adds the missing rows. Each Source serves one table, the best-fitting pairs first.
    """
    skipped = {table(s).name for s in skip}
    options = []
    for name in MAPPABLE:
        if name in skipped:
            continue
        decl = table(name)
        for source, header_row, header in _candidates(pkg, cells):
            found = _assign(decl, header)
            named = _norm(source) in {_norm(s) for s in (name, *_SOURCE_NAMES[name])}
            required = sum(c in found for c in decl.required)
            if required == len(decl.required) or (named and 2 * required >= len(decl.required)):
                total = sum(s for _h, s in found.values()) + 200 * named
                options.append((total, header_row, name, source, found))
    rows = []
    used_tables: set[str] = set()
    used_sources: set[str] = set()
    for _total, _row, name, source, found in sorted(options, key=lambda o: (-o[0], o[1])):
        if name in used_tables or source in used_sources:
            continue
        used_tables.add(name)
        used_sources.add(source)
        for col in table(name).columns:
            if col.name in found:
                heading, score = found[col.name]
                rows.append((name, col.name, source, heading, float(score)))
    rows.sort(key=lambda r: (MAPPABLE.index(r[0]), table(r[0]).column_names.index(r[1])))
    return pd.DataFrame(rows, columns=["Table", "Column", "Source", "SourceColumn", "Confidence"])
