"""The official answers shown beside contributions, loaded for a whole page at once.

The answers (tanggapan) belong to a package above every kind of contribution
(`portal.aspirations.responses`), while the pages that show comments, posts and
submissions are built below it. So that those page builders can show the answer
without importing the package that owns it, that package registers one loader
here when the app is made: `load(ids)` returns {contribution id: answer} for the
ids that have one, in one query. Before it registers (or in a portal without
it) every contribution simply has no answer.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

Loader = Callable[[list[int]], dict[int, Any]]
_loaders: list[Loader] = []


def register(loader: Loader) -> None:
    """Add the loader of the answers a package above gives (registering twice changes nothing)."""
    if loader not in _loaders:
        _loaders.append(loader)


def for_ids(ids: Iterable[int]) -> dict[int, Any]:
    """contribution id -> its answer, for those of `ids` that have one (one query per loader)."""
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, Any] = {}
    if not wanted:
        return found
    for loader in _loaders:
        for key, value in loader(wanted).items():
            found.setdefault(key, value)
    return found


def for_one(contribution) -> Any:
    """The answer to one contribution, or None."""
    if contribution is None or contribution.id is None:
        return None
    return for_ids([contribution.id]).get(contribution.id)
