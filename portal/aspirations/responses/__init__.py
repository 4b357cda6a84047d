"""Official responses (tanggapan): answers to contributions and themes, each policy's
response deadline, and the public accountability page that counts the three rights
(heard, considered, answered) and what is past the deadline.

The pages of comments, posts and submissions sit below this package; they show the
answers through `portal.contributions.answers`, where `init_app` registers our loader.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Show answers beside contributions and teach notifications the answer messages."""
    from portal.aspirations.responses import services
    from portal.contributions import answers

    answers.register(services.answers_for)
    from portal.aspirations.summaries import services as summaries

    if services.response_to_theme not in summaries.theme_answer_loaders:
        summaries.theme_answer_loaders.append(services.response_to_theme)
    services.register_notices()
