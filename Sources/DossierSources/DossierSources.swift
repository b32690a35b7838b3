// DossierSources: placeholder until its module lands.
