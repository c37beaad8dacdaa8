"""Fixed reference data of the simulated world: markets, niches, formats, hashtags, music.

Facts vs choices: GeoNames country ids (``6252001`` = US) and the ``AGE_*``/gender tokens are
TikTok's (``marketing_api.md`` §3.4); every price level, rate and name below is **[EMU]**, set
so the numbers look like a real account's (CPM in the 3–12 USD range, CTR around 1 %, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "AGES",
    "BASE_CPM_USD",
    "BASE_CTA_RATE",
    "BASE_CVR",
    "CONTENT_TYPES",
    "COUNTRIES",
    "CURRENCY_PER_USD",
    "GENDERS",
    "GEO_TO_COUNTRY",
    "LEGACY_OBJECTIVES",
    "MARKETS",
    "NICHES",
    "OBJECTIVES",
    "SEGMENT_EFFECTS",
    "Country",
    "Market",
    "Niche",
]


@dataclass(frozen=True)
class Country:
    code: str
    geo_id: str
    """GeoNames id, as ``location_ids`` takes it."""
    cpm_factor: float
    """Auction price level relative to the US = 1.3 baseline."""


COUNTRIES: Final = {
    c.code: c
    for c in (
        Country("US", "6252001", 1.30),
        Country("CA", "6251999", 1.00),
        Country("MX", "3996063", 0.45),
        Country("BR", "3469034", 0.40),
        Country("FR", "3017382", 0.90),
        Country("BE", "2802361", 0.80),
        Country("DE", "2921044", 1.00),
        Country("GB", "2635167", 1.10),
        Country("ES", "2510769", 0.70),
        Country("IT", "3175395", 0.75),
        Country("JP", "1861060", 1.10),
        Country("AU", "2077456", 1.10),
        Country("SG", "1880251", 0.90),
    )
}
GEO_TO_COUNTRY: Final = {c.geo_id: c.code for c in COUNTRIES.values()}

CURRENCY_PER_USD: Final = {
    "USD": 1.0,
    "EUR": 0.92,
    "GBP": 0.79,
    "JPY": 150.0,
    "AUD": 1.52,
    "BRL": 5.0,
    "MXN": 17.0,
    "SGD": 1.34,
    "CAD": 1.36,
}


@dataclass(frozen=True)
class Market:
    """One ad account's home: time zone, currency, targeted countries, niche, brand."""

    timezone: str
    currency: str
    countries: tuple[str, ...]
    niche: str
    brand: str
    aov_usd: float
    """Average order value of the brand's shop, in USD."""


MARKETS: Final = (
    Market("Europe/Paris", "EUR", ("FR", "BE"), "beauty", "Maison Lumière", 48.0),
    Market("America/Los_Angeles", "USD", ("US", "CA"), "tech", "Voltwave Gear", 62.0),
    Market("Asia/Tokyo", "JPY", ("JP",), "food", "Umami Box", 32.0),
    Market("Europe/London", "GBP", ("GB",), "fashion", "Thread & Thistle", 55.0),
    Market("America/New_York", "USD", ("US",), "fitness", "Peak Pulse", 40.0),
    Market("Australia/Sydney", "AUD", ("AU",), "home", "Saltbush Living", 70.0),
    Market("America/Sao_Paulo", "BRL", ("BR",), "beauty", "Brisa Bela", 25.0),
    Market("Europe/Berlin", "EUR", ("DE",), "tech", "Kraftwerk Labs", 58.0),
    Market("Asia/Singapore", "SGD", ("SG",), "food", "Lion City Bites", 28.0),
    Market("America/Mexico_City", "MXN", ("MX",), "fashion", "Alma Textil", 30.0),
)

GENDERS: Final = ("FEMALE", "MALE", "NONE")
AGES: Final = ("AGE_13_17", "AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100")

OBJECTIVES: Final = (
    "REACH",
    "TRAFFIC",
    "VIDEO_VIEWS",
    "ENGAGEMENT",
    "LEAD_GENERATION",
    "APP_PROMOTION",
    "WEB_CONVERSIONS",
    "PRODUCT_SALES",
    "RF_REACH",
)
"""The current ``objective_type`` values (``marketing_api.md`` §3.2); ``RF_REACH`` is
allowlisted, so the generated world runs none (it has no base rates below)."""
LEGACY_OBJECTIVES: Final = ("CONVERSIONS", "APP_INSTALL", "CATALOG_SALES", "SHOP_PURCHASES")
"""Objectives that reports still show but a new campaign may not take (§3.2)."""
BASE_CPM_USD: Final = {
    "REACH": 3.2,
    "VIDEO_VIEWS": 4.2,
    "ENGAGEMENT": 5.0,
    "TRAFFIC": 6.0,
    "LEAD_GENERATION": 8.5,
    "APP_PROMOTION": 7.5,
    "WEB_CONVERSIONS": 8.0,
    "PRODUCT_SALES": 7.8,
}
BASE_CTA_RATE: Final = {
    "REACH": 0.0022,
    "VIDEO_VIEWS": 0.0020,
    "ENGAGEMENT": 0.0028,
    "TRAFFIC": 0.0075,
    "LEAD_GENERATION": 0.0050,
    "APP_PROMOTION": 0.0050,
    "WEB_CONVERSIONS": 0.0060,
    "PRODUCT_SALES": 0.0065,
}
"""Share of impressions with a CTA click; the reported click rate adds other click kinds."""
BASE_CVR: Final = {
    "LEAD_GENERATION": 0.06,
    "APP_PROMOTION": 0.08,
    "WEB_CONVERSIONS": 0.030,
    "PRODUCT_SALES": 0.025,
}
"""Conversions per destination click of a non-Spark ad (other objectives convert nothing)."""


@dataclass(frozen=True)
class Niche:
    tribe: str
    """COM-1's "tribe" hashtag, e.g. ``#beautytok``."""
    hashtags: tuple[str, ...]
    products: tuple[str, ...]


NICHES: Final = {
    "beauty": Niche(
        "beautytok",
        ("skincare", "glowup", "makeuptutorial", "grwm", "cleanbeauty", "serum"),
        ("Vitamin C Serum", "Hydra Cream", "Rose Toner", "Night Mask", "Lip Oil", "SPF 50 Fluid"),
    ),
    "tech": Niche(
        "techtok",
        ("gadgets", "desksetup", "techreview", "smarthome", "unboxing", "wfh"),
        ("Magnetic Charger", "ANC Earbuds", "Desk Lamp", "Mini Projector", "Cable Kit", "Hub"),
    ),
    "food": Niche(
        "foodtok",
        ("snacks", "recipe", "asmr", "ramen", "japanesefood", "mukbang"),
        ("Miso Ramen Kit", "Matcha Set", "Rice Crackers", "Yuzu Sauce", "Bento Box", "Tea"),
    ),
    "fashion": Niche(
        "fashiontok",
        ("ootd", "outfitideas", "thrift", "streetstyle", "haul", "capsulewardrobe"),
        ("Linen Shirt", "Wool Scarf", "Denim Jacket", "Knit Dress", "Tote Bag", "Loafers"),
    ),
    "fitness": Niche(
        "fittok",
        ("workout", "gymtok", "homeworkout", "protein", "running", "pilates"),
        ("Resistance Bands", "Protein Bar", "Yoga Mat", "Shaker", "Smart Rope", "Grip Set"),
    ),
    "home": Niche(
        "hometok",
        ("homedecor", "cleaningtok", "organization", "cozyhome", "diy", "plants"),
        ("Linen Throw", "Candle Set", "Storage Baskets", "Ceramic Vase", "Diffuser", "Rug"),
    ),
}

CONTENT_TYPES: Final = (
    "challenge",
    "tutorial",
    "unboxing",
    "review",
    "behind_the_scenes",
    "get_ready_with_me",
    "day_in_the_life",
    "before_after",
    "haul",
    "q_and_a",
)
"""Organic post formats (COM-8's challenge / tutorial / unboxing / review, and others)."""

SEGMENT_EFFECTS: Final = {
    "ctr": {
        "AGE_13_17": 0.85,
        "AGE_18_24": 1.15,
        "AGE_25_34": 1.08,
        "AGE_35_44": 0.95,
        "AGE_45_54": 0.85,
        "AGE_55_100": 0.75,
        "FEMALE": 1.08,
        "MALE": 0.92,
        "NONE": 1.0,
    },
    "cvr": {
        "AGE_13_17": 0.30,
        "AGE_18_24": 0.75,
        "AGE_25_34": 1.15,
        "AGE_35_44": 1.30,
        "AGE_45_54": 1.25,
        "AGE_55_100": 1.00,
        "FEMALE": 1.05,
        "MALE": 0.95,
        "NONE": 0.90,
    },
    "cpm": {
        "AGE_13_17": 0.70,
        "AGE_18_24": 0.90,
        "AGE_25_34": 1.05,
        "AGE_35_44": 1.10,
        "AGE_45_54": 1.05,
        "AGE_55_100": 0.95,
    },
}
"""Ground truth: each segment's CTR, CVR and CPM relative to the ad's average (1.0)."""
