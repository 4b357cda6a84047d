"""The citations form: one group of checkboxes per changed article, read from the request by name
(`cite-<article key>`), so the form class itself holds only the CSRF token."""

from __future__ import annotations

from portal.forms import Form

PREFIX = "cite-"


class CiteForm(Form):
    """What each changed article of a version cites."""

    def choices(self, formdata) -> dict[str, list[str]]:
        """article key -> the tokens ticked for it."""
        return {name[len(PREFIX):][:100]: formdata.getlist(name)[:500]
                for name in list(formdata.keys())[:500] if name.startswith(PREFIX)}
