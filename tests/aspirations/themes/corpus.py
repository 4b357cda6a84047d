"""A small labelled set of contributions on a needs-analysis draft, three clear subjects."""

TRAINING = [
    "Pelatihan teknis bagi pegawai baru harus diadakan setiap tahun.",
    "Kami butuh pelatihan kepemimpinan untuk kepala seksi.",
    "Pegawai belum pernah dilatih memakai aplikasi kepegawaian.",
    "Anggaran pelatihan dan diklat teknis terlalu kecil.",
    "Latihan dan bimbingan teknis untuk operator aplikasi sangat dibutuhkan.",
    "Program pelatihan sertifikasi bagi pejabat fungsional perlu diperluas.",
    "Diklat teknis jabatan fungsional sebaiknya dilakukan di daerah.",
    "Pelatihan daring bisa menghemat biaya diklat pegawai.",
    "Tolong adakan pelatihan pelayanan publik bagi petugas loket.",
    "Pegawai perlu dilatih ulang setelah aplikasi kepegawaian berganti.",
    "Kurikulum pelatihan teknis harus sesuai kebutuhan jabatan.",
    "Bimbingan teknis dan pelatihan bagi guru honorer juga penting.",
]
STAFFING = [
    "Formasi perawat di puskesmas kecamatan masih kurang banyak.",
    "Jumlah formasi guru di sekolah desa tidak sesuai kebutuhan.",
    "Kebutuhan formasi bidan di puskesmas harus ditambah.",
    "Formasi dokter umum di rumah sakit daerah perlu dihitung ulang.",
    "Puskesmas kami kekurangan perawat dan bidan sejak lama.",
    "Analisis kebutuhan formasi pegawai puskesmas belum memakai data terbaru.",
    "Tambah formasi guru matematika di sekolah menengah.",
    "Formasi tenaga kesehatan di puskesmas terpencil harus diprioritaskan.",
    "Jumlah perawat di puskesmas tidak sebanding dengan jumlah pasien.",
    "Formasi guru dan tenaga kependidikan sebaiknya dihitung per sekolah.",
    "Kuota formasi bidan desa terlalu sedikit.",
    "Sekolah di desa butuh tambahan formasi guru kelas.",
]
PAY = [
    "Tunjangan kinerja pegawai harus dibayar tepat waktu.",
    "Gaji honorer sangat rendah dibanding beban kerja.",
    "Tunjangan daerah terpencil perlu dinaikkan.",
    "Besaran tunjangan kinerja tidak adil antar dinas.",
    "Gaji dan tunjangan pegawai kontrak sering terlambat dibayar.",
    "Honorer menunggu kenaikan gaji sejak tiga tahun.",
    "Tunjangan kinerja sebaiknya dihitung dari capaian kerja.",
    "Pembayaran gaji honorer harus lewat rekening bank.",
    "Tunjangan transportasi bagi pegawai lapangan perlu ditambah.",
    "Gaji pegawai honorer di bawah upah minimum daerah.",
    "Kenaikan tunjangan kinerja harus diumumkan terbuka.",
    "Tunjangan dan gaji guru honorer wajib dinaikkan.",
]
LABELLED = [(text, "training") for text in TRAINING] + [(text, "staffing") for text in STAFFING] + \
    [(text, "pay") for text in PAY]
