"""The month-end reconciliation report: what the finance manager reads after the batch.

figures  what the batch did, computed from the workbook after it and the run's ledger
render   the HTML mail with its charts, the text copy and the exceptions workbook
deliver  the copy in reports/ and the mail to report_recipients (the month-end's last step)
"""

from .deliver import save_report, send_report
from .figures import Figures, ReportData, bank_reconciliation, month_start, report_figures
from .render import Report, build_report, exceptions_workbook

__all__ = [
    "Figures",
    "Report",
    "ReportData",
    "bank_reconciliation",
    "build_report",
    "exceptions_workbook",
    "month_start",
    "report_figures",
    "save_report",
    "send_report",
]
