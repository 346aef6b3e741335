"""The Excel front end: what the workbook's buttons and worksheet functions run, through xlwings.

    entry     the RunPython targets: the Run button (`run_from_excel`) and one Sub per operation (`run`)
    dispatch  Dashboard operation -> the arbook function the CLI calls, with its arguments
    live      LiveBook: the workbook open in Excel as a `workbook.book.Book`
    udfs      =ARBOOK_...() worksheet functions over the batch's pure functions
    vba       arbook refresh-vba: the installed xlwings' VBA and arbook's own module into an .xlsm

A thin shell over `arbook`, like the CLI: nothing here computes anything.
"""
