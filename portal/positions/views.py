"""Position-record pages: the list, a position's informasi jabatan, the OPDs and
their position maps, and the admin forms (create, edit, CSV import)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal import permissions
from portal.errors import ValidationError, attach_to_form
from portal.numbers import query_int
from portal.positions import importer, services, validation
from portal.positions.forms import ImportForm, OpdForm, PositionForm
from portal.positions.models import POSITION_TYPE_LABELS, POSITION_TYPES
from portal.positions.signals import citable

bp = Blueprint("positions", __name__, url_prefix="/positions")


@bp.app_context_processor
def inject_position_labels():
    """Make the position-type names available to every template."""
    return {"position_type_labels": POSITION_TYPE_LABELS}


def _show_errors(form, error: ValidationError) -> None:
    for each in getattr(error, "errors", [error]):
        attach_to_form(form, each)


@bp.get("/")
def index():
    """All position records, filtered by OPD, type, grade and text, a page at a time."""
    filters = {
        "opd_id": query_int("opd"),
        "position_type": request.args.get("type") if request.args.get("type") in POSITION_TYPES else None,
        "grade": query_int("grade", minimum=validation.MIN_GRADE, maximum=validation.MAX_GRADE),
        "q": request.args.get("q", "")[:100],
    }
    pagination = services.list_positions(
        current_user,
        **filters,
        page=query_int("page", 1),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "positions/index.html",
        pagination=pagination,
        filters=filters,
        opds=services.list_opds(),
        grades=range(validation.MAX_GRADE, validation.MIN_GRADE - 1, -1),
    )


@bp.get("/opds")
def opds():
    """Every OPD with its number of positions and workload totals."""
    return render_template("positions/opds.html", summaries=services.opd_summaries())


@bp.get("/opds/<int:opd_id>")
def opd(opd_id: int):
    """An OPD's position map (peta jabatan) as a nested list."""
    opd = services.get_opd(opd_id)
    return render_template("positions/opd.html", opd=opd, tree=services.opd_tree(opd))


@bp.route("/opds/new", methods=["GET", "POST"])
@login_required
def new_opd():
    """Add an OPD (admins)."""
    permissions.require(current_user, "opd.manage")
    form = OpdForm()
    if form.validate_on_submit():
        try:
            opd = services.create_opd(current_user, form.code.data, form.name.data, form.short_name.data)
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            flash(_("The OPD %(name)s was added.", name=opd.name), "success")
            return redirect(url_for("positions.opd", opd_id=opd.id))
    status = 400 if request.method == "POST" else 200
    return render_template("positions/opd_form.html", form=form), status


def _position_form(**kwargs) -> PositionForm:
    form = PositionForm(**kwargs)
    form.opd_id.choices = [SelectChoice("", _("Choose an OPD"))] + [
        SelectChoice(str(opd.id), opd.name) for opd in services.list_opds()
    ]
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Add a position record (admins)."""
    permissions.require(current_user, "position.create")
    form = _position_form(opd_id=query_int("opd"))
    if form.validate_on_submit():
        try:
            position = services.create_position(current_user, form.service_data())
        except ValidationError as error:
            _show_errors(form, error)
        else:
            flash(_("The position %(code)s was added.", code=position.code), "success")
            return redirect(url_for("consultation.position", position_id=position.id))
    status = 400 if request.method == "POST" else 200
    return render_template("positions/form.html", form=form, position=None), status


@bp.route("/<int:position_id>/edit", methods=["GET", "POST"])
@login_required
def edit(position_id: int):
    """Edit a position record (admins)."""
    position = services.get_position(current_user, position_id)
    permissions.require(current_user, "position.edit", position)
    form = _position_form(obj=position, parent_code=position.parent.code if position.parent else "")
    form.cites.choices = [
        SelectChoice(str(key), label) for _receiver, pairs in citable.send(position) for key, label in pairs or ()
    ]
    if form.validate_on_submit():
        try:
            services.update_position(
                current_user, position, form.service_data(),
                reason=form.reason.data or "", cites=tuple(key for key in form.cites.data or () if key),
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            flash(_("The position was saved."), "success")
            return redirect(url_for("consultation.position", position_id=position.id))
    status = 400 if request.method == "POST" else 200
    return render_template("positions/form.html", form=form, position=position), status


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_file():
    """Upload a CSV file of positions (admins); every row goes in, or none."""
    permissions.require(current_user, "position.import")
    form = ImportForm()
    issues = []
    if form.validate_on_submit():
        try:
            result = importer.import_csv(current_user, form.file.data.stream)
        except importer.ImportFailed as failure:
            issues = failure.issues
        else:
            flash(
                _(
                    "Imported %(rows)d rows: %(created)d positions added, %(updated)d updated, %(opds)d new OPDs.",
                    rows=result.rows, created=result.created, updated=result.updated, opds=result.opds_created,
                ),
                "success",
            )
            return redirect(url_for("positions.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("positions/import.html", form=form, issues=issues, columns=importer.COLUMNS), status
