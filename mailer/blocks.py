"""The built-in HTML blocks a template places with `{{ statement }}` or `{{ overdue_table }}`.

Tables of figures are layout, not wording: the team words the letter in the Templates
table and drops the block where it belongs. Inline styles only, because mail clients
ignore style sheets.
"""

from __future__ import annotations

__all__ = ["OVERDUE_BLOCK", "STATEMENT_BLOCK"]

_T = 'style="border-collapse:collapse;margin:6px 0 12px 0;font-size:13px"'
_H = 'style="text-align:left;border-bottom:1px solid #999;padding:3px 8px;background:#eee"'
_HR = 'style="text-align:right;border-bottom:1px solid #999;padding:3px 8px;background:#eee"'
_D = 'style="padding:3px 8px;border-bottom:1px solid #ddd"'
_DR = 'style="padding:3px 8px;border-bottom:1px solid #ddd;text-align:right"'

STATEMENT_BLOCK = f"""\
<div class="statement">
<h3>{{{{ company.name }}}}</h3>
<p>{{% for line in company.address_lines %}}{{{{ line }}}}<br>{{% endfor %}}{{{{ company.email }}}}</p>
<h2>{{{{ labels.statement }}}}</h2>
<p>{{{{ customer.name }}}}<br>{{% if customer.contact %}}{{{{ customer.contact }}}}<br>{{% endif %}}\
{{% for line in customer.address_lines %}}{{{{ line }}}}<br>{{% endfor %}}</p>
<p>{{{{ labels.customer_no }}}}: {{{{ customer.id }}}}<br>\
{{{{ labels.period }}}}: {{{{ period_start }}}} – {{{{ period_end }}}}<br>\
{{{{ labels.opening }}}}: {{{{ opening_balance }}}}</p>
<h4>{{{{ labels.activity }}}}</h4>
<table {_T}><tr><th {_H}>{{{{ labels.date }}}}</th><th {_H}>{{{{ labels.description }}}}</th>\
<th {_H}>{{{{ labels.document }}}}</th><th {_HR}>{{{{ labels.debit }}}}</th><th {_HR}>{{{{ labels.credit }}}}</th>\
{{% if balance_forward %}}<th {_HR}>{{{{ labels.balance }}}}</th>{{% endif %}}</tr>
{{% for a in activity %}}<tr><td {_D}>{{{{ a.date }}}}</td><td {_D}>{{{{ a.kind }}}}</td>\
<td {_D}>{{{{ a.reference }}}}</td><td {_DR}>{{{{ a.debit }}}}</td><td {_DR}>{{{{ a.credit }}}}</td>\
{{% if balance_forward %}}<td {_DR}>{{{{ a.balance }}}}</td>{{% endif %}}</tr>
{{% else %}}<tr><td {_D} colspan="5">{{{{ labels.none }}}}</td></tr>{{% endfor %}}
</table>
<p><strong>{{{{ labels.closing }}}}: {{{{ closing_balance }}}}</strong></p>
<h4>{{{{ labels.open_items }}}}</h4>
<table {_T}><tr><th {_H}>{{{{ labels.document }}}}</th><th {_H}>{{{{ labels.date }}}}</th><th {_H}>{{{{ labels.due }}}}</th>\
<th {_HR}>{{{{ labels.amount }}}}</th><th {_HR}>{{{{ labels.open }}}}</th><th {_HR}>{{{{ labels.days_overdue }}}}</th></tr>
{{% for o in open_items %}}<tr><td {_D}>{{{{ o.number }}}}</td><td {_D}>{{{{ o.date }}}}</td><td {_D}>{{{{ o.due }}}}</td>\
<td {_DR}>{{{{ o.amount }}}}</td><td {_DR}>{{{{ o.open }}}}</td><td {_DR}>{{{{ o.days_overdue }}}}</td></tr>
{{% else %}}<tr><td {_D} colspan="6">{{{{ labels.none }}}}</td></tr>{{% endfor %}}
</table>
<h4>{{{{ labels.aging }}}}</h4>
<table {_T}><tr>{{% for a in aging %}}<th {_HR}>{{{{ a.label }}}}</th>{{% endfor %}}<th {_HR}>{{{{ labels.total }}}}</th></tr>
<tr>{{% for a in aging %}}<td {_DR}>{{{{ a.amount }}}}</td>{{% endfor %}}<td {_DR}>{{{{ total_open }}}}</td></tr></table>
{{% if company.remit_lines %}}<p>{{{{ labels.remit_to }}}}:<br>\
{{% for line in company.remit_lines %}}{{{{ line }}}}<br>{{% endfor %}}</p>{{% endif %}}
</div>"""

OVERDUE_BLOCK = f"""\
<table {_T}><tr><th {_H}>{{{{ labels.invoice }}}}</th><th {_H}>{{{{ labels.date }}}}</th><th {_H}>{{{{ labels.due }}}}</th>\
<th {_HR}>{{{{ labels.open }}}}</th><th {_HR}>{{{{ labels.days_overdue }}}}</th>\
{{% if late_interest %}}<th {_HR}>{{{{ labels.interest }}}}</th>{{% endif %}}</tr>
{{% for i in invoices %}}<tr><td {_D}>{{{{ i.number }}}}</td><td {_D}>{{{{ i.date }}}}</td><td {_D}>{{{{ i.due }}}}</td>\
<td {_DR}>{{{{ i.open }}}}</td><td {_DR}>{{{{ i.days_overdue }}}}</td>\
{{% if late_interest %}}<td {_DR}>{{{{ i.interest }}}}</td>{{% endif %}}</tr>{{% endfor %}}
<tr><td {_D} colspan="3">{{{{ labels.total }}}}</td><td {_DR}>{{{{ overdue_total }}}}</td><td {_D}></td>\
{{% if late_interest %}}<td {_D}></td>{{% endif %}}</tr>
{{% if fee_cents %}}<tr><td {_D} colspan="3">{{{{ labels.fee }}}}</td><td {_DR}>{{{{ fee }}}}</td></tr>{{% endif %}}
{{% if late_interest %}}<tr><td {_D} colspan="3">{{{{ labels.interest }}}} ({{{{ interest_rate }}}} %)</td>\
<td {_DR}>{{{{ interest }}}}</td></tr>{{% endif %}}
<tr><td {_D} colspan="3"><strong>{{{{ labels.total_due }}}}</strong></td><td {_DR}><strong>{{{{ total_due }}}}</strong></td></tr>
</table>"""
