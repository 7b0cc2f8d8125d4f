"""Compliance rules over the resolved model: one small check per rule, each with a stable code.

The pipeline is load → build → rules → emit; `run_rules` is the rules step.
"""

from .engine import Finding, LintResult, run_rules
from .registry import RULES, RULES_BY_CODE

__all__ = ["Finding", "LintResult", "RULES", "RULES_BY_CODE", "run_rules"]
