"""``tables.md`` and ``tables.html``: the cohort tables, the tests and the problems, for people.

Both files show the same lines (:mod:`spineviewer.cohort.layout`): how segments were counted,
Tables 1-3, the tests of solitary vs multiple ISCM with their warnings, and every problem met
in the input under the tables. The HTML is one self-contained page (inline style, no script).
"""

from __future__ import annotations

import html

from spineviewer.cohort.layout import CATEGORY_LABELS, Table, cohort_tables, rule_statement

TITLE = "spineviewer cohort tables"
_VARIABLE_LABELS = {
    "primary_tumor": "Primary tumor type",
    "other_cns_spinal_mets": "Non-cord CNS and/or spinal metastasis",
    "primary_or_noncns_mets_visible": "Primary tumor and/or non-CNS metastasis",
    "leptomeningeal_mets": "Leptomeningeal metastasis",
}
_TEST_LABELS = {"chi-square": "Pearson chi-square", "fisher-exact": "Fisher exact"}
_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1.5em; color: #222; font-size: 14px; }
h1 { font-size: 1.5em; margin: 0 0 0.3em 0; }
h2 { font-size: 1.1em; }
.columns { display: flex; flex-wrap: wrap; gap: 0 2.5em; align-items: flex-start; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em 0; }
table.features { width: 36em; }
caption { text-align: left; font-weight: bold; padding: 0.4em 0; }
th, td { padding: 0.15em 0.6em; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #444; }
th.value, td.value { text-align: right; white-space: nowrap; }
tr.heading td { font-weight: bold; padding-top: 0.5em; }
td.depth1 { padding-left: 1.8em; }
code { font-size: 1em; background: #f0f0f0; padding: 0 0.2em; }
p.rule { margin: 0.3em 0; }
td.warning { color: #8a4b00; }
li { margin: 0.2em 0; }
"""


def render_markdown(summary: dict) -> str:
    """The tables, tests and problems as Markdown."""
    lines = [f"# {TITLE}", "", _rule(summary), ""]
    for table in cohort_tables(summary):
        lines += [f"## {table.title}", "", "| Feature | Prevalence |", "|---|---|"]
        for line in table.lines:
            label = f"**{line.label}**" if line.depth == 0 else "&nbsp;&nbsp;&nbsp;&nbsp;" + line.label
            lines.append(f"| {_md(label)} | {line.value} |")
        lines.append("")
    lines += ["## Solitary vs multiple ISCM", "",
              "| Variable | Solitary | Multiple | Test | Statistic | P | Note |", "|---|---|---|---|---|---|---|"]
    for row in association_rows(summary["tests"]):
        lines.append("| " + " | ".join(_md(cell) for cell in row) + " |")
    lines += ["", "## Problems in the input", ""]
    lines += [f"- {_md(problem_text(p))}" for p in summary["problems"]] or ["None."]
    return "\n".join(lines) + "\n"


def render_html(summary: dict) -> str:
    """The tables, tests and problems as one HTML page."""
    body = [f"<h1>{TITLE}</h1>", f'<p class="rule">{_inline(_rule(summary))}</p>']
    first, second, third = cohort_tables(summary)
    # Two columns, the patients' tables beside the lesions', so one screen shows all three.
    body.append('<div class="columns"><div>' + _html_table(first) + _html_table(third)
                + "</div><div>" + _html_table(second) + "</div></div>")
    body.append("<table><caption>Solitary vs multiple ISCM</caption><tr>" + "".join(
        f"<th>{h}</th>" for h in ("Variable", "Solitary", "Multiple", "Test", "Statistic", "P", "Note"))
        + "</tr>")
    for row in association_rows(summary["tests"]):
        cells = "".join(f"<td>{html.escape(c)}</td>" for c in row[:-1])
        body.append(f'<tr>{cells}<td class="warning">{html.escape(row[-1])}</td></tr>')
    body.append("</table><h2>Problems in the input</h2>")
    problems = summary["problems"]
    body.append("<ul>" + "".join(f"<li>{html.escape(problem_text(p))}</li>" for p in problems) + "</ul>"
                if problems else "<p>None.</p>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{TITLE}</title><style>{_STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def association_rows(tests: list[dict]) -> list[tuple[str, ...]]:
    """One row per test: variable, the solitary and multiple counts, test, statistic, P, note."""
    rows = []
    for test in tests:
        solitary, multiple = (_group(test["table"], group) for group in ("solitary", "multiple"))
        if test["p"] is None:
            statistic, p = "-", "-"
        elif test["test"] == "chi-square":
            statistic, p = f"χ² = {test['statistic']:.2f}, df = {test['df']}", _p(test["p"])
        else:
            odds = test["statistic"]
            statistic = "odds ratio " + ("-" if odds is None else f"{odds:.2f}")
            p = _p(test["p"])
        rows.append((f"{_VARIABLE_LABELS.get(test['variable'], test['variable'])} (n = {test['n']})",
                     solitary, multiple, _TEST_LABELS[test["test"]], statistic, p, test["warning"]))
    return rows


def _group(table: dict, group: str) -> str:
    """``Lung carcinoma 17, Breast carcinoma 4`` or, for present/absent, ``20/39 (51%)``."""
    counts = {word: by_group.get(group, 0) for word, by_group in table.items()}
    total = sum(counts.values())
    if set(counts) <= {"present", "absent"}:
        present = counts.get("present", 0)
        return f"{present}/{total} ({int(100 * present / total + 0.5)}%)" if total else "0/0"
    return ", ".join(f"{CATEGORY_LABELS.get(word, word.capitalize())} {count}"
                     for word, count in counts.items())


def _p(p: float) -> str:
    """P as the series writes it: four decimals, ``< .0001`` below that."""
    return "< .0001" if p < 0.0001 else f"{p:.4f}".lstrip("0")


def _rule(summary: dict) -> str:
    counts = summary["patient_variables"]["segment_rule"]["counts"]
    return rule_statement({rule: count for rule, count in counts.items() if count})


def problem_text(problem: dict) -> str:
    """A problem of ``summary.json`` as one line: ``file, row 3, column location: message``."""
    where = ", ".join(part for part in (problem["file"], problem["row"],
                                        f"column {problem['column']}" if problem["column"] else "")
                      if part)
    return f"{where}: {problem['message']}" if where else problem["message"]


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _inline(text: str) -> str:
    """Markdown's `code` spans of the rule sentence as HTML."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


def _html_table(table: Table) -> str:
    rows = [f'<table class="features"><caption>{html.escape(table.title)}</caption>',
            '<tr><th>Feature</th><th class="value">Prevalence</th></tr>']
    for line in table.lines:
        kind = ' class="heading"' if line.depth == 0 else ""
        rows.append(f'<tr{kind}><td class="depth{line.depth}">{html.escape(line.label)}</td>'
                    f'<td class="value">{html.escape(line.value)}</td></tr>')
    rows.append("</table>")
    return "\n".join(rows)

