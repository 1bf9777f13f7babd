"""Pages of the data-protection app: audit log, retention review, subject access."""
