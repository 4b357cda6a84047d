"""What only the comment tests need: a second version of the default policy text
(tests/conftest.py POLICY_BODY) and a reader for one article's part of the policy page."""

from __future__ import annotations

import pytest

# Version 2 of tests/conftest.py POLICY_BODY: changes Pasal 3, keeps Pasal 1 and 2, removes Pasal 4.
POLICY_V2 = """Rancangan Peraturan Wali Kota Medan tentang Analisis Kebutuhan Jabatan.

## BAB I — Ketentuan Umum

### Pasal 1 — Pengertian

Dalam Peraturan Wali Kota ini yang dimaksud dengan Daerah adalah Kota Medan.

### Pasal 2 — Tujuan

Analisis kebutuhan jabatan bertujuan menjamin pelayanan publik yang merata.

### Pasal 3 — Sumber Data

(1) Penghitungan memakai data kependudukan dan data pengaduan masyarakat per kecamatan.
(2) Data diperbarui setiap 24 bulan.
"""


@pytest.fixture(autouse=True)
def _publish_at_once(publish_at_once):
    """Most tests want comments published at once; pre-moderation tests set N themselves."""


def section(page: str, element_id: str) -> str:
    """The text of the element with `element_id` up to the next article/section of the same kind."""
    start = page.index(f'id="{element_id}"')
    ends = [page.find(marker, start + len(element_id) + 40) for marker in ('class="policy-article"', 'id="comments"')]
    ends = [end for end in ends if end != -1]
    return page[start:min(ends) if ends else len(page)]
