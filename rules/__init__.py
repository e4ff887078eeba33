"""Built-in rule files: YAML data shipped in the package as ``vpclint.builtin_rules``; see docs/rules.md."""
