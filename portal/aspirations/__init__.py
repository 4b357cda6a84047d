"""Aspirations: what the public said, summarised, answered and fed back into the records."""
