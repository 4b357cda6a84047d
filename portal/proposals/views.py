"""Draft-policy pages: the list, a policy with its articles, versions and
differences, and the officials' forms for details, versions and status moves."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.errors import ValidationError, attach_to_form
from portal.numbers import query_int
from portal.proposals import services
from portal.proposals.forms import DetailsForm, PolicyForm, TransitionForm, VersionForm
from portal.proposals.signals import version_citations

bp = Blueprint("proposals", __name__, url_prefix="/policies")


@bp.app_context_processor
def policy_labels():
    """Status, phase and move names for every template (the home page lists policies too)."""
    return {
        "policy_status_labels": services.STATUS_LABELS,
        "policy_phase_labels": services.PHASE_LABELS,
        "policy_move_labels": services.MOVE_LABELS,
    }


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _citations(policy, versions) -> dict:
    """article key -> what `versions` cite there, from the packages that keep citations."""
    merged: dict = {}
    for _receiver, found in version_citations.send(policy, versions=list(versions)):
        for key, items in (found or {}).items():
            merged.setdefault(key, []).extend(items)
    return merged


@bp.get("/")
def index():
    """All public policies, open consultations first."""
    return render_template("proposals/index.html", policies=services.public_policies(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a policy with its first text (officials)."""
    permissions.require(current_user, "policy.create")
    form = PolicyForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            policy = services.create_policy(current_user, body=form.body.data, **form.details())
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            flash(_("The draft policy was saved. Only officials can see it until the consultation opens."), "success")
            return redirect(url_for("consultation.policy", slug=policy.slug))
    return render_template("proposals/form.html", form=form, policy=None), _status()


@bp.get("/<slug>/versions/<int:number>")
def version(slug: str, number: int):
    """One version of a policy's text, as it was published."""
    policy = services.get_policy_by_slug(current_user, slug)
    shown = services.get_version(policy, number)
    return render_template("proposals/version.html", policy=policy, version=shown,
                           citations=_citations(policy, [shown]))


@bp.get("/<slug>/diff")
def diff(slug: str):
    """What changed between two versions, article by article."""
    policy = services.get_policy_by_slug(current_user, slug)
    newest = policy.current_version.number
    old_number = query_int("from", max(1, newest - 1))
    new_number = query_int("to", newest)
    old, new = services.get_version(policy, old_number), services.get_version(policy, new_number)
    changes = services.diff_versions(old, new)
    return render_template(
        "proposals/diff.html",
        policy=policy,
        old=old,
        new=new,
        changes=changes,
        changed=[c for c in changes if c.kind != "unchanged"],
        citations=_citations(policy, [v for v in policy.versions if old.number < v.number <= new.number]),
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """Change a policy's details, window and linked positions (officials)."""
    policy = services.get_policy_by_slug(current_user, slug)
    permissions.require(current_user, "policy.edit", policy)
    form = DetailsForm()
    form.fill_choices()
    if request.method == "GET":
        form.fill_from(policy)
    if form.validate_on_submit():
        try:
            services.update_details(current_user, policy, **form.details())
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            flash(_("The details were saved."), "success")
            return redirect(url_for("consultation.policy", slug=policy.slug))
    return render_template("proposals/form.html", form=form, policy=policy), _status()


@bp.route("/<slug>/versions/new", methods=["GET", "POST"])
@login_required
def new_version(slug: str):
    """Publish a new text of a policy; the earlier ones stay readable (officials)."""
    policy = services.get_policy_by_slug(current_user, slug)
    permissions.require(current_user, "policy.edit", policy)
    form = VersionForm()
    if request.method == "GET":
        form.body.data = policy.current_version.body
    if form.validate_on_submit():
        try:
            version = services.add_version(current_user, policy, form.body.data, form.change_note.data)
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            flash(_("Version %(n)d was published.", n=version.number), "success")
            return redirect(url_for("consultation.policy", slug=policy.slug))
    return render_template("proposals/version_form.html", form=form, policy=policy), _status()


@bp.post("/<slug>/status")
@login_required
def move(slug: str):
    """Move a policy to another status (officials); refused moves explain why."""
    policy = services.get_policy_by_slug(current_user, slug)
    permissions.require(current_user, "policy.transition", policy)
    form = TransitionForm()
    if not form.validate_on_submit():
        raise ValidationError(None, _("Choose a status to move the policy to."))
    services.transition(current_user, policy, form.to_status.data, form.note.data or "")
    flash(
        _("The policy is now: %(status)s.", status=services.STATUS_LABELS[policy.status]),
        "success",
    )
    return redirect(url_for("consultation.policy", slug=policy.slug))
