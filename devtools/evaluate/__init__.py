"""Measurement commands: score each extraction stage on its labelled test set in tests/.

Each submodule exposes `run(cases_dir: Path | None = None) -> EvalReport`; `summitry
evaluate <stage>` prints the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STAGES = ("cleaning", "quotes", "events", "real")


@dataclass(slots=True)
class EvalReport:
    """Named metrics (ratios in 0..1) with the misses that explain them."""

    stage: str
    metrics: dict[str, float] = field(default_factory=dict)
    counts: dict[str, str] = field(default_factory=dict)  # metric -> "hits/total"
    misses: list[str] = field(default_factory=list)

    def render(self, verbose: bool = False) -> str:
        """One line per metric; the misses too when `verbose`."""
        lines = [f"{self.stage}:"]
        for name, value in self.metrics.items():
            lines.append(f"  {name:32} {value:7.3f}  {self.counts.get(name, '')}")
        if verbose:
            lines += [f"  - {miss}" for miss in self.misses]
        return "\n".join(lines)
