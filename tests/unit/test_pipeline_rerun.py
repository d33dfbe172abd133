"""Re-deciding a ticket with extra flags from its earlier classification equals running it from scratch."""

from __future__ import annotations

from typing import Any

from triage import pipeline
from triage.benchdata import generate, parse_mix
from triage.schemas import Evidence, Flag, TicketIn


def test_rerun_with_the_earlier_classification_is_the_same(pipeline_cfg: Any, monkeypatch: Any) -> None:
    flag = Flag(name="repeat_reported_contact", reason="", linked_tickets=["zd:1", "zd:2"],
                evidence=[Evidence(signal="contact:telegram", field="body", start=3, end=12, text="@someone")])
    tickets = [TicketIn.model_validate(t) for _, t in generate(300, parse_mix("scam=0.4,off=0.2,both=0.2"),
                                                                 prefix="r")]
    judged = [pipeline.run_judged(t, pipeline_cfg) for t in tickets]
    calls = []
    real = pipeline.classify
    monkeypatch.setattr(pipeline, "classify", lambda *a, **k: calls.append(1) or real(*a, **k))
    for t, (first, c) in zip(tickets, judged, strict=True):
        again = pipeline.run(t, pipeline_cfg, extra_flags=[flag], classification=c)
        scratch = pipeline.run(t, pipeline_cfg, extra_flags=[flag])
        assert again == scratch
        # The worker's refine also hands over the contacts found the first time (not extracted again).
        assert pipeline.run(t, pipeline_cfg, extra_flags=[flag], classification=c, contacts=first.contacts) == scratch
        assert "repeat_reported_contact" in again.flag_names and again != first
    assert len(calls) == len(tickets)  # only the from-scratch runs classified
