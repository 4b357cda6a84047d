"""What only the draft-policy tests need: a policy text with two chapters (BAB I: Pasal 1-2,
BAB II: Pasal 3), whose versions and diffs they follow."""

from __future__ import annotations

BODY = """Rancangan Peraturan Wali Kota Medan tentang Manajemen Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1
Pengertian

(1) Jabatan adalah kedudukan yang menunjukkan tugas dan tanggung jawab.
(2) OPD adalah perangkat daerah Kota Medan.

### Pasal 2
Ruang Lingkup

Peraturan ini mengatur analisis jabatan dan analisis beban kerja.

## BAB II — Kebutuhan Pegawai

### Pasal 3

Kebutuhan pegawai dihitung setiap tahun oleh BKPSDM.
"""
