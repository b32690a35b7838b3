// DossierFormats: placeholder until its module lands.
