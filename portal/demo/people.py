"""Demo people for the needs-analysis consultation: Medan residents, members of verified
organisations and officials of the agencies concerned. Invented names only (given names and
family names common in Medan, combined), e-mails on demo or example domains.

Accounts are made in one transaction with one password hash shared by all of them: hashing
(Argon2id) is the slow part of making an account, and every demo account has the same
development password anyway (portal.demo.seed.DEMO_PASSWORD).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from portal.accounts import services as account_services
from portal.accounts.auth import hash_password
from portal.accounts.models import Consent, User
from portal.extensions import db

GIVEN = (
    "Ahmad Rizki Siti Nurhaliza Hendra Lestari Joko Yohana Fadli Intan Bonar Rosmawati Agus Wulan Darwin "
    "Melati Reza Fitri Sahat Kartini Irwan Ayu Taufik Nurul Benny Rosa Samuel Putri Andreas Dian Rudi Sri "
    "Erwin Yanti Hotman Nanda Lukas Ratna Syahrial Elvi Maruli Desi Hasan Friska Arif Juwita Tigor Dina "
    "Wahyu Indah Ronald Mawar Zulkifli Ria Parlin Sondang Yudi Nining Ferdinand Tiur"
).split()
FAMILY = (
    "Siregar Nasution Lubis Harahap Hutagalung Simanjuntak Ginting Tarigan Sitepu Sinaga Manurung Pohan "
    "Batubara Rangkuti Damanik Saragih Purba Panjaitan Situmorang Hasibuan Pane Matondang Sembiring Barus "
    "Nainggolan Simatupang Marpaung Pasaribu Pardede Sihombing Surbakti Tambunan"
).split()
# Single-name and Javanese/Malay/Chinese-Indonesian names, as a Medan list would have them.
SINGLE = (
    "Suparman Wagiyem Sutrisno Ngatini Slamet Tukiyem Sumarni Paijo Supriadi Rahmawati Kurniawan Susanti "
    "Hartono Lina Wijaya Aling Halim Megawati"
).split()
DOMAINS = ("demo.medan.go.id", "example.com", "example.org", "example.net")

# Organisations whose members sent input; the first of each kind is the one portal.demo.seed makes.
NGOS = (
    "Lembaga Bantuan Hukum Medan",
    "Perhimpunan Disabilitas Medan Inklusif",
    "Forum Warga Pemantau Puskesmas Medan",
    "Koalisi Perempuan dan Anak Medan",
    "Komunitas Orang Tua Murid Medan Utara",
)
ACADEMICS = (
    "Universitas Sumatera Utara",
    "Pusat Kajian Administrasi Publik Sumatera",
    "Program Studi Keperawatan Institut Kesehatan Deli Raya",
    "Pusat Studi Demokrasi Lokal Medan",
)
MEMBERS = {  # the people who write for them (beyond lsm@ and akademisi@)
    "ngo": ("Rosmawati Pasaribu", "Lukas Simatupang", "Juwita Rangkuti", "Ratna Marpaung"),
    "academic": ("Dr. Elvi Sihombing", "Ns. Friska Ginting, M.Kep.", "Tigor Pardede, M.Si."),
}
OFFICIALS = {  # key in the data file -> display name (moderators of the agencies concerned)
    "bkpsdm": "Tim Analisis Jabatan BKPSDM",
    "dinkes": "Dinas Kesehatan Kota Medan",
    "setda": "Bagian Organisasi Setda Kota Medan",
    "dinsos": "Dinas Sosial Kota Medan",
    "disdukcapil": "Disdukcapil Kota Medan",
    "helvetia": "Kecamatan Medan Helvetia",
}
CITIZENS = 130


@dataclass
class People:
    """The demo authors by group: citizens in a fixed order, members per organisation, officials by key."""

    citizens: list[User]
    members: dict[tuple[str, int], User]  # (group, organisation index) -> member
    officials: dict[str, User]


def citizen_names(count: int = CITIZENS) -> list[tuple[str, str]]:
    """(display name, e-mail) of `count` invented residents, the same on every run."""
    names: list[tuple[str, str]] = []
    i = 0
    while len(names) < count:
        if i % 7 == 6:
            given = SINGLE[(i // 7) % len(SINGLE)]
            name, local = given, f"{given.lower()}{i}"
        else:
            given, family = GIVEN[i % len(GIVEN)], FAMILY[(i * 5 + i // len(GIVEN)) % len(FAMILY)]
            name, local = f"{given} {family}", f"{given.lower()}.{family.lower()}"
        if any(local == taken.split("@")[0] for _, taken in names):
            local = f"{local}{i}"
        names.append((name, f"{local}@{DOMAINS[i % len(DOMAINS)]}"))
        i += 1
    return names


def make_people(admin: User, domain: str, password: str) -> People:
    """Create (or find, when present) the demo authors; the verified members through the admin's service."""
    shared_hash = hash_password(password)
    notice = current_app.config["PRIVACY_NOTICE_VERSION"]
    existing = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("%@%")))}

    def account(email: str, name: str, role: str) -> User:
        user = existing.get(email)
        if user is None:
            user = User(email=email, display_name=name, password_hash=shared_hash, role=role)
            user.consents.append(Consent(notice_version=notice))
            db.session.add(user)
            existing[email] = user
        return user

    citizens = [account(email, name, "citizen") for name, email in citizen_names()]
    members: dict[tuple[str, int], User] = {}
    members[("ngo", 0)] = existing[f"lsm@{domain}"]
    members[("academic", 0)] = existing[f"akademisi@{domain}"]
    for group, names in (("ngo", NGOS), ("academic", ACADEMICS)):
        for index, organisation in enumerate(names[1:], start=1):
            person = MEMBERS[group][index - 1]
            local = person.split(",")[0].replace("Dr. ", "").replace("Ns. ", "").lower().replace(" ", ".")
            user = account(f"{local}@{domain}", person, group)
            if user.organisation is None:
                user.organisation = account_services.find_or_create_organisation(organisation, group)
            members[(group, index)] = user
    officials = {key: account(f"{key}.humas@{domain}", name, "moderator") for key, name in OFFICIALS.items()}
    db.session.commit()
    for user in members.values():
        if not user.is_verified_member:
            account_services.verify_affiliation(admin, user)
    return People(citizens, members, officials)
