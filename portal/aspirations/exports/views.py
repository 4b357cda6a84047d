"""The officials' export page: the form (GET) and the file (POST, with CSRF)."""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.aspirations.exports import formats, services
from portal.aspirations.exports import jobs as export_jobs
from portal.aspirations.exports.forms import ExportForm
from portal.forms import Form
from portal.jobs import services as jobs
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
            if export_jobs.goes_to_worker(started):
                job = export_jobs.start(current_user, started)
                return redirect(url_for("aspirations_exports.job", job_id=job.id))
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


@bp.get("/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    """A large export being written on the worker: its progress, its failure, or the download link."""
    found = export_jobs.get(current_user, job_id)
    done = found.status == "done" and not (found.result or {}).get("expired")
    return render_template(
        "jobs/progress.html", job=found, title=_("Exporting contributions"), subject=None,
        working=_("Preparing the file… %(percent)d%%", percent=found.progress),
        back=url_for("aspirations_exports.export"), form=Form(),
        retry_url=url_for("aspirations_exports.retry_job", job_id=found.id),
        status_url=url_for("aspirations_exports.job_status", job_id=found.id),
        download_url=url_for("aspirations_exports.job_file", job_id=found.id) if done else None)


@bp.get("/jobs/<int:job_id>/status")
@login_required
def job_status(job_id: int):
    """The export job's progress as JSON (for scripts; the page itself needs none)."""
    return jobs.status(export_jobs.get(current_user, job_id))


@bp.get("/jobs/<int:job_id>/file")
@login_required
def job_file(job_id: int):
    """The kept file of a finished export job."""
    path, filename, mimetype = export_jobs.kept_file(current_user, job_id)
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/jobs/<int:job_id>/retry")
@login_required
def retry_job(job_id: int):
    """Start a failed export job again."""
    found = export_jobs.get(current_user, job_id)
    if not Form().validate_on_submit():
        flash(_("The form expired. Please reload the page and try again."), "error")
    else:
        try:
            export_jobs.retry(current_user, found)
        except ValidationError as error:
            flash(error.message, "error")
    return redirect(url_for("aspirations_exports.job", job_id=found.id))
