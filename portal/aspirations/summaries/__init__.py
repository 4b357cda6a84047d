"""Summaries of public aspirations: themes computed over published contributions, reviewed by an
official and published into a position's (or a policy's) record as a signed-off snapshot."""
