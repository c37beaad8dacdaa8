"""``crm_leads.csv`` and its ``crm_mapping.toml``: lead activity as a CRM exports it.

The CRM names its columns its own way ("E-mail Address", "Stage" …), so the sync needs the
mapping file to know which column is the event, the time, the email (EVT-3, EVT-5).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from random import Random
from typing import Final

from tokops.demo._records import HOSTILE_NOTES, Record, iso_time, mix, outcomes, write_csv
from tokops.demo.people import Customer, messy_email, messy_phone
from tokops.demo.truth import FileTruth, tally

__all__ = ["CRM_COLUMNS", "MAPPING_FILE", "write_crm"]

FILE: Final = "crm_leads.csv"
MAPPING_FILE: Final = "crm_mapping.toml"

CRM_COLUMNS: Final = (
    "Activity ID",
    "Lead ID",
    "Stage",
    "Created On",
    "E-mail Address",
    "Mobile Phone",
    "Owner",
    "Comments",
)

#: Funnel steps a lead goes through, in order (standard event names, spec §2).
_FUNNEL: Final = ("Lead", "SubmitApplication", "Schedule", "ApplicationApproval")
_OWNERS: Final = ("Claire", "Mehdi", "Sophie", "Tom")

MAPPING_TEXT: Final = """\
# How crm_leads.csv's columns map to Events API fields (target = "source column").
[columns]
event_id = "Activity ID"
lead_id = "Lead ID"
event = "Stage"
event_time = "Created On"
email = "E-mail Address"
phone = "Mobile Phone"

[constants]
lead_event_source = "HubSpot"
"""


def _activity(
    rng: Random, number: int, lead: str, step: str, at: datetime, c: Customer
) -> dict[str, str]:
    email = messy_email(rng, c.email) if rng.random() < 0.9 else ""
    return {
        "Activity ID": f"ACT-{number:07d}",
        "Lead ID": lead,
        "Stage": step,
        "Created On": iso_time(at, rng),
        "E-mail Address": email,
        "Mobile Phone": messy_phone(rng, c) if not email or rng.random() < 0.6 else "",
        "Owner": rng.choice(_OWNERS),
        "Comments": "",
    }


def _clean(
    rng: Random, customers: list[Customer], now: datetime, count: int
) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    lead_number = 0
    while len(rows) < count:
        lead_number += 1
        c = rng.choice(customers)
        lead = f"L-{lead_number:06d}"
        at = now - timedelta(seconds=rng.uniform(3600, 20 * 86400))
        steps = rng.choices((1, 2, 3, 4), (50, 30, 15, 5))[0]
        for step in _FUNNEL[:steps]:
            if len(rows) == count:
                break
            rows.append(_activity(rng, len(rows) + 1, lead, step, at, c))
            at = min(at + timedelta(hours=rng.uniform(1, 72)), now - timedelta(minutes=30))
    rows.sort(key=lambda r: r["Activity ID"])
    return rows


def _dirty(
    rng: Random, customers: list[Customer], now: datetime, start: int, each: int
) -> list[Record]:
    kinds: list[tuple[str, dict[str, str]]] = [
        ("missing_event", {"Stage": ""}),
        ("missing_lead", {"Lead ID": ""}),
        ("invalid_email", {"E-mail Address": "paul@localhost", "Mobile Phone": ""}),
        ("future_time", {"Created On": iso_time(now + timedelta(days=3), rng)}),
        ("too_old", {"Created On": iso_time(now - timedelta(days=40), rng)}),
    ]
    records: list[Record] = []
    number = start
    for reason, patch in kinds:
        for _ in range(each):
            at = now - timedelta(days=rng.uniform(1, 10))
            c = rng.choice(customers)
            row = _activity(rng, number, f"L-9{number:05d}", "Lead", at, c)
            row["E-mail Address"] = c.email
            row.update(patch)
            records.append((row, "invalid", reason))
            number += 1
    when = iso_time(now, rng)
    broken = f"ACT-{number:07d},L-999999,Lead,{when},x@example.com,,Tom,call back, maybe, later"
    records.append((broken, "unreadable", "malformed_line"))
    return records


def write_crm(
    folder: Path, rng: Random, customers: list[Customer], now: datetime, count: int
) -> FileTruth:
    """Write ``crm_leads.csv`` (*count* valid activities in the last 3 weeks) and its mapping."""
    clean = _clean(rng, customers, now, count)
    for text in HOSTILE_NOTES:
        rng.choice(clean)["Comments"] = text
    dirty = _dirty(rng, customers, now, count + 1, max(1, count // 400))
    records = mix(rng, clean, dirty, duplicates=max(2, count // 100))
    write_csv(folder / FILE, CRM_COLUMNS, records)
    (folder / MAPPING_FILE).write_text(MAPPING_TEXT, encoding="utf-8")
    return tally("crm_leads", FILE, outcomes(records))
