"""Every table the ingest writes: names, columns, grain, keys (rendered to ``docs/schema.md``).

The columns and metric sets come from :mod:`tokops.ingest.columns`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from tokops.ingest.columns import (
    AD,
    ADGROUP,
    ADV,
    AUDIENCE_METRICS,
    BUSINESS,
    CAMPAIGN,
    CURRENCY,
    GMV_MAX_METRICS,
    ORGANIC_DAY_METRICS,
    ORGANIC_VIDEO_METRICS,
    REPORT_METRICS,
    STAT_DATE,
    SYNCED,
)
from tokops.ingest.columns import col as _c
from tokops.ingest.columns import metric as _m
from tokops.ingest.schema import Column, Table

__all__ = [
    "AUDIENCE_METRICS",
    "GMV_MAX_METRICS",
    "HOURLY_METRICS",
    "ORGANIC_DAY_METRICS",
    "ORGANIC_VIDEO_METRICS",
    "REPORT_METRICS",
    "TABLES",
    "table",
]


def _daily(name: str, level: str, ids: tuple[Column, ...], doc: str) -> Table:
    return Table(
        name,
        doc,
        f"one row per {level} per day (stat_date, advertiser's time zone) with delivery",
        tuple(dict.fromkeys(("advertiser_id", ids[-1].name, "stat_date"))),
        (*ids, STAT_DATE, CURRENCY, *REPORT_METRICS, SYNCED),
        window="stat_date",
        scope=("advertiser_id",),
    )


#: Metrics of ``ad_hourly``: the additive report metrics (hours are made to be summed; reach,
#: frequency and averages of an hour mean little and are left to the daily tables).
HOURLY_METRICS: Final = tuple(c for c in REPORT_METRICS if c.additive is not False)

_OBJ_TIMES = (
    _c("create_time", "timestamp", "Creation time (UTC)."),
    _c("modify_time", "timestamp", "Last modification time (UTC); missing on some Smart+ objects."),
    _c("operation_status", "text", "ENABLE | DISABLE | DELETE (the switch the user sets)."),
    _c("secondary_status", "text", "Delivery status, e.g. AD_STATUS_DELIVERY_OK."),
    SYNCED,
)

TABLES: Final[tuple[Table, ...]] = (
    Table(
        "advertisers",
        "Ad accounts: currency and the time zone every stat_date of the account is in.",
        "one row per ad account",
        ("advertiser_id",),
        (
            ADV,
            _c("name", "text", "Account name."),
            _c("company", "text", "Company name."),
            _c("currency", "text", "ISO 4217 currency of every amount of the account."),
            _c("timezone", "text", "IANA time zone of the account's report days (stat_date)."),
            _c("display_timezone", "text", "Time zone as TikTok displays it."),
            _c("status", "text", "STATUS_ENABLE, STATUS_LIMIT …"),
            _c("create_time", "timestamp", "Account creation time (UTC)."),
            SYNCED,
        ),
    ),
    Table(
        "campaigns",
        "Campaigns, deleted ones included.",
        "one row per campaign",
        ("advertiser_id", "campaign_id"),
        (
            ADV,
            CAMPAIGN,
            _c("campaign_name", "text", "Name."),
            _c("objective_type", "text", "Objective, e.g. PRODUCT_SALES."),
            _c("budget_mode", "text", "BUDGET_MODE_DAY, BUDGET_MODE_TOTAL …"),
            _c("budget", "money", "Budget in the account currency."),
            _c("campaign_automation_type", "text", "MANUAL | SMART_PLUS …"),
            *_OBJ_TIMES,
        ),
    ),
    Table(
        "adgroups",
        "Ad groups (targeting, bidding), deleted ones included.",
        "one row per ad group",
        ("advertiser_id", "adgroup_id"),
        (
            ADV,
            CAMPAIGN,
            ADGROUP,
            _c("adgroup_name", "text", "Name."),
            _c("budget_mode", "text", "Budget mode."),
            _c("budget", "money", "Budget in the account currency."),
            _c("optimization_goal", "text", "Optimisation goal, e.g. CONVERT."),
            _c("bid_type", "text", "BID_TYPE_NO_BID (lowest cost) | BID_TYPE_CUSTOM (caps)."),
            _c("billing_event", "text", "CPC | CPM | OCPM …"),
            _c("promotion_type", "text", "WEBSITE | TIKTOK_SHOP | …"),
            _c("gender", "text", "Targeted gender."),
            _c("age_groups", "json", "Targeted age groups (JSON list)."),
            _c("location_ids", "json", "Targeted locations, GeoNames IDs (JSON list)."),
            _c("identity_id", "id", "Identity used by the ad group, when set."),
            _c("identity_type", "text", "Identity type."),
            _c("split_test_group_id", "id", "Split test the ad group belongs to."),
            *_OBJ_TIMES,
        ),
    ),
    Table(
        "ads",
        "Ads, deleted ones included; Spark ads carry the organic post they promote.",
        "one row per ad",
        ("advertiser_id", "ad_id"),
        (
            ADV,
            CAMPAIGN,
            ADGROUP,
            AD,
            _c("ad_name", "text", "Name."),
            _c("ad_format", "text", "SINGLE_VIDEO | SINGLE_IMAGE | LIVE_CONTENT | CAROUSEL."),
            _c("identity_type", "text", "AUTH_CODE | TT_USER | BC_AUTH_TT | CUSTOMIZED_USER."),
            _c("identity_id", "id", "Identity the ad runs under."),
            _c("tiktok_item_id", "id", "Organic post promoted (Spark ads); join organic_videos."),
            _c("is_spark", "bool", "True when the ad promotes an existing organic post."),
            _c("call_to_action", "text", "Call to action."),
            _c("landing_page_url", "text", "Landing page."),
            *_OBJ_TIMES,
        ),
    ),
    _daily(
        "advertiser_daily",
        "ad account",
        (ADV,),
        "Daily totals per ad account; the only correct place for account-level reach.",
    ),
    _daily("campaign_daily", "campaign", (ADV, CAMPAIGN), "Daily report per campaign."),
    _daily("adgroup_daily", "ad group", (ADV, CAMPAIGN, ADGROUP), "Daily report per ad group."),
    _daily(
        "ad_daily",
        "ad",
        (ADV, CAMPAIGN, ADGROUP, AD),
        "Daily report per ad: the finest grain of paid delivery.",
    ),
    Table(
        "ad_hourly",
        "Hourly report per ad (BASIC report with `stat_time_hour`; KPI-1 additive metrics, "
        "KPI-5c day-parting). Each day costs one request per page, so only the last "
        "`--hourly-days` local days are kept in sync (7 by default): older hours stay as they "
        "were last pulled, so restated conversions of older days are only in `ad_daily`. An "
        "ad's hours of a day sum to its `ad_daily` row when both were pulled by the same run.",
        "one row per ad per local hour with delivery (advertiser's time zone)",
        ("advertiser_id", "ad_id", "stat_time_hour"),
        (
            ADV,
            CAMPAIGN,
            ADGROUP,
            AD,
            STAT_DATE,
            _c(
                "stat_time_hour",
                "local_timestamp",
                "Start of the hour, wall-clock time in the advertiser's time zone (not UTC). A "
                "spring-forward day has no row for the skipped hour; the repeated hour of a "
                "fall-back day is one row.",
            ),
            CURRENCY,
            *HOURLY_METRICS,
            SYNCED,
        ),
        window="stat_date",
        scope=("advertiser_id",),
    ),
    Table(
        "audience_daily",
        "Daily campaign delivery split by one audience dimension (AUDIENCE report; KPI-5c, "
        "COM-1). Each dimension splits the same totals: filter on `dimension`, never sum "
        "across dimensions.",
        "one row per campaign per day per audience dimension value",
        ("advertiser_id", "campaign_id", "stat_date", "dimension", "segment"),
        (
            ADV,
            CAMPAIGN,
            STAT_DATE,
            _c("dimension", "text", "gender | age | country_code."),
            _c("segment", "text", "The dimension's value, e.g. FEMALE, AGE_25_34, US."),
            CURRENCY,
            *AUDIENCE_METRICS,
            SYNCED,
        ),
        window="stat_date",
        scope=("advertiser_id", "dimension"),
    ),
    Table(
        "split_tests",
        "TikTok Split Tests and the platform's verdict (`/split_test/result/get/`; KPI-5e). "
        "Found through the ad groups' split_test_group_id; the cells' delivery is in ad_daily.",
        "one row per split test",
        ("advertiser_id", "split_test_group_id"),
        (
            ADV,
            _c("split_test_group_id", "id", "Split test ID."),
            _c("split_test_level", "text", "ADGROUP | CAMPAIGN: what the cells are."),
            _c("object_ids", "json", "The two cells' ad group (or campaign) IDs (JSON list)."),
            _c("test_variable", "text", "BIDDING_OPTIMIZATION | TARGTING (sic) | CREATIVE …"),
            _c("key_metric", "text", "Metric the platform picks the winner on."),
            _c("status", "text", "NOT_STARTED | IN_PROGRESS | REPORTING_GENERATING | COMPLETED …"),
            _c("start_time", "timestamp", "Test start (UTC)."),
            _c("end_time", "timestamp", "Planned end, or early end (UTC)."),
            _c("winning_object_id", "id", "The platform's winner (NULL: none, or not over yet)."),
            _c("is_significant", "bool", "Whether the platform found a winner (90 % level)."),
            _c("p_values", "json", "The platform's p-value per metric (JSON object, as sent)."),
            _c("cells", "json", "Per-cell metrics as the platform sent them (JSON list)."),
            SYNCED,
        ),
    ),
    Table(
        "stores",
        "TikTok Shop stores the ad account can advertise (COM-2).",
        "one row per ad account and store",
        ("advertiser_id", "store_id"),
        (
            ADV,
            _c("store_id", "id", "Store ID."),
            _c("store_name", "text", "Store name."),
            _c("store_authorized_bc_id", "id", "Business Center that authorised the store."),
            _c("store_code", "text", "Store code."),
            _c("store_role", "text", "Role of the account on the store."),
            _c("is_gmv_max_available", "bool", "Whether GMV Max can run on the store."),
            SYNCED,
        ),
        group="shop",
    ),
    Table(
        "gmv_max_daily",
        "Daily GMV Max results per campaign and store: Shop orders and revenue.",
        "one row per GMV Max campaign per day (advertiser's time zone)",
        ("advertiser_id", "store_id", "campaign_id", "stat_date"),
        (
            ADV,
            _c("store_id", "id", "Store ID."),
            CAMPAIGN,
            STAT_DATE,
            CURRENCY,
            *GMV_MAX_METRICS,
            SYNCED,
        ),
        group="shop",
        window="stat_date",
        scope=("advertiser_id", "store_id"),
    ),
    Table(
        "shop_products",
        "The catalogue of each TikTok Shop store (`/store/product/get/`; COM-2): a snapshot "
        "replaced per store on every sync, so products gone from the catalogue disappear.",
        "one row per store and product (SPU)",
        ("store_id", "item_group_id"),
        (
            _c("store_id", "id", "Store ID (stores.store_id)."),
            _c("item_group_id", "id", "Product (SPU) ID, as ads and GMV Max use it."),
            _c("title", "text", "Product title."),
            _c("status", "text", "AVAILABLE | NOT_AVAILABLE."),
            _c("gmv_max_ads_status", "text", "OCCUPIED | UNOCCUPIED (by a GMV Max campaign)."),
            _c("category", "text", "Category."),
            _c("min_price", "money", "Lowest SKU price, in `currency`."),
            _c("max_price", "money", "Highest SKU price, in `currency`."),
            _c("currency", "text", "ISO 4217 currency of the prices."),
            _c("product_image_url", "text", "Main image URL."),
            _c("problems", "json", "Fields TikTok sent that could not be read (JSON list)."),
            SYNCED,
        ),
        group="shop",
    ),
    Table(
        "shop_orders",
        "TikTok Shop orders (Shop Partner API `/order/202309/orders/search`; COM-9), pulled "
        "by update time with a look-back and merged by key: a re-run adds no rows and an "
        "updated order replaces its row. No buyer PII is stored: names, e-mails, phones and "
        "addresses are dropped on read; the buyer is only a SHA-256 digest.",
        "one row per order",
        ("shop_id", "order_id"),
        (
            _c("shop_id", "id", "Shop ID (= stores.store_id of the Marketing API)."),
            _c("order_id", "id", "Order ID."),
            _c("status", "text", "UNPAID | AWAITING_SHIPMENT | … | COMPLETED | CANCELLED."),
            _c("create_time", "timestamp", "When the order was placed (UTC)."),
            _c("update_time", "timestamp", "Last update (UTC); the incremental cursor."),
            _c("paid_time", "timestamp", "When it was paid (UTC)."),
            _c("currency", "text", "ISO 4217 currency of the order's amounts."),
            _c("sub_total", "money", "Items after discounts, in `currency`."),
            _c("shipping_fee", "money", "Shipping fee, in `currency`."),
            _c("seller_discount", "money", "Discount funded by the seller."),
            _c("platform_discount", "money", "Discount funded by TikTok."),
            _c("tax", "money", "Tax, in `currency`."),
            _c("total_amount", "money", "What the buyer paid, in `currency`."),
            _c("line_count", "count", "Line items (one per unit sold)."),
            _c("buyer_id_hash", "text", "SHA-256 of the buyer's platform user id (no PII)."),
            _c(
                "problems",
                "json",
                "Fields that could not be read, e.g. a malformed amount left NULL (JSON list).",
            ),
            SYNCED,
        ),
        group="shop",
    ),
    Table(
        "shop_order_lines",
        "Line items of the TikTok Shop orders: one row per unit sold (the API's own grain).",
        "one row per order line item",
        ("shop_id", "order_id", "line_item_id"),
        (
            _c("shop_id", "id", "Shop ID."),
            _c("order_id", "id", "Order ID (shop_orders.order_id)."),
            _c("line_item_id", "id", "Line item ID."),
            _c("product_id", "id", "Product (SPU) ID (shop_products.item_group_id)."),
            _c("sku_id", "id", "SKU ID."),
            _c("product_name", "text", "Product name at the time of the order."),
            _c("sku_name", "text", "SKU name."),
            _c("seller_sku", "text", "The seller's own SKU code."),
            _c("display_status", "text", "Status of the line."),
            _c("currency", "text", "ISO 4217 currency."),
            _c("sale_price", "money", "Price paid for the unit, in `currency`."),
            _c("original_price", "money", "List price of the unit."),
            _c("seller_discount", "money", "Seller-funded discount on the unit."),
            _c("platform_discount", "money", "TikTok-funded discount on the unit."),
            _c("problems", "json", "Fields that could not be read (JSON list)."),
            SYNCED,
        ),
        group="shop",
    ),
    Table(
        "organic_accounts",
        "TikTok business accounts (profile and the latest follower count).",
        "one row per account",
        ("business_id",),
        (
            BUSINESS,
            _c("username", "text", "@handle."),
            _c("display_name", "text", "Display name."),
            _c("profile_image", "text", "Profile image URL."),
            _c("followers_count", "count", "Followers at synced_at (see follower_snapshots)."),
            SYNCED,
        ),
        group="organic",
    ),
    Table(
        "follower_snapshots",
        "Follower count read once per day: the API only gives the count at call time and "
        "cannot backfill it, so this table is the only follower history.",
        "one row per account per UTC day of the reading (the day's latest reading)",
        ("business_id", "snapshot_date"),
        (
            BUSINESS,
            _c("snapshot_date", "date", "UTC date of taken_at."),
            _m("followers_count", "count", "Followers at taken_at.", additive=False),
            _c("taken_at", "timestamp", "When the count was read (UTC)."),
        ),
        group="organic",
    ),
    Table(
        "organic_account_daily",
        "Daily organic account metrics (the API backfills about 60 days).",
        "one row per account per day (the account's day as the API reports it)",
        ("business_id", "stat_date"),
        (
            BUSINESS,
            _c("stat_date", "date", "Day as reported by the API."),
            *ORGANIC_DAY_METRICS,
            SYNCED,
        ),
        group="organic",
        window="stat_date",
        scope=("business_id",),
    ),
    Table(
        "organic_videos",
        "The accounts' posts with their latest lifetime metrics (KPI-3).",
        "one row per post",
        ("business_id", "item_id"),
        (
            BUSINESS,
            _c("item_id", "id", "Post ID (ads.tiktok_item_id for Spark ads)."),
            _c("create_time", "timestamp", "When the post was published (UTC)."),
            _c("caption", "text", "Caption."),
            _c("share_url", "text", "Share URL."),
            _c("thumbnail_url", "text", "Thumbnail URL."),
            _c("video_duration", "decimal", "Length in seconds."),
            _c(
                "hashtags",
                "json",
                "Hashtags (JSON list) when the API returns them; NULL: parse the caption.",
            ),
            _c("content_type", "text", "Format (tutorial, review …) when the API returns it."),
            *ORGANIC_VIDEO_METRICS,
            SYNCED,
        ),
        group="organic",
    ),
    Table(
        "organic_video_snapshots",
        "Lifetime post metrics read once per day; consecutive snapshots give daily views, "
        "likes … per post (KPI-3). Includes paid engagement of Spark ads (SPK-2).",
        "one row per post per UTC day of the reading (the day's latest reading)",
        ("business_id", "item_id", "snapshot_date"),
        (
            BUSINESS,
            _c("item_id", "id", "Post ID."),
            _c("snapshot_date", "date", "UTC date of taken_at."),
            _c("taken_at", "timestamp", "When the metrics were read (UTC)."),
            *ORGANIC_VIDEO_METRICS,
        ),
        group="organic",
    ),
    Table(
        "ingest_cursors",
        "Where each incremental stream stands, per advertiser or account.",
        "one row per stream and scope",
        ("stream", "scope_id"),
        (
            _c("stream", "text", "Stream name, e.g. ad_daily, audience_age."),
            _c("scope_id", "id", "Advertiser ID (or business ID, store ID) the stream is for."),
            _c("synced_from", "date", "First day of the range kept in sync."),
            _c("synced_through", "date", "Last day pulled."),
            _c(
                "settled_through",
                "date",
                "Every day up to this one was pulled after its "
                "look-back had passed: the next sync starts the day after.",
            ),
            _c("updated_at", "timestamp", "When the cursor moved (UTC)."),
        ),
        group="sync",
    ),
    Table(
        "ingest_windows",
        "One checkpoint per stream, scope and window, written in the same transaction as "
        "the window's rows.",
        "one row per stream, scope and date window pulled",
        ("stream", "scope_id", "window_start", "window_end"),
        (
            _c("stream", "text", "Stream name."),
            _c("scope_id", "id", "Advertiser, account or store ID."),
            _c("window_start", "date", "First day of the window."),
            _c("window_end", "date", "Last day of the window."),
            _c("row_count", "count", "Rows written for the window."),
            _c("run_id", "text", "The sync run that wrote it (ingest_runs)."),
            SYNCED,
        ),
        group="sync",
    ),
    Table(
        "ingest_runs",
        "One row per `tokops sync` run with its outcome.",
        "one row per run",
        ("run_id",),
        (
            _c("run_id", "text", "Run ID."),
            _c("command", "text", "ads | organic."),
            _c("started_at", "timestamp", "Start (UTC)."),
            _c("finished_at", "timestamp", "End (UTC); NULL while running or after a crash."),
            _c("status", "text", "running | ok | partial | failed | interrupted."),
            _c("summary", "json", "Per-stream outcome (JSON)."),
        ),
        group="sync",
    ),
)

_BY_NAME: Final[Mapping[str, Table]] = {t.name: t for t in TABLES}
if len(_BY_NAME) != len(TABLES):  # pragma: no cover - guards the table list itself
    raise RuntimeError("duplicate table name")


def table(name: str) -> Table:
    """The table called *name*."""
    return _BY_NAME[name]
