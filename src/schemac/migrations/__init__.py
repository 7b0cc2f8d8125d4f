"""The migration history on disk: snapshots of the schema, the numbered files, their checksums."""
