"""Many studies at once: cohort tables and statistics, agreement between readers (no Qt)."""
