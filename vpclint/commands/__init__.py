"""The CLI's subcommands; each module exposes ``register(subparsers)``."""
