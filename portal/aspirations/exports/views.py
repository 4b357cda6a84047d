"""The officials' export page: the form (GET) and the file (POST, with CSRF)."""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user, login_required

from portal import permissions
from portal.aspirations.exports import formats, services
from portal.aspirations.exports.forms import ExportForm
from portal.errors import ValidationError
from portal.numbers import query_int

bp = Blueprint("aspirations_exports", __name__, url_prefix="/aspirations/export")


@bp.route("/", methods=["GET", "POST"])
@login_required
def export():
    """Choose contributions (policy, position, dates, kind, status, stance, group) and download them."""
    permissions.require(current_user, "aspirations.export")
    form = ExportForm()
    if request.method == "GET":
        form.policy.data = query_int("policy")
        form.position.data = query_int("position")
        if not form.statuses.data:
            form.statuses.data = ["published"]
    page = services.form_page(current_user, form.position.data if isinstance(form.position.data, int) else None)
    form.fill_choices(page["policies"])
    if form.validate_on_submit():
        try:
            started = services.start_export(current_user, form.export_request())
        except ValidationError as error:
            getattr(form, error.field or "policy", form.policy).errors.append(error.message)
        else:
            return download(started)
    status = 400 if request.method == "POST" else 200
    return render_template("aspirations/exports/form.html", form=form, position=page["position"],
                           may_include_personal=permissions.can(current_user, "aspirations.export_personal")), status


def download(started: services.Export) -> Response:
    """The file: CSV and JSON streamed a batch at a time; XLSX written to a temporary file, then sent."""
    kind = started.request.format
    headers = {"Cache-Control": "no-store"}
    if kind == "xlsx":
        spool = tempfile.TemporaryFile()  # nameless; gone once closed
        try:
            formats.write_xlsx(started.header(), started.batches(), spool)
            headers["Content-Length"] = str(spool.tell())
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        headers["Content-Disposition"] = f'attachment; filename="{started.filename()}"'
        return Response(_read_and_close(spool), mimetype=formats.MIMETYPES[kind], headers=headers)
    chunks = (formats.csv_chunks(started.header(), started.batches()) if kind == "csv"
              else formats.json_chunks(started.keys, started.batches()))
    headers["Content-Disposition"] = f'attachment; filename="{started.filename()}"'
    return Response(stream_with_context(chunks), mimetype=formats.MIMETYPES[kind], headers=headers)


def _read_and_close(spool, size: int = 64 * 1024):
    """The temporary file's bytes in chunks; the file is closed (and so deleted) at the end or when the
    download stops."""
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()
