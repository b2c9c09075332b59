"""Orchestration: the Prefect flow, its tasks, run bookkeeping, artifacts, serving, workers."""
