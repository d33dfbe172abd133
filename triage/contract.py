"""The message contract as JSON Schema, for producers in any language (`triage schema`)."""

from __future__ import annotations

import copy
from typing import Any

from triage.schemas import TicketIn

SCHEMA_ID = "urn:triage:message-contract:1"


def ticket_schema() -> dict[str, Any]:
    """TicketIn's JSON Schema, widened where the validator accepts more than the model type says."""
    s = TicketIn.model_json_schema(ref_template="#/$defs/{model}")
    props = s["properties"]
    props["external_id"] = {
        "anyOf": [{"type": "string", "minLength": 1, "maxLength": 255}, {"type": "integer"}],
        "description": props["external_id"].get("description", ""),
        "title": "External Id",
    }
    props["tags"] = {
        "anyOf": [{"type": "array", "items": {"type": "string"}, "maxItems": 100},
                  {"type": "string", "description": "comma- or space-separated"}, {"type": "null"}],
        "title": "Tags",
    }
    props["source"]["pattern"] = "^[a-zA-Z0-9][a-zA-Z0-9_.\\-]{0,63}$"  # lower-cased by the worker
    s["anyOf"] = [{"properties": {"subject": {"minLength": 1}}, "required": ["subject"]},
                  {"properties": {"body": {"minLength": 1}}, "required": ["body"]}]
    return s


def message_schema() -> dict[str, Any]:
    """One document: the ticket (top level), the two tasks' argument lists and the Celery v2 envelope."""
    ticket = ticket_schema()
    defs = ticket.pop("$defs", {})
    defs["TicketIn"] = copy.deepcopy(ticket)
    embed = {"type": "object", "description": "Celery's callbacks/errbacks/chain/chord (null or absent)"}
    defs["IngestBody"] = {
        "description": "Protocol v2 body of triage.ingest: [args, kwargs, embed] with args = [ticket]",
        "type": "array",
        "prefixItems": [
            {"type": "array", "prefixItems": [{"$ref": "#/$defs/TicketIn"}], "minItems": 1, "maxItems": 1},
            {"type": "object", "maxProperties": 0},
            embed,
        ],
        "minItems": 2,
    }
    defs["IngestManyBody"] = {
        "description": "Protocol v2 body of triage.ingest_many: args = [[ticket, ...]] (at most TRIAGE_MAX_BATCH)",
        "type": "array",
        "prefixItems": [
            {"type": "array", "prefixItems": [{"type": "array", "items": {"$ref": "#/$defs/TicketIn"}}],
             "minItems": 1, "maxItems": 1},
            {"type": "object", "maxProperties": 0},
            embed,
        ],
        "minItems": 2,
    }
    defs["CeleryMessage"] = {
        "description": "A Celery protocol v2 message as it sits on the broker (JSON serializer only; pickle is "
        "refused). Celery client libraries (celery-node, gocelery, …) build this for you.",
        "type": "object",
        "required": ["headers", "content-type", "body"],
        "properties": {
            "headers": {"type": "object", "required": ["task", "id"], "properties": {
                "task": {"enum": ["triage.ingest", "triage.ingest_many"]}, "id": {"type": "string"},
                "lang": {"type": "string"}, "retries": {"type": "integer"}}},
            "content-type": {"const": "application/json"},
            "content-encoding": {"const": "utf-8"},
            "body": {"description": "IngestBody or IngestManyBody (base64-encoded on Redis when "
                     "properties.body_encoding is 'base64')"},
        },
    }
    return {
        **ticket,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "triage ticket message",
        "description": "One ticket as producers send it. Task triage.ingest takes one (args = [ticket]); "
        "triage.ingest_many takes a list (args = [[ticket, ...]]). (source, external_id) is the identity.",
        "$defs": defs,
        "x-triage-tasks": {
            "triage.ingest": {"body": {"$ref": "#/$defs/IngestBody"}, "queue": "triage (TRIAGE_QUEUE)"},
            "triage.ingest_many": {"body": {"$ref": "#/$defs/IngestManyBody"}, "queue": "triage (TRIAGE_QUEUE)"},
        },
        "examples": [{
            "source": "zendesk", "external_id": "48213", "subject": "Client wants to pay me on Telegram",
            "body": "Hi, the client asked me to continue on Telegram and said he would pay me directly...",
            "requester": {"email": "maria@example.org", "name": "Maria Lopez"},
            "created_at": "2026-11-20T14:03:00Z", "channel": "email", "tags": ["payments"],
            "metadata": {"brand": "main"},
        }],
    }
