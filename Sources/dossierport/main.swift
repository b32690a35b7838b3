// Placeholder: the CLI lands with the core issue.
print("dossierport")
