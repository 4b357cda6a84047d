"""Exports of contributions for officials: CSV, XLSX and JSON, streamed in batches.

`columns` is the registry of what an export holds (other aspiration packages add their
columns there); `formats` turns rows into each file format, neutralising spreadsheet
formulas; `services` checks permissions, validates the filters, writes the audit entry
and yields the rows batch by batch."""
