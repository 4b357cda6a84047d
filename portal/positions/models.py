"""OPDs and position records, following the informasi jabatan of Peraturan BKN 9/2022."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow

POSITION_TYPES = ("jpt", "administrator", "pengawas", "pelaksana", "fungsional")
# How each type is named to readers, in the order of POSITION_TYPES.
POSITION_TYPE_LABELS = {
    "jpt": _l("Senior executive (JPT)"),
    "administrator": _l("Administrator"),
    "pengawas": _l("Supervisor (pengawas)"),
    "pelaksana": _l("Executor (pelaksana)"),
    "fungsional": _l("Functional (fungsional)"),
}


class Opd(db.Model):
    """A city agency (Organisasi Perangkat Daerah)."""

    __tablename__ = "opds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(60))

    positions: Mapped[list["Position"]] = relationship(back_populates="opd")


class Position(db.Model):
    """A position record (jabatan) with its informasi jabatan and workload figures."""

    __tablename__ = "positions"
    RENDERED_TEXT = {"aspiration_summary": "aspiration_summary_html"}  # portal.rendered
    __table_args__ = (
        CheckConstraint(
            "position_type IN ('jpt', 'administrator', 'pengawas', 'pelaksana', 'fungsional')",
            name="position_type",
        ),
        CheckConstraint("grade BETWEEN 1 AND 17", name="grade"),
        CheckConstraint("required_count >= 0 AND incumbent_count >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    opd_id: Mapped[int] = mapped_column(ForeignKey("opds.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"), index=True)
    position_type: Mapped[str] = mapped_column(String(20), index=True)
    grade: Mapped[int] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(Text, default="")  # ikhtisar jabatan
    qualifications: Mapped[str] = mapped_column(Text, default="")  # kualifikasi jabatan
    main_tasks: Mapped[str] = mapped_column(Text, default="")  # tugas pokok
    work_results: Mapped[str] = mapped_column(Text, default="")  # hasil kerja
    responsibilities: Mapped[str] = mapped_column(Text, default="")  # tanggung jawab
    authority: Mapped[str] = mapped_column(Text, default="")  # wewenang
    requirements: Mapped[str] = mapped_column(Text, default="")  # syarat jabatan
    competency_technical: Mapped[str] = mapped_column(Text, default="")
    competency_managerial: Mapped[str] = mapped_column(Text, default="")
    competency_sociocultural: Mapped[str] = mapped_column(Text, default="")
    training_requirements: Mapped[str] = mapped_column(Text, default="")
    required_count: Mapped[int] = mapped_column(default=0)  # kebutuhan (ABK)
    incumbent_count: Mapped[int] = mapped_column(default=0)  # bezetting
    service_area: Mapped[str | None] = mapped_column(String(200))  # e.g. Kecamatan Medan Deli
    service_population: Mapped[int | None]  # population served
    # The published aspiration summary; filled by the aspirations package.
    aspiration_summary: Mapped[str | None] = mapped_column(Text)
    # The text's HTML as portal.text rendered it when it was written, and that renderer's
    # version (portal.rendered keeps both current).
    aspiration_summary_html: Mapped[str | None] = mapped_column(Text)
    html_version: Mapped[str | None] = mapped_column(String(80))
    aspiration_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    opd: Mapped[Opd] = relationship(back_populates="positions")
    parent: Mapped["Position | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Position"]] = relationship(back_populates="parent", order_by="Position.grade.desc()")

    @property
    def gap(self) -> int:
        """Required minus current incumbents: positive is a shortage, negative a surplus."""
        return self.required_count - self.incumbent_count


class PositionChange(db.Model):
    """One field of a position record changed: the old and new value, who changed it, when and why.
    Packages above may attach what motivated it (the aspirations package: the themes it cites)."""

    __tablename__ = "position_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

    actor = relationship("User")
