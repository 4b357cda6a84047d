"""What each contribution concerns, as its author tagged it or a moderator confirmed it,
loaded for a whole page at once.

The links belong to a package above every kind of contribution
(`portal.aspirations.links`), while the pages that show posts and submissions are
built below it. So that those pages can show the links without importing the package
that owns them, it registers one loader here when the app is made (as
`portal.contributions.answers` does for answers): `load(ids)` returns {contribution id:
[link, ...]} in one query, each link with `position` or `opd`. Before it registers every
contribution simply concerns nothing shown.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

Loader = Callable[[list[int]], dict[int, list[Any]]]
_loaders: list[Loader] = []


def register(loader: Loader) -> None:
    """Add the loader of a package above (registering twice changes nothing)."""
    if loader not in _loaders:
        _loaders.append(loader)


def for_ids(ids: Iterable[int]) -> dict[int, list[Any]]:
    """contribution id -> the links shown on it, for those of `ids` that have any."""
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, list[Any]] = {}
    if not wanted:
        return found
    for loader in _loaders:
        for key, links in loader(wanted).items():
            found.setdefault(key, []).extend(links)
    return found


def for_one(contribution) -> list[Any]:
    """The links shown on one contribution (maybe none)."""
    if contribution is None or contribution.id is None:
        return []
    return for_ids([contribution.id]).get(contribution.id, [])
