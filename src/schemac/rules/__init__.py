"""Compliance rules over the resolved model: one small check per rule, each with a stable code.

The pipeline is load → build → rules → emit; `run_rules` is the rules step.
"""

from .registry import RULES, RULES_BY_CODE

__all__ = ["Finding", "LintResult", "RULES", "RULES_BY_CODE", "run_rules"]


def __getattr__(name: str):
    """The engine on first use: `import schemac.cli` needs only the registry (lint's help lists the rules)."""
    if name in ("Finding", "LintResult", "run_rules"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
