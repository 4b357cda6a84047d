"""Portal Partisipasi: the application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(overrides: dict[str, Any] | None = None, env: str | None = None) -> Flask:
    """Create the application: load config, bind extensions, register parts."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    _load_config(app, env or os.environ.get("PORTAL_ENV", "development"), overrides or {})
    _trust_proxies(app)
    _init_extensions(app)
    _register_converters(app)
    _register_models()
    _register_blueprints(app)
    _register_cli(app)
    _register_templating(app)
    _register_security_headers(app)
    return app


def _load_config(app: Flask, env: str, overrides: dict[str, Any]) -> None:
    from portal.config import CONFIGS

    config_class = CONFIGS.get(env)
    if config_class is None:
        raise RuntimeError(f"unknown PORTAL_ENV {env!r}; use one of {', '.join(CONFIGS)}")
    instance_path = overrides.get("INSTANCE_PATH") or app.instance_path
    os.makedirs(instance_path, exist_ok=True)
    app.instance_path = instance_path
    app.config.update(config_class.load(instance_path))
    app.config.update(overrides)
    config_class.finish(app.config)


def _trust_proxies(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    from portal.errors import RetryUnavailable

    # Outermost: each attempt of a read is a fresh request, its environ a fresh copy.
    app.wsgi_app = RetryUnavailable(app.wsgi_app, float(app.config.get("UNAVAILABLE_RETRY_SECONDS", 0)))


def _init_extensions(app: Flask) -> None:
    from portal import after_response, errors, i18n
    from portal.accounts import auth
    from portal.extensions import csrf, db, limiter, migrate

    errors.refuse_unserved_hosts(app)  # first: no other hook sees a request for a foreign Host
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    from portal import twofactor

    twofactor.init_app(app)  # after auth: its gate sees the session already checked
    errors.init_app(app)
    after_response.init_app(app)
    from portal import forums, notifications, pagecache, proposals, rendered, search

    pagecache.init_app(app)  # after auth: its before_request sees the session already checked
    rendered.init_app(app)
    search.init_app(app)
    proposals.init_app(app)
    forums.init_app(app)
    notifications.init_app(app)
    from portal.aspirations.summaries import citing as _citing  # noqa: F401  (its signal receivers)
    from portal.aspirations.summaries.services import quoted_in_published_summary
    from portal.privacy import registry, retention

    retention.init_app(app)
    # What a published summary quotes stays in the record, anonymised, when its author asks for removal.
    registry.register_citation_check(quoted_in_published_summary)
    from portal.aspirations.responses.services import answered_directly

    registry.register_citation_check(answered_directly)
    from portal.aspirations import columns as aspiration_columns

    aspiration_columns.init_app(app)
    from portal.aspirations import links as aspiration_links

    aspiration_links.init_app(app)
    from portal.aspirations import responses

    responses.init_app(app)
    from portal.aspirations import citations

    citations.init_app(app)
    from portal.aspirations.exports import jobs as export_jobs
    from portal.aspirations.summaries import jobs as summary_jobs

    summary_jobs.init_app(app)
    export_jobs.init_app(app)


def _register_converters(app: Flask) -> None:
    from portal import numbers

    numbers.init_app(app)  # before the blueprints: their rules take the converter when added


def _register_models() -> None:
    # Import every model module so metadata (and migrations) see all tables.
    from portal.accounts import models as _accounts  # noqa: F401
    from portal.aspirations.citations import models as _citations  # noqa: F401
    from portal.aspirations.links import models as _aspiration_links  # noqa: F401
    from portal.aspirations.responses import models as _responses  # noqa: F401
    from portal.audit import models as _audit  # noqa: F401
    from portal import content_version as _content_version  # noqa: F401
    from portal.comments import models as _comments  # noqa: F401
    from portal.contributions import models as _contributions  # noqa: F401
    from portal.forums import models as _forums  # noqa: F401
    from portal.jobs import models as _jobs  # noqa: F401
    from portal.notifications import models as _notifications  # noqa: F401
    from portal.positions import models as _positions  # noqa: F401
    from portal.proposals import models as _proposals  # noqa: F401
    from portal.search import outbox as _search  # noqa: F401
    from portal.submissions import models as _submissions  # noqa: F401
    from portal.twofactor import models as _twofactor  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from portal.accounts.views import admin_bp as accounts_admin_bp
    from portal.aspirations.summaries.views import bp as summaries_bp
    from portal.accounts.views import bp as accounts_bp
    from portal.aspirations.links.views import bp as aspiration_links_bp
    from portal.aspirations.responses.views import bp as responses_bp
    from portal.aspirations.exports.views import bp as aspirations_exports_bp
    from portal.aspirations.citations.views import bp as citations_bp
    from portal.audit.views import bp as audit_bp
    from portal.comments.views import bp as comments_bp
    from portal.forums.views import bp as forums_bp
    from portal.main.views import bp as main_bp
    from portal.moderation.views import bp as moderation_bp
    from portal.moderation.views import contributions_bp
    from portal.notifications.views import bp as notifications_bp
    from portal.consultation.views import bp as consultation_bp
    from portal.positions.views import bp as positions_bp
    from portal.privacy.views import admin_bp as privacy_admin_bp
    from portal.privacy.views import bp as privacy_bp
    from portal.proposals.views import bp as proposals_bp
    from portal.search.views import bp as search_bp
    from portal.submissions.views import bp as submissions_bp
    from portal.twofactor.views import bp as twofactor_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(accounts_admin_bp)
    app.register_blueprint(consultation_bp)
    app.register_blueprint(positions_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(submissions_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(forums_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(contributions_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(twofactor_bp)
    app.register_blueprint(summaries_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(privacy_admin_bp)
    app.register_blueprint(aspiration_links_bp)
    app.register_blueprint(responses_bp)
    app.register_blueprint(aspirations_exports_bp)
    app.register_blueprint(citations_bp)


def _register_cli(app: Flask) -> None:
    from portal.accounts.cli import create_user_command
    from portal.aspirations.cli import aspirations_cli
    from portal.demo import seed_demo_command
    from portal.jobs.cli import jobs_cli
    from portal.notifications.cli import notifications_cli
    from portal.positions.cli import positions_cli
    from portal.privacy.cli import privacy_cli
    from portal.proposals.cli import policies_cli
    from portal.rendered import text_cli
    from portal.search.cli import search_cli
    from portal.twofactor.cli import twofactor_cli

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(positions_cli)
    app.cli.add_command(policies_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(text_cli)
    app.cli.add_command(twofactor_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(aspirations_cli)
    app.cli.add_command(jobs_cli)


def _register_templating(app: Flask) -> None:
    from portal import permissions, text
    from portal.contributions.urls import contribution_url
    from portal.i18n import format_local_datetime, format_local_date

    app.jinja_env.globals["can"] = permissions.can
    app.jinja_env.globals["contribution_url"] = contribution_url
    app.jinja_env.filters["markdown"] = text.render
    app.jinja_env.filters["paragraphs"] = text.render_plain
    app.jinja_env.filters["local_datetime"] = format_local_datetime
    app.jinja_env.filters["local_date"] = format_local_date
    from portal.jobs.services import error_text

    app.jinja_env.filters["job_error"] = error_text
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _register_security_headers(app: Flask) -> None:
    # A strict policy: templates carry no inline script or style.
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
