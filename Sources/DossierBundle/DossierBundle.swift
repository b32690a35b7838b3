// DossierBundle: placeholder until its module lands.
