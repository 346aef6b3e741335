"""Templates: the built-in rows, workbook overrides, and a sandbox no template can escape."""

from __future__ import annotations

import pandas as pd
import pytest
from markupsafe import Markup

import mailer
from common.errors import InputError
from mailer.compose import UPCOMING
from mailer.templates import render_block
from workbook.contract import table

CONTEXT = {
    "company": {"name": "Beispiel AG"},
    "customer": {"name": "Acme <b>Ltd</b>", "contact": ""},
    "as_of": "30 Nov 2026",
    "closing_balance": "€1,300.00",
    "statement": Markup("<table><tr><td>x</td></tr></table>"),
    "overdue_table": Markup("<table><tr><td>R-1</td><td>€600.00</td></tr></table>"),
    "total_due": "€600.00",
}


def _workbook_templates(rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=range(2, len(rows) + 2))


def test_defaults_are_rows_of_the_contract_tables():
    templates, levels = table("Templates"), table("DunningLevels")
    assert {tuple(r) for r in mailer.DEFAULT_TEMPLATES} == {tuple(templates.column_names)}
    assert {tuple(r) for r in mailer.DEFAULT_DUNNING_LEVELS} == {tuple(levels.column_names)}
    names = {(r["Name"], r["Language"]) for r in mailer.DEFAULT_TEMPLATES}
    assert names == {
        (n, lang)
        for n in ("statement", "reminder", "notice1", "notice2", "notice3", "upcoming")
        for lang in ("en", "de", "fr", "zh")
    }
    assert [(lv["Level"], lv["DaysOverdue"], lv["Template"]) for lv in mailer.DEFAULT_DUNNING_LEVELS] == [
        (0, -3, "reminder"),
        (1, 7, "notice1"),
        (2, 21, "notice2"),
        (3, 45, "notice3"),
    ]
    assert all(lv["Template"] in {n for n, _ in names} for lv in mailer.DEFAULT_DUNNING_LEVELS)


MESSAGES = [r for r in mailer.DEFAULT_TEMPLATES if r["Name"] != UPCOMING]
PARTS = [r for r in mailer.DEFAULT_TEMPLATES if r["Name"] == UPCOMING]


@pytest.mark.parametrize("row", MESSAGES, ids=lambda r: f"{r['Name']}-{r['Language']}")
def test_every_default_template_renders(row):
    out = mailer.TemplateBook().render(row["Name"], row["Language"], CONTEXT)
    assert "Beispiel AG" in out.subject and "\n" not in out.subject
    assert "Acme &lt;b&gt;Ltd&lt;/b&gt;" in out.html  # autoescaped
    assert "Acme <b>Ltd</b>" in out.text  # the text alternative shows the name as typed
    block_text = "x" if row["Name"] == "statement" else "R-1  |  €600.00"
    assert block_text in out.text


@pytest.mark.parametrize("row", PARTS, ids=lambda r: r["Language"])
def test_the_part_put_inside_a_notice_has_its_table_and_no_greeting_of_its_own(row):
    out = mailer.TemplateBook().render(row["Name"], row["Language"], CONTEXT)
    assert out.text.endswith("R-1  |  €600.00\n") and "Acme" not in out.text and "Beispiel AG" not in out.text


def test_workbook_row_overrides_the_builtin_and_other_languages_stay():
    book = mailer.TemplateBook(
        _workbook_templates(
            [
                {
                    "Name": "Statement",
                    "Language": "en",
                    "Subject": "Your balance: {{ closing_balance }}",
                    "Body": "<p>Hello {{ customer.name }}</p>",
                }
            ]
        )
    )
    assert book.overridden == 1
    en = book.render("statement", "en", CONTEXT)
    assert (en.subject, en.html, en.text) == (
        "Your balance: €1,300.00",
        "<p>Hello Acme &lt;b&gt;Ltd&lt;/b&gt;</p>",
        "Hello Acme <b>Ltd</b>\n",
    )
    assert book.render("statement", "de", CONTEXT).subject.startswith("Kontoauszug zum 30 Nov 2026")


def test_missing_language_falls_back_to_english():
    book = mailer.TemplateBook(
        _workbook_templates([{"Name": "welcome", "Language": "en", "Subject": "Hi", "Body": "<p>Hi</p>"}])
    )
    assert book.render("welcome", "zh", CONTEXT).subject == "Hi"
    with pytest.raises(InputError, match="Templates column Name: expected a template named 'nothing'"):
        book.render("nothing", "de", CONTEXT)


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ customer.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{% include '/etc/passwd' %}",
        "{{ lipsum.__globals__['os'].system('id') }}",
    ],
)
def test_sandbox_refuses_attribute_escapes_and_file_access(body):
    book = mailer.TemplateBook(
        _workbook_templates(
            [
                {"Name": "statement", "Language": "en", "Subject": "s", "Body": "<p>ok</p>"},
                {"Name": "statement", "Language": "de", "Subject": "s", "Body": body},
            ]
        )
    )
    with pytest.raises(InputError) as err:
        book.render("statement", "de", CONTEXT)
    assert "Templates row 3 column Body: template refused" in str(err.value)


def test_a_template_cannot_change_the_values_it_is_given():
    data = {"items": [1, 2]}
    book = mailer.TemplateBook(
        _workbook_templates(
            [{"Name": "t", "Language": "en", "Subject": "s", "Body": "{{ items.append(3) }}"}]
        )
    )
    with pytest.raises(InputError, match="template refused"):
        book.render("t", "en", {**CONTEXT, **data})
    assert data["items"] == [1, 2]


def test_syntax_error_names_row_and_column():
    book = mailer.TemplateBook(
        _workbook_templates([{"Name": "notice1", "Language": "en", "Subject": "{{ broken", "Body": "<p/>"}])
    )
    with pytest.raises(InputError, match=r"Templates row 2 column Subject: template syntax error line 1"):
        book.render("notice1", "en", CONTEXT)


def test_subject_is_one_line_whatever_the_data():
    book = mailer.TemplateBook(
        _workbook_templates(
            [{"Name": "t", "Language": "en", "Subject": "Statement {{ customer.name }}", "Body": "<p/>"}]
        )
    )
    out = book.render("t", "en", {**CONTEXT, "customer": {"name": "Evil\r\nBcc: victim@x.example"}})
    assert out.subject == "Statement Evil Bcc: victim@x.example"


def test_html_to_text_keeps_paragraphs_rows_and_breaks():
    html = (
        "<p>Dear  Mr\nX,</p><table><tr><th>No</th><th>Open</th></tr><tr><td>R-1</td><td>1,00 €</td></tr>"
        "</table><p>Line<br>two<!-- hidden --></p><style>p{}</style>"
    )
    assert mailer.html_to_text(html) == "Dear Mr X,\n\nNo  |  Open\nR-1  |  1,00 €\n\nLine\ntwo\n"


def test_blocks_escape_values():
    out = render_block("<td>{{ v }}</td>", {"v": "<script>x</script>"})
    assert out == Markup("<td>&lt;script&gt;x&lt;/script&gt;</td>")


def _one(body: str) -> mailer.TemplateBook:
    return mailer.TemplateBook(
        _workbook_templates([{"Name": "Mahnung", "Language": "de", "Subject": "s", "Body": body}])
    )


def test_a_render_takes_at_most_max_steps_loop_steps_and_calls(monkeypatch):
    """Every loop step and call counts, whatever the loop prints: one call (range) and 999 steps
    fit in 1,000; one step more is refused, naming the template and the line of the loop."""
    monkeypatch.setattr(mailer.templates, "MAX_STEPS", 1_000)
    assert _one("<p>a</p>\n{% for i in range(999) %}{% endfor %}").render("Mahnung", "de", CONTEXT).html
    with pytest.raises(InputError) as err:
        _one("<p>a</p>\n{% for i in range(1000) %}{% endfor %}").render("Mahnung", "de", CONTEXT)
    assert str(err.value).endswith(
        "Templates row 2 column Body: template refused: it runs more than 1,000 loop steps "
        "(template 'Mahnung', language de, line 2)"
    )


@pytest.mark.parametrize(
    "body",
    [
        "{% for i in range(99999) %}\n{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "{% for a in 'x' * 999999 %}{% for b in 'y' * 999999 %}{% endfor %}{% endfor %}",
        "{% macro m(n) %}{% for i in range(n) %}{% endfor %}{% endmacro %}{% for k in range(99999) %}{{ m(99999) }}{% endfor %}",
        # the steps a recursive loop's loop() adds count too
        "{% for i in range(9) recursive %}{% if loop.depth0 < 1 %}{{ loop(range(99999)) }}{% endif %}{% endfor %}",
    ],
)
def test_loops_that_print_nothing_are_stopped_by_the_step_limit(monkeypatch, body):
    monkeypatch.setattr(mailer.templates, "MAX_STEPS", 10_000)
    with pytest.raises(
        InputError, match=r"it runs more than 10,000 loop steps \(template 'Mahnung', language de, line \d\)"
    ):
        _one(body).render("Mahnung", "de", CONTEXT)


def test_steps_slow_one_by_one_are_stopped_by_the_time_limit(monkeypatch):
    monkeypatch.setattr(mailer.templates, "MAX_SECONDS", 0.2)
    with pytest.raises(
        InputError,
        match=r"it runs longer than 0.2 seconds of processor time \(template 'Mahnung', language de, line 1\)",
    ):
        _one("{% for i in range(99999) %}{% set x = range(99999) | sum %}{% endfor %}").render(
            "Mahnung", "de", CONTEXT
        )
