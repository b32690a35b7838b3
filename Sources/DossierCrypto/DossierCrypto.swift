// DossierCrypto: placeholder until its module lands.
