"""The official's summary screens and the public summary and theme pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal import permissions
from portal.aspirations.summaries import jobs as summary_jobs
from portal.aspirations.summaries import citing, pages, services
from portal.aspirations.summaries.forms import ActionForm, MergeForm, NoteForm, QuotesForm, SummarizeForm, ThemeForm
from portal.errors import ValidationError
from portal.jobs import services as jobs
from portal.numbers import query_int
from portal.positions import history as position_history
from portal.positions import services as positions
from portal.proposals import services as proposals

bp = Blueprint("summaries", __name__, url_prefix="/aspirations")


def _summarize_form(policy=None) -> SummarizeForm:
    form = SummarizeForm()
    choices = [SelectChoice("", _("The whole policy"))]
    if policy is not None and policy.current_version is not None:
        choices += [SelectChoice(article.key, article.label) for article in policy.current_version.articles
                    if article.key.startswith("pasal-")]
    form.article_key.choices = choices
    return form


@bp.route("/positions/<int:position_id>", methods=["GET", "POST"])
@login_required
def position(position_id: int):
    """A position's summaries (drafts and published) and the form that computes a new one."""
    permissions.require(current_user, "aspiration.summarize")
    found = positions.get_position(current_user, position_id)
    form = _summarize_form()
    if form.validate_on_submit():
        if jobs.queued():
            job = summary_jobs.start(current_user, position=found, themes=form.themes.data)
            return redirect(url_for("summaries.job", job_id=job.id))
        summary = services.summarize(current_user, position=found, themes=form.themes.data)
        flash(_("A draft summary was computed. Review it, then publish it into the record."), "success")
        return redirect(url_for("summaries.summary", summary_id=summary.id))
    status = 400 if request.method == "POST" else 200
    return render_template("aspirations/subject.html", form=form, position=found, policy=None,
                           summaries=services.summaries_of(position=found, published_only=False)), status


@bp.route("/policies/<slug>", methods=["GET", "POST"])
@login_required
def policy(slug: str):
    """A policy's summaries (of the whole policy or one article) and the form that computes a new one."""
    permissions.require(current_user, "aspiration.summarize")
    found = proposals.get_policy_by_slug(current_user, slug)
    form = _summarize_form(found)
    if form.validate_on_submit():
        keys = {choice[0] if isinstance(choice, tuple) else choice.value for choice in form.article_key.choices}
        article_key = form.article_key.data or None
        if article_key and article_key not in keys:
            form.article_key.errors = [_("Choose an article of the current version.")]
        elif jobs.queued():
            job = summary_jobs.start(current_user, policy=found, article_key=article_key, themes=form.themes.data)
            return redirect(url_for("summaries.job", job_id=job.id))
        else:
            summary = services.summarize(current_user, policy=found, article_key=article_key, themes=form.themes.data)
            flash(_("A draft summary was computed. Review it, then publish it."), "success")
            return redirect(url_for("summaries.summary", summary_id=summary.id))
    status = 400 if request.method == "POST" else 200
    return render_template("aspirations/subject.html", form=form, position=None, policy=found,
                           summaries=services.summaries_of(policy=found, published_only=False)), status


def _theme_form(theme) -> ThemeForm:
    """A theme's edit form, its field ids unique on a page that shows every theme."""
    form = ThemeForm(data={"label": theme.label, "note": theme.note})
    for field in (form.label, form.note):
        field.id = f"theme-{theme.id}-{field.name}"
        field.label.field_id = field.id
    return form


def _review(summary, status: int = 200):
    forms = {
        "note": NoteForm(data={"note": summary.note}),
        "merge": MergeForm(),
        "action": ActionForm(),
    }
    return render_template(
        "aspirations/summary.html", view=pages.summary_view(summary), forms=forms,
        theme_form=_theme_form,
        editable=summary.status == "draft" and permissions.can(current_user, "aspiration.summarize"),
    ), status


@bp.get("/summaries/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    """A summary being computed on the worker: its progress (the page reloads itself), its failure
    with a button to try again, or, once done, the draft to review."""
    found = summary_jobs.get(current_user, job_id)
    if found.status == "done" and (found.result or {}).get("summary_id"):
        return redirect(url_for("summaries.summary", summary_id=found.result["summary_id"]))
    subject = summary_jobs.subject(found)
    back = (url_for("summaries.position", position_id=subject.id) if found.params.get("position_id")
            else url_for("summaries.policy", slug=subject.slug)) if subject is not None else None
    return render_template("jobs/progress.html", job=found, title=_("Computing the summary"),
                           working=_("Computing… %(percent)d%%", percent=found.progress),
                           subject=getattr(subject, "name", None) or getattr(subject, "title", ""),
                           back=back, retry_url=url_for("summaries.retry_job", job_id=found.id),
                           status_url=url_for("summaries.job_status", job_id=found.id), form=ActionForm())


@bp.get("/summaries/jobs/<int:job_id>/status")
@login_required
def job_status(job_id: int):
    """The job's progress as JSON (for scripts; the page itself needs none)."""
    found = summary_jobs.get(current_user, job_id)
    status = jobs.status(found)
    if found.status == "done" and (found.result or {}).get("summary_id"):
        status["url"] = url_for("summaries.summary", summary_id=found.result["summary_id"])
    return status


@bp.post("/summaries/jobs/<int:job_id>/retry")
@login_required
def retry_job(job_id: int):
    """Start a failed summary job again."""
    found = summary_jobs.get(current_user, job_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please reload the page and try again."), "error")
    else:
        try:
            summary_jobs.retry(current_user, found)
        except ValidationError as error:
            flash(error.message, "error")
    return redirect(url_for("summaries.job", job_id=found.id))


@bp.get("/summaries/<int:summary_id>")
def summary(summary_id: int):
    """A published summary (anyone), or a draft under review (officials)."""
    return _review(services.get_summary(current_user, summary_id))


def _act(summary_id: int, form, action):
    """Run one review action from a POSTed form; a refused input shows the page again with 400."""
    found = services.get_summary(current_user, summary_id)
    permissions.require(current_user, "aspiration.summarize")
    if not form.validate_on_submit():
        flash(_("The form expired. Please reload the page and try again."), "error")
        return _review(found, 400)
    try:
        message = action(found)
    except ValidationError as error:
        flash(error.message, "error")
        return _review(found, 400)
    flash(message, "success")
    return redirect(url_for("summaries.summary", summary_id=found.id))


@bp.post("/summaries/<int:summary_id>/themes/<int:theme_id>")
@login_required
def edit_theme(summary_id: int, theme_id: int):
    form = ThemeForm()
    return _act(summary_id, form, lambda s: (
        services.edit_theme(current_user, s, theme_id, form.label.data, form.note.data), _("The theme was saved."))[1])


@bp.post("/summaries/<int:summary_id>/themes/<int:theme_id>/drop")
@login_required
def drop_theme(summary_id: int, theme_id: int):
    return _act(summary_id, ActionForm(), lambda s: (
        services.drop_theme(current_user, s, theme_id),
        _("The theme was dropped; its contributions are now among the other contributions."))[1])


@bp.post("/summaries/<int:summary_id>/themes/<int:theme_id>/quotes")
@login_required
def choose_quotes(summary_id: int, theme_id: int):
    form = QuotesForm()
    return _act(summary_id, form, lambda s: (
        services.choose_quotes(current_user, s, theme_id, [q for q in form.quotes.data or () if q]),
        _("The quotes were chosen."))[1])


@bp.post("/summaries/<int:summary_id>/merge")
@login_required
def merge(summary_id: int):
    form = MergeForm()
    return _act(summary_id, form, lambda s: (
        services.merge_themes(current_user, s, [t for t in form.themes.data or () if t]),
        _("The themes were merged."))[1])


@bp.post("/summaries/<int:summary_id>/note")
@login_required
def note(summary_id: int):
    form = NoteForm()
    return _act(summary_id, form, lambda s: (services.set_note(current_user, s, form.note.data),
                                             _("The note was saved."))[1])


@bp.post("/summaries/<int:summary_id>/publish")
@login_required
def publish(summary_id: int):
    return _act(summary_id, ActionForm(), lambda s: (services.publish(current_user, s),
                                                     _("The summary was published into the record."))[1])


@bp.post("/summaries/<int:summary_id>/discard")
@login_required
def discard(summary_id: int):
    return _act(summary_id, ActionForm(), lambda s: (services.discard(current_user, s),
                                                     _("The draft summary was discarded."))[1])


@bp.get("/themes/<int:theme_id>")
def theme(theme_id: int):
    """Every contribution of a theme (paged), its quotes and the record changes that cite it."""
    found = services.get_theme(current_user, theme_id)
    members = services.theme_members(current_user, found, page=query_int("page", 1, maximum=100_000) or 1)
    return render_template("aspirations/theme.html", theme=found, members=members,
                           changes=citing.citing_changes(found), answer=services.theme_answer(found),
                           articles=services.citing_articles(found),
                           field_labels=position_history.FIELD_LABELS)
