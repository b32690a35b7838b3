// DossierXML: placeholder until its module lands.
