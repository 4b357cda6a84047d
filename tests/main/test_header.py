"""The site header on a phone: the menu, search and language switch fold behind one "Menu"
button (a <details>, no script), so the page starts near the top of a 390 px screen; on a wide
screen they are always shown. (Checked by eye with headless Chromium at 390 and 1280 px.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_menu_search_and_language_fold_behind_one_button(client):
    page = client.get("/").get_data(as_text=True)
    fold = re.search(r'<details class="site-menu">\s*<summary class="site-menu__toggle">Menu</summary>(.*?)</details>',
                     page, re.S)
    assert fold, "the header has a folding menu"
    inside = fold.group(1)
    assert '<nav class="nav"' in inside and 'class="site-search"' in inside and 'class="lang"' in inside
    assert "<script" not in inside


def test_the_fold_opens_by_itself_on_a_wide_screen_only():
    css = (ROOT / "static" / "css" / "portal.css").read_text()
    wide = css[css.index(".site-menu, .site-menu::details-content"):]
    assert "display: contents" in wide.split("}")[0] and "content-visibility: visible" in wide.split("}")[0]
    assert re.search(r"@media \(min-width: 48em\) \{\s*\.site-menu, \.site-menu::details-content", css)
