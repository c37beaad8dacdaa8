"""The benchmark's input: N realistic web purchases generated in DuckDB SQL (no Python loop).

Emails and phones are raw and messy (upper case, padding, national French numbers) so that
normalising and hashing them is part of the measured work, as in production.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

TABLE = "bench_orders"
AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 musical_ly_34.1.0",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/127.0 Safari/537.36",
]
DOMAINS = ["gmail.com", "yahoo.fr", "orange.fr", "outlook.com"]

_SQL = """
CREATE OR REPLACE TABLE bench_orders AS
WITH base AS (SELECT i, hash(i) AS h FROM range($n) t(i))
SELECT
    'ORD-' || lpad(CAST(i AS VARCHAR), 9, '0') AS order_id,
    CAST($now AS TIMESTAMPTZ) - to_seconds(CAST(120 + h % 500000 AS BIGINT)) AS created_at,
    'cus_' || CAST(h % 300000 AS VARCHAR) AS customer_id,
    CASE (h >> 4) % 10
        WHEN 0 THEN NULL
        WHEN 1 THEN upper(email)
        WHEN 2 THEN '  ' || email || ' '
        ELSE email
    END AS email,
    CASE (h >> 8) % 5
        WHEN 0 THEN NULL
        WHEN 1 THEN '+33 6 ' || digits
        WHEN 2 THEN '(+33) 7 ' || digits
        ELSE '06' || digits
    END AS phone,
    '82.' || CAST((h >> 12) % 256 AS VARCHAR) || '.' || CAST((h >> 20) % 256 AS VARCHAR)
        || '.' || CAST(1 + (h >> 28) % 254 AS VARCHAR) AS ip,
    $agents[1 + CAST((h >> 36) % 3 AS INTEGER)] AS user_agent,
    ttclid,
    substr(md5('ttp' || CAST(h % 300000 AS VARCHAR)), 1, 27) AS ttp,
    'https://shop.example/products/sku-' || CAST(1000 + (h >> 40) % 40 AS VARCHAR)
        || coalesce('?ttclid=' || ttclid, '') AS landing_url,
    CAST(5 + ((h >> 44) % 20000) / 100.0 AS DECIMAL(12, 2)) AS total_amount,
    CASE WHEN (h >> 50) % 4 = 0 THEN 'USD' ELSE 'EUR' END AS currency,
    'SKU-' || CAST(1000 + (h >> 40) % 40 AS VARCHAR)
        || CASE WHEN (h >> 54) % 3 = 0
            THEN ',SKU-' || CAST(1000 + (h >> 56) % 40 AS VARCHAR) ELSE '' END AS skus
FROM (
    SELECT
        i,
        h,
        'shopper' || CAST(h % 400000 AS VARCHAR) || '@'
            || $domains[1 + CAST((h >> 24) % 4 AS INTEGER)] AS email,
        lpad(CAST((h >> 16) % 100000000 AS VARCHAR), 8, '0') AS digits,
        CASE WHEN (h >> 32) % 2 = 0 THEN 'E.C.P.' || md5(CAST(i AS VARCHAR)) END AS ttclid
    FROM base
)
ORDER BY i
"""


def generate(path: Path, events: int, now: datetime) -> None:
    """Create (or replace) the table of *events* purchases in the DuckDB file *path*."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("SET enable_progress_bar = false")
    try:
        con.execute(_SQL, {"n": events, "now": now, "agents": AGENTS, "domains": DOMAINS})
    finally:
        con.close()


_MESSY_SQL = """
COPY (
    WITH base AS (SELECT i, hash(i) AS h FROM range($n) t(i))
    SELECT
        'ORD-' || lpad(CAST(i AS VARCHAR), 9, '0') AS order_id,
        CAST($now AS TIMESTAMPTZ) - to_seconds(CAST(120 + h % 500000 AS BIGINT)) AS event_time,
        'cus_' || CAST(h % 300000 AS VARCHAR) AS customer_id,
        '  User' || CAST(h % 400000 AS VARCHAR) || '.Name@Example'
            || CAST((h >> 24) % 50 AS VARCHAR) || '.com ' AS email,
        '+336' || lpad(CAST((h >> 16) % 100000000 AS VARCHAR), 8, '0') AS phone,
        '82.' || CAST((h >> 12) % 256 AS VARCHAR) || '.' || CAST((h >> 20) % 256 AS VARCHAR)
            || '.' || CAST(1 + (h >> 28) % 254 AS VARCHAR) AS ip,
        $agents[1 + CAST((h >> 36) % 3 AS INTEGER)] AS user_agent,
        'https://shop.example/products/sku-' || CAST(1000 + (h >> 40) % 40 AS VARCHAR) AS url,
        CAST(5 + ((h >> 44) % 20000) / 100.0 AS DECIMAL(12, 2)) AS value,
        'EUR' AS currency,
        'Purchase' AS event
    FROM base
    ORDER BY i
) TO '$path' (FORMAT parquet)
"""


def generate_messy_parquet(path: Path, events: int, now: datetime) -> None:
    """A Parquet file of *events* web purchases as a CRM exports them: every email padded with
    spaces and capitalised (``'  User1.Name@Example1.com '``, the engine's general normalising
    path), phones already in E.164, columns named like the mapping's fields (no mapping file)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        sql = _MESSY_SQL.replace("$path", str(path).replace("'", "''"))
        con.execute(sql, {"n": events, "now": now, "agents": AGENTS})
    finally:
        con.close()
