"""The REST API and the workbench server (FastAPI): the same ledger functions the CLI runs,
behind sign-in, roles, practice isolation and the audit log."""
