"""Allow ``python -m spineviewer``."""

from spineviewer.cli import main

raise SystemExit(main())
