"""`python -m cai_tui` runs the command line."""

from cai_tui.cli import main

raise SystemExit(main())
