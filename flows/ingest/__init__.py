"""Ingest: discover article files, plan what changed, read and decode their bytes."""
