"""The pure pipeline: TicketIn → TriageOutcome (parse → classify → escalate → draft).

No I/O, no globals, no clock it is not given. The worker, `triage classify`, `triage eval` and the
benchmarks all call `run`, so what is measured is what runs in production.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from triage.classify import Classification, RuleSet, classify, load_rules
from triage.contacts import extract_contacts
from triage.draft import Templates, build_draft, load_templates
from triage.escalate import Escalation, EscalationPolicy, escalate, load_policy
from triage.kb import KnowledgeBase, load_kb
from triage.schemas import Contact, Flag, TicketIn, TriageOutcome


class ConfigError(Exception):
    """The configuration directory is missing or one of its files is invalid."""


@dataclass(frozen=True)
class PipelineConfig:
    """Everything the pipeline reads from `config/`, loaded and validated once per process."""

    rules: RuleSet
    policy: EscalationPolicy
    kb: KnowledgeBase
    templates: Templates

    @property
    def versions(self) -> dict[str, str]:
        return {
            "kb": self.kb.version,
            "rules": self.rules.version,
            "policy": self.policy.version,
            "templates": self.templates.version,
        }


def load_config(config_dir: Path) -> PipelineConfig:
    """Load and cross-check rules, escalation policy, knowledge base and templates."""
    if not config_dir.is_dir():
        raise ConfigError(f"configuration directory not found: {config_dir} (set TRIAGE_CONFIG_DIR)")
    try:
        cfg = PipelineConfig(
            rules=load_rules(config_dir),
            policy=load_policy(config_dir),
            kb=load_kb(config_dir),
            templates=load_templates(config_dir),
        )
    except ConfigError:
        raise
    except Exception as exc:  # each loader raises its own error type with file/line context
        raise ConfigError(str(exc)) from exc
    from triage.schemas import CATEGORIES

    missing = [c for c in CATEGORIES if cfg.kb.for_category(c) is None]
    if missing:
        raise ConfigError(f"no knowledge-base entry is mapped to categor{'ies' if len(missing) > 1 else 'y'} "
                          f"{', '.join(missing)} (see config/kb/categories.yaml)")
    return cfg


def judge(subject: str, body: str, cfg: PipelineConfig,
          extra_flags: Sequence[Flag] = ()) -> tuple[Classification, Escalation]:
    """Classification and escalation only (what `triage eval` measures)."""
    c = classify(subject, body, cfg.rules)
    return c, escalate(c, cfg.policy, extra_flags=extra_flags)


def run(
    ticket: TicketIn,
    cfg: PipelineConfig,
    *,
    extra_flags: Sequence[Flag] = (),
    timer: Callable[[], float] | None = None,
    classification: Classification | None = None,
    contacts: Sequence[Contact] | None = None,
) -> TriageOutcome:
    """Triage one validated ticket. `timer` (e.g. time.perf_counter) only measures; it never decides."""
    return run_judged(ticket, cfg, extra_flags=extra_flags, timer=timer, classification=classification,
                      contacts=contacts)[0]


def run_judged(
    ticket: TicketIn,
    cfg: PipelineConfig,
    *,
    extra_flags: Sequence[Flag] = (),
    timer: Callable[[], float] | None = None,
    classification: Classification | None = None,
    contacts: Sequence[Contact] | None = None,
) -> tuple[TriageOutcome, Classification]:
    """`run`, also returning the classification. Given `classification` (this ticket's, from an earlier
    run with the same rules), it is not classified again: re-deciding a ticket with extra flags (a repeat
    contact the store found) only escalates and drafts anew. Given `contacts` (this ticket's, from an
    earlier run: a function of its subject and body only), they are not extracted again."""
    t0 = timer() if timer else 0.0
    if classification is None:
        c, e = judge(ticket.subject, ticket.body, cfg, extra_flags)
    else:
        c, e = classification, escalate(classification, cfg.policy, extra_flags=extra_flags)
    d = build_draft(
        categories=c.categories,
        kb=cfg.kb,
        templates=cfg.templates,
        requester_name=ticket.requester.name if ticket.requester else None,
        flags=e.flags,
        evidence=c.evidence,
        needs_review=c.needs_review,
        model_coverage=c.model_coverage,
    )
    contacts = extract_contacts(ticket.subject, ticket.body) if contacts is None else list(contacts)
    elapsed_ms = ((timer() - t0) * 1000.0) if timer else 0.0
    return TriageOutcome(
        source=ticket.source,
        external_id=ticket.external_id,
        categories=list(c.categories),
        scores={k: round(v, 4) for k, v in c.scores.items()},
        needs_review=c.needs_review,
        evidence=list(c.evidence),
        flags=list(e.flags),
        priority=e.priority,
        escalated=e.escalated,
        kb_entries=list(d.kb_entries),
        draft_reply=d.text,
        draft_html=d.html,
        internal_note=d.internal_note,
        contacts=contacts,
        kb_version=cfg.kb.version,
        rules_version=cfg.rules.version,
        policy_version=cfg.policy.version,
        template_version=cfg.templates.version,
        pipeline_ms=round(elapsed_ms, 3),
    ), c
