"""Large exports as jobs on the worker (with REDIS_URL, above EXPORT_INLINE_MAX_ROWS): the file is
written under instance/exports a batch at a time (the same memory bound as a download), kept for
JOBS_KEEP_HOURS for its requester (and, without personal data, other officials who may export),
then deleted by `flask jobs clean`."""

from __future__ import annotations

import os
import secrets
from dataclasses import asdict
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, get_locale

from portal import permissions
from portal.accounts.models import User
from portal.aspirations.exports import columns as registry
from portal.aspirations.exports import formats, services
from portal.errors import NotFound
from portal.extensions import db
from portal.jobs import runner
from portal.jobs import services as jobs
from portal.jobs.models import Job

KIND = "aspirations.export"
FOLDER = "exports"


def goes_to_worker(started: services.Export) -> bool:
    """Whether this export is large enough to run as a job (and a worker is there to run it)."""
    return jobs.queued() and services.count(started) > int(current_app.config.get("EXPORT_INLINE_MAX_ROWS", 5000))


def start(actor, started: services.Export) -> Job:
    """Queue the writing of a permitted, validated (and already audited) export."""
    permissions.require(actor, "aspirations.export")
    if started.request.personal:
        permissions.require(actor, "aspirations.export_personal")
    params = {key: (value.isoformat() if isinstance(value, date) else list(value) if isinstance(value, tuple) else value)
              for key, value in asdict(started.request).items()}
    params["lang"] = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    action = "aspirations.export_personal" if started.request.personal else "aspirations.export"
    return jobs.start(actor, action, None, KIND, params)


def retry(actor, job: Job) -> Job:
    """Start a failed export job again."""
    permissions.require(actor, "aspirations.export")
    if job.params.get("personal"):
        permissions.require(actor, "aspirations.export_personal")
    return jobs.retry(actor, job, _action(job))


def get(viewer, job_id: int) -> Job:
    """An export job for its requester or another official allowed to see it (NotFound otherwise)."""
    job = jobs.get(viewer, job_id, KIND)
    if not permissions.can(viewer, _action(job)):
        raise NotFound()
    return job


def kept_file(viewer, job_id: int) -> tuple[Path, str, str]:
    """The finished export's kept file, its download name and mimetype (NotFound once expired)."""
    job = get(viewer, job_id)
    result = job.result or {}
    if job.status != "done" or result.get("expired") or not result.get("file"):
        raise NotFound()
    path = Path(current_app.instance_path) / result["file"]
    if not path.is_file():
        raise NotFound()
    return path, result["filename"], formats.MIMETYPES[result["format"]]


def _action(job: Job) -> str:
    return "aspirations.export_personal" if job.params.get("personal") else "aspirations.export"


def _request(params: dict) -> services.ExportRequest:
    values = {key: value for key, value in params.items() if key in services.ExportRequest.__dataclass_fields__}
    for key in ("since", "until"):
        if values.get(key):
            values[key] = date.fromisoformat(values[key])
    for key in ("kinds", "statuses", "stances", "groups"):
        values[key] = tuple(values.get(key) or ())
    return services.ExportRequest(**values)


def _run(job: Job, report) -> dict:
    actor = db.session.get(User, job.requested_by_id)
    request = _request(job.params)
    permissions.require(actor, _action(job))  # still allowed when the worker gets to it
    policy, position = services.validate(request)
    export = services.Export(request=request, columns=registry.columns(personal=request.personal),
                             policy=policy, position=position)
    total = max(services.count(export), 1)
    folder = Path(current_app.instance_path) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = f"job-{job.id}-{secrets.token_hex(8)}.{request.format}"
    written = [0]

    def batches():
        for batch in export.batches():
            yield batch
            written[0] += len(batch)
            report(99 * written[0] // total)  # the session holds no change between batches

    partial = folder / (name + ".part")
    with force_locale(job.params.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]):
        header, filename = export.header(), export.filename()
        with partial.open("wb") as stream:
            if request.format == "xlsx":
                formats.write_xlsx(header, batches(), stream)
            else:
                chunks = (formats.csv_chunks(header, batches()) if request.format == "csv"
                          else formats.json_chunks(export.keys, batches()))
                for chunk in chunks:
                    stream.write(chunk)
    os.replace(partial, folder / name)
    return {"file": f"{FOLDER}/{name}", "filename": filename, "format": request.format, "rows": written[0]}


def _may_see(viewer, job: Job) -> bool:
    return not job.params.get("personal") and permissions.can(viewer, "aspirations.export")


def _delete_file(job: Job) -> None:
    name = (job.result or {}).get("file")
    if name:
        Path(current_app.instance_path, name).unlink(missing_ok=True)


def init_app(app) -> None:
    jobs.register(KIND, _run, viewer=_may_see)
    runner.CLEANERS[KIND] = _delete_file
