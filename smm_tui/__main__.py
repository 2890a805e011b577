"""``python -m smm_tui``."""

from smm_tui.cli import main

raise SystemExit(main())
