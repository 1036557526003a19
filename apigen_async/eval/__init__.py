"""Evaluation of function calls against reference answers (BFCL-style)."""
