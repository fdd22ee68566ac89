"""Exports of the semi-annual review for the meeting: Excel workbook, PDF review pack and chart PNGs."""
