"""Formal submissions (masukan resmi): input from verified organisations on a
draft policy, with attachments, receipt numbers, co-signatures and input
received offline."""
