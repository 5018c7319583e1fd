"""Printable A4 reports (PDF, reportlab): layouts over frozen rows read by :mod:`.data`.

The entry point is :class:`crm.services.reports.ReportService`; this package holds the
fonts, styles, page frame and one module per report.
"""
