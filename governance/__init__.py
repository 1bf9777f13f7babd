"""Data protection: the append-only audit log, retention review and subject access."""
