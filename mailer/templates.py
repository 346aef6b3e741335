"""Templates the team edits in Excel, rendered so that no template can do harm.

The Templates table is text anyone with the workbook can change, so it is rendered in
Jinja2's immutable sandbox with HTML autoescaping: a template can read the values it is
given and nothing else (no attributes such as `__class__`, no files, no imports), no
expression or template may build more than `MAX_OUTPUT` characters, and no render may take
more than `MAX_STEPS` loop steps or `MAX_SECONDS` (loops that print nothing write no
output, so only counting their steps stops them). A template that fails — a typo in a
variable, a refused attribute, 1/0, a range too large, a loop without end — is reported
with its Templates row and column, its name and the line it was at, before anything is sent.
"""

from __future__ import annotations

import contextvars
import functools
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import jinja2
import lxml.html
import pandas as pd
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from common.errors import InputError, Problem

from .defaults import DEFAULT_TEMPLATES

__all__ = ["Rendered", "TemplateBook", "html_to_text", "render_block"]

MAX_OUTPUT = 1_000_000
"""Characters one template may write: a statement's body is a few thousand; a template that
writes more is refused rather than mailed (or left to fill the memory)."""
MAX_STEPS = 200_000
"""Loop steps (and calls) one render may take: a template looping over a customer's thousand
open items, ten columns each, takes ten thousand; two nested loops of 99,999 that print nothing
would take ten billion."""
MAX_SECONDS = 5.0
"""Processor seconds one render may take, for steps that are slow one by one (a filter over a
long range in each step); a statement renders in milliseconds. Processor time, not the clock: a
busy machine slows a render down but does not make it refused."""
_CLOCK_EVERY = 64  # steps between looks at the processor clock (a system call each)
_MAX_EXPONENT = 1_000

# An empty loader: {% include %}, {% import %} and {% extends %} find nothing, on disk or elsewhere.
_NOTHING = jinja2.DictLoader({})
_FAILED = (jinja2.TemplateError, ArithmeticError, RecursionError, TypeError, ValueError, LookupError)
"""What running a template's own code can raise: 1/0, range(10**9) (the sandbox's OverflowError),
a macro calling itself, 'a' + 1. Each is the template's fault, reported with its row."""


class _TooLong(Exception):
    """A render went past `MAX_STEPS` or `MAX_SECONDS`."""


class _Budget:
    """The steps and time one render has left; every loop step and call takes one."""

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.deadline = time.thread_time() + MAX_SECONDS

    def take(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise _TooLong(f"it runs more than {MAX_STEPS:,} loop steps")
        if self.steps % _CLOCK_EVERY == 0 and time.thread_time() > self.deadline:
            raise _TooLong(f"it runs longer than {MAX_SECONDS:g} seconds of processor time")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("template_budget", default=None)


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    budget = _BUDGET.get()
    for item in iterable:
        if budget is not None:
            budget.take()
        yield item


class _CountingCodeGenerator(CodeGenerator):
    """Jinja2's code generator with every `{% for %}` iterating through `environment.counted`, so
    each step of a loop is counted against the render's budget, whatever the loop prints."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Call(
                nodes.EnvironmentAttribute("counted"), [loop.iter], [], None, None, lineno=loop.lineno
            )
        super().visit_Template(node, frame)


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with limits on what one expression may build: `*` and `**` are
    checked before they run ('x' * 10**9, 10**10**8), and `lipsum` (pages of filler text on
    request) is not offered; and on what a render may take: every loop step and call counts
    against the render's `_Budget` (a recursive loop's `loop(...)` counts the steps it adds)."""

    intercepted_binops = frozenset({"*", "**"})
    code_generator_class = _CountingCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        del self.globals["lipsum"]

    counted = staticmethod(_counted)  # what every loop iterates through (`_CountingCodeGenerator`)

    def call(self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if __obj is _counted:  # the loop's own wrapper: its steps count, not the call
            return _counted(*args)
        budget = _BUDGET.get()
        if budget is not None:
            budget.take()
            if isinstance(__obj, LoopContext) and args:
                args = (_counted(args[0]), *args[1:])
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"an exponent above {_MAX_EXPONENT} ({right})")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(count, int)
                    and len(seq) * count > MAX_OUTPUT
                ):
                    raise SecurityError(f"a text or list repeated to more than {MAX_OUTPUT:,} items")
        return super().call_binop(context, operator, left, right)


_HTML = _BoundedSandbox(autoescape=True, undefined=jinja2.StrictUndefined, loader=_NOTHING)
_TEXT = _BoundedSandbox(autoescape=False, undefined=jinja2.StrictUndefined, loader=_NOTHING)


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class _Source:
    name: str
    language: str
    subject: str
    body: str
    row: int | None  # Excel row of the Templates table; None for a built-in template


class TemplateBook:
    """Every template by (Name, Language): the workbook's rows over the built-in ones."""

    def __init__(self, workbook_templates: pd.DataFrame | None = None) -> None:
        self._sources: dict[tuple[str, str], _Source] = {
            (row["Name"].casefold(), row["Language"]): _Source(
                row["Name"], row["Language"], row["Subject"], row["Body"], None
            )
            for row in DEFAULT_TEMPLATES
        }
        self.overridden = 0
        if workbook_templates is not None:
            for excel_row, row in workbook_templates.iterrows():
                name, language = str(row["Name"]).strip(), str(row["Language"]).strip().lower()
                self._sources[(name.casefold(), language)] = _Source(
                    name, language, str(row["Subject"]), str(row["Body"]), int(excel_row)
                )
                self.overridden += 1
        self._compiled: dict[tuple[str, str], tuple[jinja2.Template, jinja2.Template, _Source]] = {}

    def has(self, name: str) -> bool:
        return any(key[0] == name.casefold() for key in self._sources)

    def render(self, name: str, language: str, context: dict[str, Any]) -> Rendered:
        """Subject (one line of plain text), HTML body and its plain-text alternative."""
        subject_t, body_t, source = self._compile(name, language)
        subject = _render(subject_t, context, source, "Subject")
        html = _render(body_t, context, source, "Body")
        return Rendered(one_line(subject), html, html_to_text(html))

    def _compile(self, name: str, language: str) -> tuple[jinja2.Template, jinja2.Template, _Source]:
        key = (name.casefold(), language)
        if key not in self._compiled:
            source = self._sources.get(key) or self._sources.get((name.casefold(), "en"))
            if source is None:
                raise InputError(
                    Problem(
                        "Templates",
                        None,
                        "Name",
                        f"expected a template named {name!r} (language {language} or en)",
                    )
                )
            try:
                compiled = (_TEXT.from_string(source.subject), _HTML.from_string(source.body), source)
            except jinja2.TemplateSyntaxError as exc:
                column = "Subject" if exc.source == source.subject else "Body"
                raise _problem(
                    source, name, column, f"template syntax error line {exc.lineno}: {exc.message}"
                ) from exc
            self._compiled[key] = compiled
        return self._compiled[key]


def _render(template: jinja2.Template, context: dict[str, Any], source: _Source, column: str) -> str:
    """The template's text, written piece by piece so that one writing too much stops at MAX_OUTPUT,
    within one `_Budget` of steps and time."""
    parts, size = [], 0
    token = _BUDGET.set(_Budget())
    try:
        for part in template.generate(context):
            size += len(part)
            if size > MAX_OUTPUT:
                raise _problem(
                    source, None, column, f"template refused: it writes more than {MAX_OUTPUT:,} characters"
                )
            parts.append(part)
    except _TooLong as exc:
        raise _problem(source, None, column, f"template refused: {exc}{_where(source, exc)}") from None
    except _FAILED as exc:
        what = f"template refused: {type(exc).__name__}: {exc}{_where(source, exc)}"
        raise _problem(source, None, column, what) from exc
    finally:
        _BUDGET.reset(token)
    return "".join(parts)


def _where(source: _Source, exc: BaseException) -> str:
    """Which template and line it was at: Jinja2 rewrites a failing render's traceback so that its
    frames carry the template's own line numbers."""
    line = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    at = f", line {line}" if line is not None else ""
    return f" (template {source.name!r}, language {source.language}{at})"


def _problem(source: _Source, name: str | None, column: str, message: str) -> InputError:
    where = "" if source.row is not None else f" (built-in template {name!r})" if name else " (built-in)"
    return InputError(Problem("Templates", source.row, column, message + where))


def one_line(text: str) -> str:
    """Header text on one line: a newline in a customer's name must not start a new header."""
    return " ".join(text.split())


def render_block(source: str, context: dict[str, Any]) -> Markup:
    """A built-in HTML block (statement, overdue table), escaped like the templates around it."""
    return Markup(_compiled_block(source).render(context))


@functools.lru_cache(maxsize=8)
def _compiled_block(source: str) -> jinja2.Template:
    return _HTML.from_string(source)


_BLOCKS = {"p", "div", "table", "tr", "h1", "h2", "h3", "h4", "ul", "ol", "li", "thead", "tbody", "section"}
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")  # HTML's own whitespace: a no-break space stays
_PARAGRAPHS = {"p", "table", "h1", "h2", "h3", "h4"}
_CELLS = {"td", "th"}


def html_to_text(html: str) -> str:
    """The plain-text alternative of an HTML body: paragraphs and table rows become lines."""
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    parts: list[str] = []

    def walk(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("script", "style"):
            return
        if tag == "br":
            parts.append("\n")
        if tag in _CELLS and element.getprevious() is not None:
            parts.append("  |  ")
        if element.text and tag:
            parts.append(_HTML_SPACE.sub(" ", element.text))
        for child in element:
            walk(child)
            if child.tail:
                parts.append(_HTML_SPACE.sub(" ", child.tail))
        if tag in _BLOCKS:
            parts.append("\n\n" if tag in _PARAGRAPHS else "\n")

    walk(root)
    lines = [line.strip() for line in "".join(parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
