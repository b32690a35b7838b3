// Dossierport: placeholder until its module lands.
