"""Long work (summaries, large exports, the search outbox drain) as jobs.

With REDIS_URL set, a job is a row in `jobs` (what was asked, by whom, its progress, its result or
failure) and an RQ job on the queue that a worker (`flask jobs worker`) runs, with retries. The row
is what the pages read: it survives a Redis restart and needs no Redis to be shown. Without
REDIS_URL (the embedded default) the features run the same work inline in the request.

Modules: `models` (the row), `services` (start, read, retry, report progress; what features call),
`runner` (what the worker runs: an app context, the registered task, retries and failures),
`cli` (`flask jobs worker`, `flask jobs clean`).
"""
