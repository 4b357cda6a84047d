"""Policy versions citing what motivated them ("you said, we did"): per article (Pasal) a new
version changes, the published themes of that policy and the official responses on it.

The table is owned here, keyed by version id and article key, so `proposals` never imports
aspirations: its version and diff pages ask through `portal.proposals.signals.version_citations`,
which `init_app` answers.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Answer the proposals pages' question: what each article of a version cites."""
    from portal.aspirations.citations import services
    from portal.proposals.signals import version_citations

    version_citations.connect(services.citations_by_article)
    from portal.aspirations.summaries import services as summaries

    if services.citing_articles not in summaries.theme_citation_loaders:
        summaries.theme_citation_loaders.append(services.citing_articles)
