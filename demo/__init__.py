"""The synthetic demo world (``manage.py seed_demo``): only demo/, tests/ and bench/ import it."""
