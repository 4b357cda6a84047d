"""The outcome report as a PDF, drawn by fpdf2 (pure Python, from PyPI alone) in DejaVu Sans, a
Unicode font committed under static/fonts with its licence.

User text (theme names, answers, notes) is written as text, never as markup: characters the font
lacks (most emoji) become "?" and control characters are dropped, so no input can break the file.
The text stays extractable (fpdf2 embeds a ToUnicode map)."""

from __future__ import annotations

import os
import unicodedata
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import ngettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.consultation.outcome import Outcome
from portal.i18n import format_local_date, format_local_datetime
from portal.links import absolute, path_for
from portal.positions.history import FIELD_LABELS

FONT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "static", "fonts")
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
MAX_TEXT = 2000


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    """The code points DejaVu Sans can draw."""
    from fontTools.ttLib import TTFont

    with TTFont(os.path.join(FONT_DIR, REGULAR), lazy=True) as font:
        return frozenset(font.getBestCmap())


def clean(text: object, limit: int = MAX_TEXT) -> str:
    """`text` as the font can draw it: controls dropped, missing glyphs as "?", at most `limit` chars."""
    value = unicodedata.normalize("NFC", str(text or ""))[:limit]
    glyphs = _glyphs()
    out = []
    for ch in value:
        if ch in "\n\t":
            out.append(" " if ch == "\t" else ch)
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn", "Cf"):
            continue
        elif ord(ch) in glyphs:
            out.append(ch)
        elif unicodedata.category(ch).startswith("M"):
            continue  # a combining mark the font lacks: the base letter stays
        else:
            out.append("?")
    return "".join(out)


class _Report(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.add_font("DejaVu", "", os.path.join(FONT_DIR, REGULAR))
        self.add_font("DejaVu", "B", os.path.join(FONT_DIR, BOLD))
        self.set_title(clean(title, 300))
        self.set_auto_page_break(True, margin=15)
        self.footer_text = clean(title, 120)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}", align="C")

    def heading(self, text: str, size: int = 13):
        if self.will_page_break(20):
            self.add_page()
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, size * 0.55, clean(text, 400), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def para(self, text: str, size: int = 10):
        self.set_font("DejaVu", "", size)
        self.multi_cell(0, size * 0.5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def rows(self, header: tuple[str, str], rows: list[tuple[str, int]]):
        self.set_font("DejaVu", "", 9)
        with self.table(col_widths=(75, 25), text_align=("LEFT", "RIGHT"), first_row_as_headings=True) as table:
            table.row([clean(header[0], 200), clean(header[1], 50)])
            for label, count in rows:
                table.row([clean(label, 300), str(count)])
        self.ln(2)


def render(report: Outcome) -> bytes:
    """The PDF of a ready report."""
    policy = report.policy
    pdf = _Report(f"{_('Consultation outcome report')} · {policy.title}")
    pdf.add_page()
    pdf.heading(_("Consultation outcome report"), 16)
    pdf.para(policy.title, 12)
    pdf.para(_("Published contributions") + f": {report.total} · " + _("Report made") + ": "
             + format_local_datetime(report.now))
    pdf.para(absolute(path_for("consultation.outcome", slug=policy.slug)), 8)

    r = report.rights
    pdf.heading(_("The three rights"))
    pdf.rows((_("Right"), _("Contributions")), [
        (_("Heard (received, with a public id)"), r.heard),
        (_("Considered (linked to an article, a position or a theme)"), r.considered),
        (_("Answered"), r.answered),
        (_("Past the response deadline, unanswered"), r.overdue),
    ])
    pdf.heading(_("What the consultation received"))
    pdf.rows((_("Kind"), _("Contributions")), report.by_kind)
    pdf.rows((_("Stakeholder group"), _("Contributions")), report.by_group)
    pdf.rows((_("Article"), _("Contributions")), [(label, count) for _key, label, count in report.by_article])

    pdf.heading(_("Themes and their answers"))
    if not report.themes:
        pdf.para(_("No summary of this policy has been published yet."))
    for theme in report.themes:
        pdf.heading(theme.label, 11)
        place = report.positions.get(theme.id)
        size = ngettext("%(num)d contribution", "%(num)d contributions", theme.size)
        pdf.para(f"{_('On the position')} {place.name} · {size}" if place else size, 9)
        answer = report.answers.get(theme.id)
        if answer is None:
            pdf.para(_("Not answered yet."))
        else:
            pdf.para(f"{_('Official response')}: {answer.outcome_label}")
            pdf.para(answer.explanation)
            if answer.change:
                pdf.para(f"{_('Change it led to:')} {answer.change}")
        pdf.para(absolute(path_for("summaries.theme", theme_id=theme.id)), 8)

    pdf.heading(_("What changed, and why"))
    if not report.changes:
        pdf.para(_("The policy kept its first text."))
    for change in report.changes:
        pdf.heading(f"{_('Version %(n)d', n=change.number)} ({format_local_date(change.created_at)})", 11)
        if change.note:
            pdf.para(change.note)
        for article in change.articles:
            cited = change.cited.get(article.key, [])
            kind = {"added": _("added"), "removed": _("removed")}.get(article.kind, _("changed"))
            line = f"{article.label}: {kind}"
            if cited:
                line += " — " + _("Changed because of what the public said") + ": " + "; ".join(
                    f"{item.label}" + (f" ({item.outcome})" if item.outcome else "") for item in cited)
            pdf.para(line, 9)
    if report.record_changes:
        pdf.heading(_("Position records changed because of these themes"), 11)
    for item in report.record_changes:
        change = item.change
        line = _("%(field)s: %(old)s → %(new)s", field=FIELD_LABELS.get(change.field, change.field),
                 old=change.old_value[:80], new=change.new_value[:80])
        pdf.para(f"{item.position.name}: {line} ({format_local_date(change.created_at)})", 9)
        if change.reason:
            pdf.para(change.reason, 9)
        pdf.para(f"{_('Answers the theme')} " + "; ".join(theme.label for theme in item.themes), 9)
    return bytes(pdf.output())
