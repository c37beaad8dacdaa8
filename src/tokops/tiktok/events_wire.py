"""The wire shape of an Events API 2.0 event and of its request, declared once (spec §1.2–1.5).

Everything that knows how an event looks on the wire reads this module (EVT-1):

- :func:`wire_event` nests a flat record (field name → value) into the event object, for the
  client's Python path (:meth:`tokops.tiktok.events.EventsClient.track_fields`);
- :mod:`tokops.activate.payload` turns the same declaration into one engine expression, so a
  sync's events are serialised next to the data (one ``concat`` per event);
- :func:`tokops.tiktok.events.build_track_body` writes the request around the events in the
  order of :data:`ENVELOPE`.

The declaration: the event's head (:data:`EVENT_HEAD`, always sent), then its groups
(:data:`EVENT_GROUPS`: ``user``, ``properties``, ``page``, ``lead``), each an ordered list of
fields with their JSON type and the event sources that send them. A group is sent only when one
of its fields is present; absent fields are omitted, never sent as ``null`` or ``""``. Key order
is declaration order, so both encoders write the same bytes.

JSON types: ``string`` (escaped), ``integer`` and ``number`` (plain numbers; ``0`` is sent),
``hash`` (a SHA-256 match key as lowercase hex: a string that never needs escaping) and
``string_list`` (an array of strings; TikTok wants ids as strings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = [
    "DATA_KEY",
    "DEFAULT_PARTNER_NAME",
    "ENVELOPE",
    "EVENT_GROUPS",
    "EVENT_HEAD",
    "HASHED_KEYS",
    "MATCH_KEYS",
    "GroupDefault",
    "MatchKey",
    "WireField",
    "WireGroup",
    "fields_for",
    "wire_event",
]

JsonType = Literal["string", "integer", "number", "hash", "string_list"]
_ALL: Final = frozenset({"web", "app", "offline", "crm"})
_WEB: Final = frozenset({"web"})


@dataclass(frozen=True)
class WireField:
    """One field of an event: its key (also the prepared column's name) and JSON type."""

    name: str
    type: JsonType = "string"
    sources: frozenset[str] = _ALL
    """The event sources that send it (spec §1.3–1.4)."""

    @property
    def hashed(self) -> bool:
        """Whether the value is a SHA-256 match key (normalised and hashed before sending)."""
        return self.type == "hash"


@dataclass(frozen=True)
class GroupDefault:
    """A value a group sends for *field* when the record has no such field at all but has
    *when* (written after the group's other fields)."""

    field: str
    value: str
    when: str


@dataclass(frozen=True)
class WireGroup:
    """A nested object of the event (``"user": {…}``), sent when any of its fields is."""

    name: str
    fields: tuple[WireField, ...]
    defaults: tuple[GroupDefault, ...] = ()


#: Sent first and always, in this order (a row without them is never sent).
EVENT_HEAD: Final = (
    WireField("event"),
    WireField("event_time", "integer"),
    WireField("event_id"),
)
EVENT_GROUPS: Final = (
    WireGroup(
        "user",
        (
            WireField("email", "hash"),
            WireField("phone", "hash"),
            WireField("external_id", "hash"),
            WireField("ttclid", sources=_WEB),
            WireField("ttp", sources=_WEB),
            WireField("ip", sources=_WEB | {"app"}),
            WireField("user_agent", sources=_WEB | {"app"}),
            WireField("locale", sources=_WEB | {"app"}),
        ),
    ),
    WireGroup(
        "properties",
        (
            WireField("value", "number"),
            WireField("currency"),
            WireField("content_type"),
            WireField("num_items", "integer"),
            WireField("order_id"),
            WireField("content_ids", "string_list"),
        ),
        # spec §1.5: "product" when the ids are sku ids (what Segment and RudderStack default to)
        defaults=(GroupDefault("content_type", "product", when="content_ids"),),
    ),
    WireGroup("page", (WireField("url", sources=_WEB), WireField("referrer", sources=_WEB))),
    WireGroup(
        "lead",
        (
            WireField("lead_id", sources=frozenset({"crm"})),
            WireField("lead_event_source", sources=frozenset({"crm"})),
        ),
    ),
)
#: The hashed match keys (SHA-256 of the normalised value, spec §3).
HASHED_KEYS: Final = tuple(f.name for g in EVENT_GROUPS for f in g.fields if f.hashed)


@dataclass(frozen=True)
class MatchKey:
    """A way TikTok can match an event to a person: present when all its fields are."""

    name: str
    fields: tuple[str, ...]


#: The match keys an event can carry (spec §1.4, HELP-MATCH); IP counts only with a user agent.
MATCH_KEYS: Final = (
    *(MatchKey(name, (name,)) for name in HASHED_KEYS),
    MatchKey("ttclid", ("ttclid",)),
    MatchKey("ttp", ("ttp",)),
    MatchKey("ip_ua", ("ip", "user_agent")),
)

#: The request's top-level keys before ``data``, in order: (key, always sent). Optional keys are
#: omitted when empty; ``test_event_code`` sits here, never inside an event (spec §1.2).
ENVELOPE: Final = (
    ("event_source", True),
    ("event_source_id", True),
    ("partner_name", False),
    ("test_event_code", False),
)
DATA_KEY: Final = "data"
DEFAULT_PARTNER_NAME: Final = "tokops"


def fields_for(event_source: str) -> frozenset[str]:
    """The names of the fields an event source sends (spec §1.3–1.4)."""
    names = {f.name for f in EVENT_HEAD}
    names |= {f.name for g in EVENT_GROUPS for f in g.fields if event_source in f.sources}
    return frozenset(names)


def wire_event(record: Mapping[str, Any]) -> dict[str, Any]:
    """The event object of a flat *record* (field name → value, hashes already applied).

    ``None`` values are absent; a group without a present field is omitted. Raises
    :class:`ValueError` for a name the declaration does not know.
    """
    known = {f.name for f in EVENT_HEAD} | {f.name for g in EVENT_GROUPS for f in g.fields}
    unknown = sorted(set(record) - known)
    if unknown:
        raise ValueError(f"not fields of an event: {', '.join(unknown)}")
    event: dict[str, Any] = {f.name: record.get(f.name) for f in EVENT_HEAD}
    for group in EVENT_GROUPS:
        body = {f.name: record[f.name] for f in group.fields if record.get(f.name) is not None}
        for default in group.defaults:
            if default.field not in record and record.get(default.when) is not None:
                body[default.field] = default.value
        if body:
            event[group.name] = body
    return event
