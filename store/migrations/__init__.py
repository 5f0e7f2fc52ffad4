"""Alembic migrations of the local store's schema."""
