"""Every service that changes data asks `permissions.require` first, and is in
the refusal table; found by reading the code (servicegraph.py), not from a list.

The only list kept by hand is SYSTEM: the mutating services that act for no
user, each with the reason. A new mutating service fails here until it asks
`require` before it writes and has a row in cases.py, or is added to SYSTEM
with its reason.
"""

from __future__ import annotations

import shutil

import pytest

from .cases import CASES
from .servicegraph import ROOT, ServiceGraph

SYSTEM = {
    "portal.privacy.retention.purge": "the operator's `flask privacy purge` command (cron)",
    "portal.accounts.services.authenticate": "sign-in: the password is the check; it records the sign-in time",
    "portal.accounts.throttle.claim": "sign-in: counts an attempt on an address before anyone is signed in",
    "portal.accounts.throttle.failed": "sign-in: counts a wrong password before anyone is signed in",
    "portal.accounts.throttle.succeeded": "sign-in: the right password forgets the wrong ones",
    "portal.accounts.throttle.clear": "a sign-in or password reset (checked by its token) ends the pause",
    "portal.accounts.services.request_password_reset": "anyone may ask; the link goes only to the address's owner",
    "portal.accounts.services.reset_password": "the mailed one-time token is the permission",
    "portal.accounts.services.create_user": "the operator's `flask create-user` command and the demo data",
    "portal.accounts.services.find_or_create_organisation": "adds to the caller's transaction (sign-up, demo data)",
    "portal.audit.services.record": "adds the audit entry to the caller's transaction; the caller asked",
    "portal.forums.services.add_policy_category": "runs in create_policy's transaction, on its policy_created signal",
    "portal.notifications.services.notify": "adds to the caller's transaction; the caller asked",
    "portal.notifications.services.notify_followers": "adds to the caller's transaction; the caller asked",
    "portal.notifications.listeners.connect": "connects the receivers below to the signals, at app start",
    "portal.notifications.listeners.announce": "receives contribution_published inside admit's or approve's transaction; they asked",
    "portal.notifications.listeners.tell_approved": "receives a moderation signal inside the moderator's transaction; approve asked",
    "portal.notifications.listeners.tell_hidden": "receives a moderation signal inside the moderator's transaction; hide asked",
    "portal.notifications.listeners.tell_restored": "receives a moderation signal inside the moderator's transaction; restore or decide_appeal asked",
    "portal.notifications.listeners.tell_appeal_rejected": "receives a moderation signal inside the moderator's transaction; decide_appeal asked",
    "portal.proposals.workflow.close_due": "the scheduler closes consultations whose time is up",
    "portal.proposals.workflow.commit": "commits the caller's transaction; the caller asked",
    "portal.search.indexer.drain": "the search indexer applies committed changes to the index",
    "portal.search.indexer.purge_processed": "the search indexer forgets applied outbox rows",
    "portal.search.indexer.rebuild": "the operator's `flask search rebuild`",
    "portal.search.services.drain": "the search indexer (after a request, `flask search drain`, the worker)",
    "portal.search.services.rebuild": "the operator's `flask search rebuild`",
    "portal.search.pg_index.write": "the PostgreSQL search index writes the rows of the changes its own transaction commits",
    "portal.search.status.record_failure": "the search indexer records its own failure for every process to see",
    "portal.search.status.record_recovery": "the search indexer records that it works again",
    "portal.accounts.auth.init_app": "its request hook moves the end of the requester's own session forward",
    "portal.accounts.sessions.start": "opens a session for an account that just proved its password",
    "portal.accounts.sessions.keep_alive": "moves the end of the requester's own session forward",
    "portal.accounts.registration.start_registration": "self-service sign-up: nobody is signed in yet",
    "portal.accounts.registration.confirm_registration": "the mailed one-time link and the chosen password are the permission",
    "portal.notifications.digests.send_digests": "`flask notifications send-digests` from cron mails followers what they were told",
    "portal.notifications.digests.send_digest": "one follower's digest, for send_digests",
    "portal.positions.history.record_changes": "adds the history rows to update_position's transaction; it asked",
    "portal.submissions.receipts.queue_receipt": "adds the receipt to submit's transaction; submit asked",
    "portal.aspirations.links.services.suggest": "adds the portal's suggestions to the caller's transaction (publication, the command)",
    "portal.aspirations.links.services.place_in_campaign": "sets campaign ids in the caller's transaction when a contribution is published",
    "portal.aspirations.links.services.analyse": "suggest + place_in_campaign, on contribution_published inside admit's or approve's transaction",
    "portal.aspirations.links.services.analyse_later": "the same after the response of the request that published the contribution",
    "portal.aspirations.links.services.suggest_all": "the operator's `flask aspirations suggest-links`",
    "portal.aspirations.links.services.regroup_campaigns": "the operator's `flask aspirations suggest-links`",
    "portal.submissions.receipts.tell_invited": "adds the invitation notices to invite_cosigner's transaction; it asked",
    "portal.twofactor.services.verify_sign_in_code": "sign-in's second step: the right password, then the code is the check",
    "portal.twofactor.services.reset_by_operator": "the operator's `flask two-factor reset`",
    "portal.jobs.runner.run": "the jobs worker runs a job its requester was allowed to start; the task asks again",
    "portal.jobs.runner.clean": "the operator's `flask jobs clean` (cron) expires kept results",
    "portal.jobs.services.report": "the running job keeps its own progress",
    "portal.jobs.services.sweep": "marks failed the jobs a killed worker left running (the worker, `flask jobs clean`)",
    "portal.jobs.services.get": "a viewer allowed to see the job (else NotFound) reads it; a dead one is marked failed first",
    "portal.aspirations.summaries.jobs.get": "jobs.get for officials who may summarise: marks a dead job failed before showing it",
    "portal.aspirations.exports.jobs.get": "jobs.get for the export's viewers: marks a dead job failed before showing it",
    "portal.aspirations.exports.jobs.kept_file": "jobs.get, then the kept file: marks a dead job failed before reading it",
    "portal.aspirations.summaries.jobs.init_app": "registers the summary task at app start; the task asks in summarize",
}


@pytest.fixture(scope="module")
def graph() -> ServiceGraph:
    return ServiceGraph()


def test_the_reading_finds_the_services_known_to_change_data(graph):
    # The reading must see writes made through helpers, local commit functions and callbacks.
    found = {f.qualname for f in graph.mutating_services()}
    for name in (
        "portal.proposals.services.add_version",  # commits through workflow.commit()
        "portal.proposals.workflow.transition",  # update(...) in _claim, two calls down
        "portal.submissions.services.record_offline",  # audit record in a nested before_commit callback
        "portal.submissions.services.withdraw",  # only calls contributions.withdraw
        "portal.notifications.services.mark_read",  # update(...) built into a variable first
        "portal.accounts.services.set_locale",  # sets an attribute of its argument, then commits
        "portal.positions.importer.import_csv",  # outside a services.py module
    ):
        assert name in found, name
    for name in (
        "portal.forums.services.list_posts",  # a loop variable named `reply` is not forums.reply
        "portal.moderation.services.queue",  # a local named `appeal` is not moderation.appeal
        "portal.accounts.services.list_users",
        "portal.forums.services.policy_category",
        "portal.submissions.services.check_can_submit",
    ):
        assert name not in found, name


def unchecked(graph: ServiceGraph) -> list[str]:
    """Mutating services (not system work) that do not ask permissions.require before they write."""
    offenders = []
    for function in graph.mutating_services():
        if function.qualname in SYSTEM:
            continue
        problem = graph.asks_before_writing(function)
        if problem:
            offenders.append(f"{function.where} {function.qualname}: {problem} ({graph.why_mutates(function)})")
    return offenders


def not_in_table(graph: ServiceGraph) -> list[str]:
    """Mutating services with no row in the refusal table and no reason in SYSTEM."""
    in_table = {case.qualname for case in CASES}
    return sorted({f.qualname for f in graph.mutating_services()} - in_table - set(SYSTEM))


def test_every_mutating_service_asks_permission_before_it_writes(graph):
    offenders = unchecked(graph)
    assert offenders == [], "mutating services that do not ask permissions.require first:\n" + "\n".join(offenders)


def test_every_mutating_service_is_in_the_refusal_table_or_is_system_work(graph):
    missing = not_in_table(graph)
    assert missing == [], "add a row to tests/permissions/cases.py (or a reason to SYSTEM) for: " + ", ".join(missing)
    mutating = {f.qualname for f in graph.mutating_services()}
    in_table = {case.qualname for case in CASES}
    stale = sorted((in_table | set(SYSTEM)) - mutating)
    assert stale == [], "no longer a mutating service, remove it from the table or SYSTEM: " + ", ".join(stale)
    assert not in_table & set(SYSTEM), "a service is either checked or system work, not both"


def test_a_new_or_weakened_service_is_caught(tmp_path):
    # On a copy of the code: a new service that commits through a helper, one that only sets an attribute of
    # its argument before a commit elsewhere, and add_version without its require (the case issue 8 found).
    copy = tmp_path / "portal"
    shutil.copytree(ROOT / "portal", copy, ignore=shutil.ignore_patterns("__pycache__", "translations"))
    forums = copy / "forums" / "services.py"
    forums.write_text(forums.read_text(encoding="utf-8") + '''

def _store() -> None:
    db.session.commit()


def rename_category(actor, category_id, name):
    """Rename a category."""
    category = db.session.get(Category, category_id)
    category.name = name
    _store()


def retitle_thread(actor, thread, title):
    """Change a thread's title (the caller commits)."""
    thread.title = title
''', encoding="utf-8")
    proposals = copy / "proposals" / "services.py"
    source = proposals.read_text(encoding="utf-8")
    guard = '    permissions.require(actor, "policy.edit", policy)\n    if policy.status in ("adopted", "withdrawn"):'
    assert guard in source
    proposals.write_text(source.replace(guard, '    if policy.status in ("adopted", "withdrawn"):'), encoding="utf-8")

    graph = ServiceGraph(copy)
    assert not_in_table(graph) == ["portal.forums.services.rename_category", "portal.forums.services.retitle_thread"]
    offenders = " ".join(unchecked(graph))
    for name in ("rename_category", "retitle_thread", "proposals.services.add_version"):
        assert name in offenders, name
    assert "rename_category -> _store: db.session.commit()" in offenders
