"""Accessibility checks for the browser tests: axe-core on every page a journey reaches.

axe-core comes from the npm registry (package.json / package-lock.json at the repository
root; `make test` and `.ci/run` install it with `npm ci`). The journeys browse with
JavaScript off, so axe is evaluated through the DevTools protocol (Playwright's evaluate)
rather than added as a <script> tag, which such a page would never run.

How every page is reached: a watched page checks the document it shows whenever the test
touches the page again (any public attribute: `locator`, `get_by_role`, `goto`,
`wait_for_url`, `screenshot`, ...) and once more when the test ends, so each document the
journey lands on is checked in the test's own flow, never racing it from an event handler.
Each document is checked at the desktop and the phone width, and the test fails on any
violation of serious or critical impact, naming the rule, the elements and the page.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
HEIGHT = 900
FAILING_IMPACTS = ("serious", "critical")
# Set on a document once it has been checked; a new document does not have it.
MARK = "__portalAxeChecked"

RUN_AXE = """async () => {
  const results = await axe.run(document, {
    resultTypes: ["violations"],
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), impact: n.impact})),
  }));
}"""


class AccessibilityViolation(AssertionError):
    """A page has axe violations of serious or critical impact."""


def axe_source() -> str:
    """The pinned axe-core script; fails (never skips) when `npm ci` has not been run."""
    if not AXE_JS.is_file():
        raise AssertionError(
            f"{AXE_JS} is missing: run `npm ci` (make test does) to install the pinned axe-core."
        )
    return AXE_JS.read_text(encoding="utf-8")


def violations_at(page: Page, width: int) -> list[dict]:
    """axe's violations of the page's current document at one viewport width."""
    page.set_viewport_size({"width": width, "height": HEIGHT})
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        if page.__dict__.get("_axe_scripts_off"):
            page.evaluate(TIMERS_AS_MICROTASKS)
        page.evaluate(axe_source())
    return page.evaluate(RUN_AXE)


# With JavaScript off, the page's timers never fire, and axe waits on setTimeout between
# its steps: in such a page, timers become microtasks, which do run while axe is evaluated.
TIMERS_AS_MICROTASKS = """() => {
  window.setTimeout = (fn, ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  window.clearTimeout = () => {};
}"""


def report(url: str, found: dict[int, list[dict]]) -> str:
    """A readable failure: each serious/critical rule with its impact, widths and elements."""
    lines = [f"axe: accessibility violations on {url}"]
    for width, violations in found.items():
        for violation in violations:
            lines.append(f"  [{violation['impact']}] {violation['id']} at {width}px: {violation['help']}")
            for node in violation["nodes"][:10]:
                lines.append(f"      {node['target']}")
            if len(violation["nodes"]) > 10:
                lines.append(f"      ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def serious(violation: dict) -> bool:
    """What fails a journey: a violation of serious or critical impact."""
    return violation["impact"] in FAILING_IMPACTS


def check(page: Page, failing=serious) -> list[dict]:
    """Run axe on the page's document at both widths (restoring the width); raise on the
    violations `failing` picks; return every violation found."""
    original = page.viewport_size
    found: dict[int, list[dict]] = {}
    everything: list[dict] = []
    try:
        for width in WIDTHS:
            violations = violations_at(page, width)
            everything.extend(violations)
            failed = [v for v in violations if failing(v)]
            if failed:
                found[width] = failed
    finally:
        if original:
            page.set_viewport_size(original)
    if found:
        raise AccessibilityViolation(report(page.url, found))
    return everything


class WatchedPage(Page):
    """A Playwright page that runs `check` on each new document before the test goes on."""

    def __getattribute__(self, name: str):
        if not name.startswith("_") and name not in _UNWATCHED:
            self.check_document()
        return super().__getattribute__(name)

    def check_document(self, failing=serious) -> None:
        """Check the current document once (raising on what `failing` picks); retry when a
        navigation replaces it meanwhile."""
        if self.__dict__.get("_axe_busy"):
            return
        self.__dict__["_axe_busy"] = True
        try:
            for _ in range(3):
                try:
                    self.wait_for_load_state("load")
                    if self.url == "about:blank" or self.evaluate(f"() => window.{MARK} === true"):
                        return
                    self.evaluate(f"() => {{ window.{MARK} = true; }}")  # reported once
                    check(self, failing)
                    return
                except PlaywrightError as error:
                    if "context was destroyed" not in str(error) and "navigat" not in str(error):
                        raise
        finally:
            self.__dict__["_axe_busy"] = False

    def finish(self) -> None:
        """Check the document the test ended on (a closed page has nothing to check)."""
        if not self.is_closed():
            self.check_document()


# Attributes that neither change nor reveal the document: reading them checks nothing.
_UNWATCHED = frozenset({"is_closed", "close", "context", "viewport_size", "set_viewport_size",
                        "on", "once", "remove_listener", "finish", "check_document", "video"})


def watch(page: Page, scripts_off: bool) -> Page:
    """Make `page` check every document it shows (see the module docstring); `scripts_off`
    says that its context runs with JavaScript disabled."""
    page.__class__ = WatchedPage
    page.__dict__["_axe_scripts_off"] = scripts_off
    return page
