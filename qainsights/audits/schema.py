"""The canonical audit table: one row per moderator decision that a QA auditor re-reviewed.

The schema is data (:data:`AUDIT_SCHEMA`), so the loader, the validator, the simulator and the data
dictionary (``docs/data_dictionary.md``) all read the same definition.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .._caller import public

__all__ = [
    "ACTIONS",
    "AUDIT_SCHEMA",
    "ERROR_TYPES",
    "SEVERITIES",
    "SITE_TYPES",
    "Column",
    "schema_frame",
]

#: Moderation actions from least to most severe; their order defines over- and under-enforcement.
ACTIONS: tuple[str, ...] = ("no_action", "label", "restrict", "remove", "suspend")
#: Values of the derived ``error_type`` column.
ERROR_TYPES: tuple[str, ...] = ("none", "over_enforcement", "under_enforcement", "wrong_policy")
#: Error severities, least to most severe.
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
#: Values of ``site_type``.
SITE_TYPES: tuple[str, ...] = ("in_house", "vendor")


@dataclass(frozen=True)
class Column:
    """One column of the canonical audit table.

    ``kind`` is one of ``"id"`` (text identifier), ``"text"``, ``"datetime"``, ``"action"``,
    ``"category"`` (fixed values in ``allowed``), ``"bool"``, ``"number"``; ``role`` is
    ``"required"``, ``"optional"`` or ``"derived"``.
    """

    name: str
    kind: str
    role: str
    description: str
    allowed: tuple[str, ...] = ()


AUDIT_SCHEMA: tuple[Column, ...] = (
    Column("audit_id", "id", "required", "Unique identifier of the audit (one QA re-review)."),
    Column("item_id", "id", "required", "Identifier of the content item that was moderated."),
    Column(
        "decision_time",
        "datetime",
        "required",
        "When the moderator took the decision (UTC, timezone-naive).",
    ),
    Column(
        "audit_time",
        "datetime",
        "optional",
        "When the QA auditor re-reviewed the decision (UTC); must not precede decision_time.",
    ),
    Column(
        "site", "text", "required", "Where the moderator works: an in-house team or a vendor site."
    ),
    Column(
        "site_type", "category", "optional", "Whether the site is in-house or a vendor.", SITE_TYPES
    ),
    Column("queue", "text", "required", "The review queue the decision came from."),
    Column("policy", "text", "required", "The policy area the item was reviewed under."),
    Column("market", "text", "required", "Market or language of the content (e.g. 'en-US')."),
    Column("moderator_id", "id", "required", "The moderator who took the decision."),
    Column("auditor_id", "id", "required", "The QA auditor who re-reviewed it."),
    Column("moderator_action", "action", "required", "The moderator's action.", ACTIONS),
    Column("qa_action", "action", "required", "The action the QA auditor judged correct.", ACTIONS),
    Column(
        "moderator_policy",
        "text",
        "optional",
        "Policy the moderator cited when enforcing (missing when no action).",
    ),
    Column(
        "qa_policy",
        "text",
        "optional",
        "Policy the QA auditor judged applicable (missing when no action).",
    ),
    Column(
        "is_error",
        "bool",
        "derived",
        "True when the QA auditor disagreed with the moderator (error_type is not 'none'). "
        "Derived from the actions; a supplied column must agree with them.",
    ),
    Column(
        "error_type",
        "category",
        "derived",
        "'over_enforcement' (moderator's action more severe than QA's), 'under_enforcement' "
        "(less severe), 'wrong_policy' (same action, different policy cited), or 'none'.",
        ERROR_TYPES,
    ),
    Column(
        "severity",
        "category",
        "optional",
        "Severity of the error as judged by QA (missing for correct decisions); "
        "integers 1-4 are read as low to critical.",
        SEVERITIES,
    ),
    Column("root_cause", "text", "optional", "Root-cause code QA assigned to the error."),
    Column(
        "handle_time_s", "number", "optional", "Seconds the moderator spent on the item (>= 0)."
    ),
    Column(
        "tenure_days", "number", "optional", "Moderator tenure in days at decision time (>= 0)."
    ),
    Column("stratum", "text", "optional", "The sampling stratum the audit was drawn from."),
    Column(
        "weight",
        "number",
        "optional",
        "Sampling weight: decisions the audit represents (> 0); missing when self-weighting.",
    ),
    Column("week", "datetime", "derived", "Monday 00:00 of the decision's ISO week."),
    Column("month", "text", "derived", "Calendar month of the decision, 'YYYY-MM'."),
    Column(
        "qa_comment",
        "text",
        "optional",
        "Free-text comment the QA auditor wrote on the decision. Untrusted text: mask it "
        "(qainsights.text.mask_text) before display.",
    ),
    Column(
        "appeal_reason",
        "text",
        "optional",
        "Free-text reason given when the decision was appealed, where appeals are exported. "
        "Untrusted text, as qa_comment.",
    ),
)

_BY_NAME = {c.name: c for c in AUDIT_SCHEMA}


def column(name: str) -> Column:
    """Return the schema entry called ``name``."""
    return _BY_NAME[name]


@public
def schema_frame() -> pd.DataFrame:
    """Return the data dictionary as a DataFrame (one row per canonical column).

    Examples
    --------
    >>> table = schema_frame()
    >>> table.loc[table["column"] == "error_type", "role"].item()
    'derived'
    >>> int((table["role"] == "required").sum())
    11
    """
    return pd.DataFrame(
        {
            "column": [c.name for c in AUDIT_SCHEMA],
            "type": [c.kind for c in AUDIT_SCHEMA],
            "role": [c.role for c in AUDIT_SCHEMA],
            "values": [", ".join(c.allowed) for c in AUDIT_SCHEMA],
            "description": [c.description for c in AUDIT_SCHEMA],
        }
    )
