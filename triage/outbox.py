"""What a stored result tells the helpdesk: tags, priority and an internal note, plus its idempotency key.

Pure (no I/O): the store calls it inside the result's transaction, the relay delivers what it built.
The key hashes the verdict, so the same verdict twice (a redelivery, a re-triage that changes nothing)
is one write-back, and a changed verdict is a new one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from triage.schemas import TriageOutcome

TAG_PREFIX = "triage_"
DONE_TAG = "triage_done"  # marks a ticket we wrote to; intake ignores events carrying it (no update loop)

# Zendesk's priorities; other helpdesk clients map from the same P1–P4.
PRIORITY_NAMES = {"P1": "urgent", "P2": "high", "P3": "normal", "P4": "low"}


def _tag(name: str) -> str:
    return TAG_PREFIX + "".join(c if c.isalnum() or c == "_" else "_" for c in name.lower())


def tags_for(outcome: TriageOutcome) -> list[str]:
    """`triage_<category>`, `triage_flag_<flag>`, `triage_escalated`, `triage_p1`…, and the done marker."""
    tags = [_tag(c) for c in outcome.categories]
    tags += [_tag("flag_" + f) for f in outcome.flag_names]
    if outcome.escalated:
        tags.append(_tag("escalated"))
    if outcome.needs_review:
        tags.append(_tag("needs_review"))
    tags.append(_tag(outcome.priority))
    tags.append(DONE_TAG)
    return list(dict.fromkeys(tags))


def note_for(outcome: TriageOutcome) -> str:
    """The agent-only note: verdict, flags with reasons, the suggested reply (never sent to the customer)."""
    lines = [
        "Automated triage (internal note, not visible to the customer)",
        f"Categories: {', '.join(outcome.categories) or 'none'}",
        f"Priority: {outcome.priority}{' (escalated)' if outcome.escalated else ''}",
    ]
    for f in outcome.flags:
        lines.append(f"Flag {f.name}: {f.reason}")
    if outcome.internal_note:
        lines += ["", outcome.internal_note.rstrip()]
    if outcome.draft_reply:
        lines += ["", "--- Suggested reply (draft: review before sending) ---", outcome.draft_reply.rstrip()]
    return "\n".join(lines)


def idempotency_key(source: str, external_id: str, outcome: TriageOutcome) -> str:
    """sha256 of the ticket identity and the verdict (versions, categories, priority, flags)."""
    material = json.dumps(
        [source, external_id, outcome.rules_version, outcome.kb_version, outcome.policy_version,
         outcome.template_version, sorted(outcome.categories), outcome.priority, outcome.escalated,
         sorted(outcome.flag_names)],
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode()).hexdigest()


def entry_for(source: str, external_id: str, outcome: TriageOutcome) -> tuple[str, dict[str, Any]]:
    """(idempotency key, payload) of the write-back for one stored result."""
    payload = {
        "tags": tags_for(outcome),
        "priority": outcome.priority,
        "priority_name": PRIORITY_NAMES.get(outcome.priority),
        "categories": list(outcome.categories),
        "escalated": outcome.escalated,
        "flags": outcome.flag_names,
        "note": note_for(outcome),
    }
    return idempotency_key(source, external_id, outcome), payload
