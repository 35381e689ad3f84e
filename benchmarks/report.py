"""Writing one benchmark's section of ``docs/benchmarks.md`` between its own markers."""

from __future__ import annotations

from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
_HEADER = "# Benchmarks\n\nEach benchmark measures spineviewer against a named peer in the same run.\n"


def write_section(section: str, begin: str, end: str, report: Path = REPORT) -> None:
    """Replace the text between ``begin`` and ``end`` (the markers are part of ``section``),
    or append the section when the report does not have it yet; other sections are kept."""
    report.parent.mkdir(parents=True, exist_ok=True)
    text = report.read_text() if report.exists() else _HEADER
    if begin in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    report.write_text(text)
