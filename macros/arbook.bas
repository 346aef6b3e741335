Attribute VB_Name = "arbook"
' arbook: one macro per Dashboard operation, so each can have its own button.
' Each runs, through xlwings' RunPython, the same Python operation as the arbook command
' line, on this workbook: see macros/entry.py. Imported (and the buttons added) by
' macros.vba.install_vba. One Sub per workbook.template.OPERATIONS entry (a test keeps them in step).
Option Explicit

' Import bank file(s)
Sub ArbookImportBank()
    RunPython "import macros.entry; macros.entry.run('import_bank')"
End Sub

' Match bank lines
Sub ArbookMatch()
    RunPython "import macros.entry; macros.entry.run('match')"
End Sub

' Post approved matches
Sub ArbookPost()
    RunPython "import macros.entry; macros.entry.run('post')"
End Sub

' Recompute aging
Sub ArbookAging()
    RunPython "import macros.entry; macros.entry.run('aging')"
End Sub

' Recompute credit
Sub ArbookCredit()
    RunPython "import macros.entry; macros.entry.run('credit')"
End Sub

' Recompute forecast
Sub ArbookForecast()
    RunPython "import macros.entry; macros.entry.run('forecast')"
End Sub

' Statements: preview to outbox
Sub ArbookStatementsPreview()
    RunPython "import macros.entry; macros.entry.run('statements_preview')"
End Sub

' Statements: send by e-mail
Sub ArbookStatementsSend()
    RunPython "import macros.entry; macros.entry.run('statements_send')"
End Sub

' Notices: preview to outbox
Sub ArbookNoticesPreview()
    RunPython "import macros.entry; macros.entry.run('notices_preview')"
End Sub

' Notices: send by e-mail
Sub ArbookNoticesSend()
    RunPython "import macros.entry; macros.entry.run('notices_send')"
End Sub

' Month-end run (mail to outbox)
Sub ArbookMonthEnd()
    RunPython "import macros.entry; macros.entry.run('month_end')"
End Sub

' Month-end run and send
Sub ArbookMonthEndSend()
    RunPython "import macros.entry; macros.entry.run('month_end_send')"
End Sub
