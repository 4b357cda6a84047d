"""Position records (jabatan) of the city's agencies (OPD), and the OPDs."""
