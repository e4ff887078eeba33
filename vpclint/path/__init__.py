"""Exact path evaluators."""
