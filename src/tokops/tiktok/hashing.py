"""Reference normalisation and SHA-256 hashing of match keys, as the Events API spec states.

This is the *reference* (one value at a time) used by tests, the Pixel simulator and small
callers. Bulk work (the events sync) does the same in the store's engine
(:mod:`tokops.activate.normalize`), and property tests check that both agree.

Rules (``../shared/specs/events_api.md`` §3):
- email: trim, lowercase, then SHA-256 lowercase hex.
- phone: E.164 (``+`` country code and number, digits only), then SHA-256. Numbers written
  without a country code take the default region's calling code, after dropping the region's
  national (trunk) prefix.
- external_id: trim only (keep case), then SHA-256 (DESIGN choice in the spec).
- a value that already is 64 hex characters passes through (lower-cased), never double-hashed.
- empty values are omitted (``None``), never hashed (sha256("") is a classic bug).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import phonenumbers

__all__ = [
    "EMAIL_RE",
    "HASHED_RE",
    "PHONE_E164_RE",
    "hash_email",
    "hash_external_id",
    "hash_phone",
    "is_hashed",
    "normalize_email",
    "normalize_phone",
    "region_dialing",
    "sha256_hex",
]

HASHED_RE = re.compile(r"^[A-Fa-f0-9]{64}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def is_hashed(value: str) -> bool:
    return bool(HASHED_RE.match(value))


def normalize_email(raw: str | None) -> str | None:
    """Trimmed, lower-cased email, or ``None`` when empty or not an email."""
    if raw is None:
        return None
    value = raw.strip().lower()
    if not value or not EMAIL_RE.match(value):
        return None
    return value


@lru_cache(maxsize=256)
def region_dialing(region: str) -> tuple[str, str]:
    """``(country calling code, national trunk prefix)`` for a region, e.g. FR → ("33", "0")."""
    code = phonenumbers.country_code_for_region(region.upper())
    if not code:
        raise ValueError(f"unknown phone region {region!r}")
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    prefix = (meta.national_prefix if meta is not None else None) or ""
    return str(code), prefix


def normalize_phone(raw: str | None, default_region: str = "US") -> str | None:
    """E.164 form of *raw*, or ``None`` when empty or not a plausible phone number.

    Mirrors the engine version exactly: keep digits and ``+``; ``+…`` and ``00…`` are
    international; otherwise drop the region's trunk prefix and prepend its calling code.
    Letters make the value invalid.
    """
    if raw is None:
        return None
    value = raw.strip()
    if not value or re.search(r"[A-Za-z]", value):
        return None
    kept = re.sub(r"[^0-9+]", "", value)
    digits = re.sub(r"[^0-9]", "", kept)
    if not digits:
        return None
    if kept.startswith("+"):
        e164 = "+" + digits
    elif digits.startswith("00"):
        e164 = "+" + digits[2:]
    else:
        code, prefix = region_dialing(default_region)
        national = digits[len(prefix) :] if prefix and digits.startswith(prefix) else digits
        e164 = "+" + code + national
    return e164 if PHONE_E164_RE.match(e164) else None


def _hash_or_pass(normalized: str | None, raw: str | None) -> str | None:
    if raw is not None and is_hashed(raw.strip()):
        return raw.strip().lower()
    return sha256_hex(normalized) if normalized else None


def hash_email(raw: str | None) -> str | None:
    return _hash_or_pass(normalize_email(raw), raw)


def hash_phone(raw: str | None, default_region: str = "US") -> str | None:
    if raw is not None and is_hashed(raw.strip()):
        return raw.strip().lower()
    return _hash_or_pass(normalize_phone(raw, default_region), raw)


def hash_external_id(raw: str | None) -> str | None:
    if raw is None:
        return None
    value = raw.strip()
    return _hash_or_pass(value or None, raw)
