"""Made-up customers and the messy ways real exports write their contact details.

Everything is drawn from one :class:`random.Random`, so a seed always gives the same people.
Phones are valid numbers written the way shop back-offices and CRMs actually hold them:
``(+33) 6 12 34 56 78``, national ``06 12 34 56 78`` (the demo workspace's region is FR),
``0033…``, ``+1 (213) 373-4253``. Emails come upper-cased, padded with spaces, or already
SHA-256-hashed by an upstream tool.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from random import Random
from typing import Final

__all__ = [
    "CALLING_CODES",
    "PHONE_REGION",
    "USER_AGENTS",
    "Customer",
    "make_customers",
    "messy_email",
    "messy_phone",
    "random_ip",
    "random_ttclid",
    "random_ttp",
]

PHONE_REGION: Final = "FR"
"""Default region of national phone numbers in the demo shop (a French shop)."""

_FIRST: Final = (
    "Alice Bruno Camille Chloé David Emma Hugo Inès Jules Léa Louis Manon Nathan Noah Olivia "
    "Paul Rose Sarah Théo Zoé Amir Yasmine Lucas Jade Mia Omar Ethan Grace Liam Sofia"
).split()
_LAST: Final = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia Smith Johnson Brown Müller Schmidt Rossi García O'Brien Nguyen"
).split()
_DOMAINS: Final = (
    "gmail.com",
    "gmail.com",
    "yahoo.fr",
    "orange.fr",
    "hotmail.com",
    "outlook.com",
    "free.fr",
    "icloud.com",
    "proton.me",
)

USER_AGENTS: Final = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 musical_ly_34.1.0 JsSdk/2.0 NetType/WIFI",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.122 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 trill_350103",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/127.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
)

_ALNUM: Final = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Customer:
    """One shopper: canonical contact details (before anyone makes them messy)."""

    customer_id: str
    first_name: str
    last_name: str
    email: str
    """Canonical lower-case address."""
    country: str
    """``FR``, ``US``, ``DE``, ``GB`` or ``ES``: decides the phone number and the currency."""
    phone_national: str
    """National significant number, digits only (no trunk prefix, no country code)."""
    ttp: str
    """The ``_ttp`` first-party cookie of the shopper's browser (27 characters)."""
    ip: str
    user_agent: str


_COUNTRIES: Final = (("FR", 60), ("US", 20), ("DE", 8), ("GB", 7), ("ES", 5))
CALLING_CODES: Final = {"FR": "33", "US": "1", "DE": "49", "GB": "44", "ES": "34"}


def _ascii(text: str) -> str:
    table = str.maketrans("éèëïüöáíç", "eeeiuoaic")
    return text.lower().translate(table).replace("'", "")


def _national_number(rng: Random, country: str) -> str:
    if country == "FR":
        return rng.choice("67") + "".join(rng.choices(string.digits, k=8))
    if country == "US":
        area = rng.choice(("213", "415", "646", "312", "305", "512"))
        return area + rng.choice("23456789") + "".join(rng.choices(string.digits, k=6))
    if country == "DE":
        return "15" + "".join(rng.choices(string.digits, k=9))
    if country == "GB":
        return "7" + "".join(rng.choices(string.digits, k=9))
    return "6" + "".join(rng.choices(string.digits, k=8))


def random_ip(rng: Random) -> str:
    """A public-looking client address, IPv4 mostly, sometimes a compressed IPv6."""
    if rng.random() < 0.15:
        groups = [f"{rng.randrange(0x10000):x}" for _ in range(4)]
        return "2a01:" + ":".join(groups[:3]) + "::" + groups[3]
    first = rng.choice((31, 37, 46, 78, 82, 86, 90, 92, 109, 176, 185, 193))
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def random_ttp(rng: Random) -> str:
    return "".join(rng.choices(_ALNUM, k=27))


def random_ttclid(rng: Random) -> str:
    """A TikTok click id as it appears in landing URLs (``E.C.P.`` prefix)."""
    return "E.C.P." + "".join(rng.choices(_ALNUM + "-_", k=52))


def make_customers(rng: Random, count: int) -> list[Customer]:
    """*count* distinct shoppers (emails and customer ids are unique)."""
    weights = [w for _, w in _COUNTRIES]
    names = [c for c, _ in _COUNTRIES]
    out: list[Customer] = []
    for i in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        sep = rng.choice((".", "_", "", "-"))
        email = f"{_ascii(first)}{sep}{_ascii(last)}{i}@{rng.choice(_DOMAINS)}"
        country = rng.choices(names, weights)[0]
        out.append(
            Customer(
                customer_id=f"cus_{i:06d}",
                first_name=first,
                last_name=last,
                email=email,
                country=country,
                phone_national=_national_number(rng, country),
                ttp=random_ttp(rng),
                ip=random_ip(rng),
                user_agent=rng.choice(USER_AGENTS),
            )
        )
    return out


def messy_email(rng: Random, email: str) -> str:
    """The address as an export might hold it; always normalises back to *email*."""
    roll = rng.random()
    if roll < 0.55:
        return email
    if roll < 0.70:
        return email.upper()
    if roll < 0.80:
        local, domain = email.split("@")
        return f"{local.capitalize()}@{domain.capitalize()}"
    if roll < 0.90:
        return f"  {email} "
    if roll < 0.95:
        return hashlib.sha256(email.encode()).hexdigest()
    return hashlib.sha256(email.encode()).hexdigest().upper()


def _spaced_pairs(digits: str) -> str:
    return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def messy_phone(rng: Random, customer: Customer) -> str:
    """A valid number written in one of the many real-world ways.

    French numbers may be national (``06 12 34 56 78``) because the demo's default region is FR;
    every other country is written with its calling code.
    """
    nat = customer.phone_national
    cc = CALLING_CODES[customer.country]
    roll = rng.random()
    if customer.country == "FR":
        if roll < 0.30:
            return _spaced_pairs("0" + nat)
        if roll < 0.45:
            return "0" + nat
        if roll < 0.60:
            return f"(+33) {nat[0]} {_spaced_pairs(nat[1:])}"
        if roll < 0.75:
            return f"+33 {nat[0]} {_spaced_pairs(nat[1:])}"
        if roll < 0.85:
            return "0033" + nat
        if roll < 0.95:
            return f"+33.{nat[0]}." + ".".join(nat[i : i + 2] for i in range(1, len(nat), 2))
        e164 = "+33" + nat
        return hashlib.sha256(e164.encode()).hexdigest()
    if customer.country == "US":
        if roll < 0.5:
            return f"+1 ({nat[:3]}) {nat[3:6]}-{nat[6:]}"
        if roll < 0.8:
            return f"+1-{nat[:3]}-{nat[3:6]}-{nat[6:]}"
        return f"001 {nat[:3]} {nat[3:6]} {nat[6:]}"
    if roll < 0.6:
        return f"+{cc} {nat}"
    return f"00{cc}{nat}"
