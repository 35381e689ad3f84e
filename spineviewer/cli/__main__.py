"""Allow ``python -m spineviewer.cli``."""

from spineviewer.cli import main

raise SystemExit(main())
