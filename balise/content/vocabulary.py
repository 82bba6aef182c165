"""Hints for a mistyped status, impact or component status: the same in `balise check` and the CLI.

The words a writer may use come from the model; their labels in every language from `balise.i18n`.
"""

from __future__ import annotations

from balise.content.model import COMPONENT_STATUSES, IMPACTS, KINDS, statuses_for
from balise.i18n import closest, find_status, vocabulary


def suggest_status(kind: str, word: str) -> str:
    """What to write instead of `word`, not a status for `kind` — the hint after "'…' is not a
    status for an incident — ", the same in `balise check` and the CLI's --status."""
    allowed = statuses_for(kind)
    meant = closest(word, vocabulary("update_status", allowed))
    other = next((k for k in KINDS if statuses_for(k) != allowed and find_status(str(word), statuses_for(k))), None)
    if other:
        advice = f"did you mean '{meant}'?" if meant else "use one of: " + ", ".join(allowed)
        return f"it is a status for {with_article(other)}; {advice}"
    return f"did you mean '{meant}'?" if meant else "expected one of: " + ", ".join(allowed)


def suggest_impact(word: str) -> str:
    """What to write instead of `word`, not an impact: the same hint in `balise check` and the CLI."""
    meant = closest(word, vocabulary("impact", IMPACTS))
    return f"did you mean '{meant}'?" if meant else "expected one of: " + ", ".join(IMPACTS)


def suggest_component_status(word: str) -> str:
    """What to write instead of `word`, not a component status (its labels are suggested too)."""
    meant = closest(word, vocabulary("component_status", COMPONENT_STATUSES))
    return f"did you mean '{meant}'?" if meant else "expected one of: " + ", ".join(COMPONENT_STATUSES)


def with_article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def unknown_status(text: str, kind: str) -> str:
    """What to say of a status that is not one of `kind`'s (in a file, or given to `balise update`)."""
    return f"'{text}' is not a status for {with_article(kind)} — {suggest_status(kind, text)}"
