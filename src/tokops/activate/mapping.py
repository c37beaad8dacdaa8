"""Which source column feeds which Events API field: detection, mapping files, proposals.

Columns named like the fields (``event, event_time, event_id, email, phone, external_id, ip,
user_agent, ttclid, ttp, url, referrer, value, currency, content_ids, content_type, num_items,
order_id, lead_id, lead_event_source, locale``) map themselves. For other shapes,
``tokops events map SRC`` proposes a mapping file by matching synonyms (``customer_email`` →
email, ``amount`` → value, ``created_at`` → event_time …) that the user reviews (EVT-5: connecting
a warehouse table takes minutes). A mapping file is TOML::

    [columns]              # field = "source column"
    email = "customer_email"
    value = "amount"

    [constants]            # field = the same value for every row
    event = "Purchase"
    currency = "EUR"
    url = "https://shop.example/checkout"   # web rows without a page URL column

    [formats]              # how the source writes times and amounts (all optional)
    event_time_format = "%m/%d/%Y %I:%M %p"   # or "day-first", "month-first", "iso"
    timezone = "Europe/Paris"                  # zone of times written without one
    value_locale = "fr"                        # "19,99" and "1 234,50 €" (en: "$1,234.50")

The formats are explained in :mod:`.formats`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from tokops.activate.formats import check_timezone, compile_time_format, decimal_mark
from tokops.errors import ConfigError

__all__ = [
    "FIELDS",
    "FieldMapping",
    "Match",
    "MappingProposal",
    "Missing",
    "detect_mapping",
    "load_mapping",
    "propose_mapping",
    "required_problems",
    "resolve_mapping",
    "to_toml",
]

EventSourceName = Literal["web", "offline", "crm"]
Constant = str | int | float

#: Every field a source row can feed, in the order mapping files list them.
FIELDS: Final = (
    "event",
    "event_time",
    "event_id",
    "order_id",
    "email",
    "phone",
    "external_id",
    "ip",
    "user_agent",
    "ttclid",
    "ttp",
    "locale",
    "url",
    "referrer",
    "value",
    "currency",
    "content_ids",
    "content_type",
    "num_items",
    "lead_id",
    "lead_event_source",
)

#: Fields that may be given as a constant (never identities, times or ids).
CONSTANT_FIELDS: Final = frozenset(
    {
        "event",
        "currency",
        "content_type",
        "lead_event_source",
        "locale",
        "value",
        "num_items",
        "url",
    }
)
#: Keys of the ``[formats]`` section (see :mod:`.formats`).
FORMAT_KEYS: Final = ("event_time_format", "timezone", "value_locale")
URL_EXAMPLE: Final = "https://shop.example/checkout"
#: What a proposed mapping file says about ``[formats]`` (as comments).
FORMATS_HELP: Final = (
    'event_time_format = "%m/%d/%Y %I:%M %p"  # or "day-first", "month-first"; default ISO',
    'timezone = "Europe/Paris"  # zone of times written without one (default: UTC)',
    'value_locale = "fr"  # amounts such as "19,99" or "1 234,50 €" ("en": "$1,234.50")',
)

#: Synonyms, best first (compared after lower-casing and turning non-alphanumerics into "_").
SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "event": ("event_name", "event_type", "conversion", "conversion_name", "action", "type"),
    "event_time": (
        "created_at",
        "order_date",
        "timestamp",
        "event_timestamp",
        "occurred_at",
        "purchased_at",
        "ordered_at",
        "order_time",
        "time",
        "ts",
        "date",
        "datetime",
        "created",
        "updated_at",
    ),
    "event_id": ("eventid", "dedup_id", "deduplication_id", "message_id"),
    "order_id": ("order_number", "order_no", "transaction_id", "invoice_id", "receipt_id"),
    "email": ("customer_email", "email_address", "mail", "e_mail", "user_email", "emailaddress"),
    "phone": (
        "phone_number",
        "customer_phone",
        "mobile",
        "mobile_phone",
        "telephone",
        "tel",
        "msisdn",
        "cell",
    ),
    "external_id": ("customer_id", "user_id", "client_id", "member_id", "contact_id", "uid"),
    "ip": ("ip_address", "client_ip", "ipaddress", "remote_addr"),
    "user_agent": ("useragent", "ua", "browser_user_agent"),
    "ttclid": ("click_id", "tiktok_click_id"),
    "ttp": ("_ttp", "ttp_cookie", "tiktok_cookie"),
    "locale": ("language", "lang"),
    "url": ("page_url", "landing_page", "page", "page_location", "location"),
    "referrer": ("referer", "page_referrer", "referrer_url"),
    "value": ("amount", "total", "revenue", "order_total", "total_price", "order_value", "sales"),
    "currency": ("currency_code", "curr", "iso_currency"),
    "content_ids": (
        "sku",
        "skus",
        "product_ids",
        "product_id",
        "item_ids",
        "item_id",
        "content_id",
    ),
    "content_type": ("item_type",),
    "num_items": ("quantity", "qty", "items", "item_count", "units"),
    "lead_id": ("lead", "tiktok_lead_id", "leadid"),
    "lead_event_source": ("crm", "crm_name", "lead_source"),
}

#: Words that, as a part of a column name, point at a field (last-resort matching).
KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    "email": ("email", "mail"),
    "phone": ("phone", "mobile"),
    "value": ("amount", "revenue", "total"),
    "currency": ("currency",),
    "event_time": ("timestamp", "date", "time"),
    "order_id": ("order",),
}


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class FieldMapping:
    """Field → source column, plus fields given as one constant for every row."""

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Constant] = field(default_factory=dict)
    event_time_format: str | None = None
    """How text times are written (a style or a strptime pattern); None: ISO or unix."""
    timezone: str | None = None
    """The zone of times written without one (None: the workspace's, else UTC)."""
    value_locale: str | None = None
    """The language whose decimal mark amounts use (None: plain numbers only)."""

    def fields(self) -> set[str]:
        return set(self.columns) | set(self.constants)


@dataclass(frozen=True)
class Match:
    field: str
    column: str
    how: Literal["name", "synonym", "keyword"]


@dataclass(frozen=True)
class Missing:
    field: str
    hint: str


@dataclass(frozen=True)
class MappingProposal:
    mapping: FieldMapping
    matches: tuple[Match, ...]
    missing: tuple[Missing, ...]
    """Fields that are required or recommended for the event source and were not found."""
    unused: tuple[str, ...]
    """Source columns nothing was mapped from."""
    notes: tuple[str, ...] = ()
    """Assumptions the proposal made (to check before use)."""


def detect_mapping(columns: Sequence[str]) -> FieldMapping:
    """Columns named exactly like a field (case and punctuation aside) map themselves."""
    return FieldMapping(columns={m.field: m.column for m in _match(columns, synonyms=False)})


def _match(columns: Sequence[str], *, synonyms: bool) -> list[Match]:
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(_norm(col), col)
    taken: set[str] = set()
    found: dict[str, Match] = {}

    def take(target: str, col: str, how: Literal["name", "synonym", "keyword"]) -> None:
        if target not in found and col not in taken:
            found[target] = Match(target, col, how)
            taken.add(col)

    for target in FIELDS:
        if target in by_norm:
            take(target, by_norm[target], "name")
    if synonyms:
        for target in FIELDS:
            for syn in SYNONYMS.get(target, ()):
                if syn in by_norm:
                    take(target, by_norm[syn], "synonym")
        for target, col in _keyword_matches(columns):
            take(target, col, "keyword")
    return [found[t] for t in FIELDS if t in found]


def _recommendations(source: EventSourceName, mapped: set[str]) -> list[Missing]:
    out: list[Missing] = []
    if "event" not in mapped:
        out.append(
            Missing("event", 'required: add a column or a constant, e.g. event = "Purchase"')
        )
    if "event_time" not in mapped:
        out.append(
            Missing(
                "event_time",
                "required: a timestamp, unix seconds/ms, ISO-8601, or text in a format declared "
                "in [formats] (e.g. day-first dates)",
            )
        )
    if source == "web" and "url" not in mapped:
        out.append(
            Missing(
                "url",
                "required for web events: a page URL column, or when the rows have none a "
                f'constant for every row in [constants], e.g. url = "{URL_EXAMPLE}"',
            )
        )
    if source == "crm" and "lead_id" not in mapped:
        out.append(Missing("lead_id", "required for crm events: the TikTok lead id"))
    idents = {"email", "phone", "external_id"} & mapped
    if not idents:
        need = "required for offline events" if source == "offline" else "recommended"
        out.append(Missing("email/phone/external_id", f"{need}: at least one match key"))
    if "event_id" not in mapped and "order_id" not in mapped:
        out.append(
            Missing("event_id", "recommended: without it a stable id is derived from the row")
        )
    if "value" in mapped and "currency" not in mapped:
        out.append(Missing("currency", 'recommended with value: e.g. currency = "USD"'))
    return out


def propose_mapping(
    columns: Sequence[str], event_source: EventSourceName = "web"
) -> MappingProposal:
    """A mapping for a source of another shape, by names, synonyms and keywords."""
    matches = _match(columns, synonyms=True)
    cols = {m.field: m.column for m in matches}
    constants: dict[str, Constant] = {}
    notes: list[str] = []
    if "event" not in cols and ({"order_id", "value"} & set(cols)):
        constants["event"] = "Purchase"
        notes.append('no event column: every row is sent as event = "Purchase" (edit if needed)')
    mapping = FieldMapping(columns=cols, constants=constants)
    used = {m.column for m in matches}
    return MappingProposal(
        mapping=mapping,
        matches=tuple(matches),
        missing=tuple(_recommendations(event_source, mapping.fields())),
        unused=tuple(c for c in columns if c not in used),
        notes=tuple(notes),
    )


def required_problems(mapping: FieldMapping, event_source: EventSourceName) -> list[str]:
    """What a sync cannot do without (each a sentence); empty when the mapping is usable."""
    return [
        f"{m.field} — {m.hint}"
        for m in _recommendations(event_source, mapping.fields())
        if m.hint.startswith("required")
    ]


def resolve_mapping(
    columns: Sequence[str], explicit: FieldMapping | None, event_source: EventSourceName
) -> FieldMapping:
    """The mapping a sync uses: the explicit one, completed by self-named columns.

    Raises :class:`ConfigError` when the mapping names a column the source does not have, or
    when a required field (event, event_time; url for web; lead_id for crm; a match key for
    offline) has no column and no constant.
    """
    auto = detect_mapping(columns)
    explicit = explicit or FieldMapping()
    missing_cols = [c for c in explicit.columns.values() if c not in columns]
    if missing_cols:
        names = ", ".join(repr(c) for c in missing_cols)
        raise ConfigError(f"the mapping refers to column(s) not in the source: {names}")
    cols = dict(explicit.columns)
    for target, col in auto.columns.items():
        if target not in cols and target not in explicit.constants:
            cols[target] = col
    mapping = FieldMapping(
        columns=cols,
        constants=dict(explicit.constants),
        event_time_format=explicit.event_time_format,
        timezone=explicit.timezone,
        value_locale=explicit.value_locale,
    )
    problems = required_problems(mapping, event_source)
    if problems:
        raise ConfigError(
            "the source cannot be synced as it is: "
            + "; ".join(problems)
            + ". Run `tokops events map SRC` to propose a mapping file."
        )
    return mapping


def _keyword_matches(columns: Sequence[str]) -> list[tuple[str, str]]:
    """(field, column) for each column whose name holds one of a field's keywords."""
    return [
        (target, col)
        for target, words in KEYWORDS.items()
        for col in columns
        if set(words) & set(_norm(col).split("_"))
    ]


def load_mapping(path: Path) -> FieldMapping:
    """Read and check a mapping file (unknown fields and wrong types are a ConfigError)."""
    raw = _read_toml(path)
    unknown_sections = set(raw) - {"columns", "constants", "formats"}
    if unknown_sections:
        raise ConfigError(f"{path}: unknown section(s) {sorted(unknown_sections)}")
    columns = raw.get("columns", {})
    constants = raw.get("constants", {})
    formats = raw.get("formats", {})
    if not all(isinstance(x, dict) for x in (columns, constants, formats)):
        raise ConfigError(f"{path}: [columns], [constants] and [formats] must be tables")
    _check_columns(path, columns)
    _check_constants(path, constants, columns)
    checked = check_formats(formats, where=f"{path}: ")
    return FieldMapping(columns=dict(columns), constants=dict(constants), **checked)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such mapping file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _check_columns(path: Path, columns: dict[str, Any]) -> None:
    for key, value in columns.items():
        if key not in FIELDS:
            raise ConfigError(f"{path}: unknown field {key!r} (known: {', '.join(FIELDS)})")
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}: columns.{key} must be a column name (a string)")


def _check_constants(path: Path, constants: dict[str, Any], columns: dict[str, Any]) -> None:
    for key, value in constants.items():
        if key not in CONSTANT_FIELDS:
            allowed = ", ".join(sorted(CONSTANT_FIELDS))
            raise ConfigError(f"{path}: {key!r} cannot be a constant (allowed: {allowed})")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ConfigError(f"{path}: constants.{key} must be a string or a number")
        if key in columns:
            raise ConfigError(f"{path}: {key!r} is both a column and a constant")
        if key == "url" and not _is_url(value):
            raise ConfigError(
                f"{path}: constants.url must be an http(s) URL such as {URL_EXAMPLE!r}"
            )


def _is_url(value: Constant) -> bool:
    return isinstance(value, str) and re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value) is not None


def check_formats(formats: dict[str, object], *, where: str = "") -> dict[str, str]:
    """The ``[formats]`` keys of a mapping, checked (unknown keys, formats, zones, locales)."""
    out: dict[str, str] = {}
    for key, value in formats.items():
        if key not in FORMAT_KEYS:
            raise ConfigError(f"{where}unknown format {key!r} (known: {', '.join(FORMAT_KEYS)})")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}formats.{key} must be a non-empty string")
        try:
            if key == "event_time_format":
                compile_time_format(value)
            elif key == "timezone":
                check_timezone(value)
            else:
                decimal_mark(value)
        except ConfigError as exc:
            raise ConfigError(f"{where}formats.{key}: {exc}") from None
        out[key] = value
    return out


def _toml_str(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Constant) -> str:
    return _toml_str(value) if isinstance(value, str) else repr(value)


def to_toml(
    mapping: FieldMapping, *, missing: Iterable[Missing] = (), header: str | None = None
) -> str:
    """A mapping file (round-trips through :func:`load_mapping`), missing fields as comments."""
    lines: list[str] = []
    if header:
        lines += [f"# {line}" for line in header.splitlines()]
    lines.append("[columns]")
    for target in FIELDS:
        if target in mapping.columns:
            lines.append(f"{target} = {_toml_str(mapping.columns[target])}")
    lines += ["", "[constants]"]
    for target in FIELDS:
        if target in mapping.constants:
            lines.append(f"{target} = {_toml_value(mapping.constants[target])}")
    for miss in missing:
        lines.append(f"# {miss.field}: {miss.hint}")
        if miss.field == "url":
            lines.append(f"# url = {_toml_str(URL_EXAMPLE)}")
    formats = {k: getattr(mapping, k) for k in FORMAT_KEYS if getattr(mapping, k) is not None}
    if formats:
        lines += ["", "[formats]"]
        lines += [f"{k} = {_toml_str(v)}" for k, v in formats.items()]
    else:
        lines += ["", "# [formats]  (optional: uncomment and edit what applies to the source)"]
        lines += [f"# {line}" for line in FORMATS_HELP]
    return "\n".join(lines) + "\n"
