"""Allow ``python -m vpclint``."""

from vpclint.cli import main

raise SystemExit(main())
