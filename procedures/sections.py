"""The sections every procedure page has, in order (checked by the loader and the admin)."""

from __future__ import annotations

from core.readability import heading

PROCEDURE_SECTIONS = [
    "At a glance",
    "What it is",
    "Who it may help",
    "Benefits, risks and alternatives",
    "How to prepare",
    "What happens during the procedure",
    "After the procedure",
    "Results and next steps",
    "When to get help",
    "Questions to ask your doctor",
]
CARE_HEADINGS = 3


def _headings(body: str, first_line: int):
    fenced = False
    for offset, line in enumerate(body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        found = heading(line)
        if found:
            yield found[0], found[1].strip(), first_line + offset


def check_sections(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line, message) for each missing or misplaced section of a procedure page."""
    problems = []
    found = [(text_, line) for level, text_, line in _headings(body, first_line) if level == 2]
    position = 0
    for required in PROCEDURE_SECTIONS:
        index = next(
            (
                i
                for i in range(position, len(found))
                if found[i][0].lower().startswith(required.lower())
            ),
            None,
        )
        if index is None:
            where = found[position][1] if position < len(found) else first_line
            problems.append(
                (
                    where,
                    f"missing section '## {required}' (sections must come in this order: "
                    + "; ".join(PROCEDURE_SECTIONS)
                    + ")",
                )
            )
            continue
        position = index + 1
    help_line = next(
        (line for text_, line in found if text_.lower().startswith("when to get help")), None
    )
    if help_line is not None:
        after = [(lvl, t, ln) for lvl, t, ln in _headings(body, first_line) if ln > help_line]
        count = 0
        for level, _, _ in after:
            if level == 2:
                break
            count += 1
        if count != CARE_HEADINGS:
            problems.append(
                (
                    help_line,
                    f"'## When to get help' needs exactly {CARE_HEADINGS} '###' headings "
                    f"(emergency, call the clinic today, mention at follow-up); found {count}",
                )
            )
    return problems
