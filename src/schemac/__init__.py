"""schemac: one schema.yaml, compiled to PostgreSQL migrations, TypeScript types and docs."""

__version__ = "0.1.0"
