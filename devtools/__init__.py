"""Developer tooling: synthetic corpus, benchmark, evaluators and scorer.

The pipeline never imports this package; the CLI loads it only for its own commands.
"""
