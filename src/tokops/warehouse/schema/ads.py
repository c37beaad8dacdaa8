"""The paid tables: ad accounts, campaigns, ad groups, ads, their reports and the split tests."""

from __future__ import annotations

from typing import Final

from tokops.warehouse.schema.columns import (
    AD,
    ADGROUP,
    ADV,
    AUDIENCE_COLUMNS,
    CAMPAIGN,
    CURRENCY,
    HOURLY_COLUMNS,
    OBJECT_TIMES,
    REPORT_COLUMNS,
    STAT_DATE,
    SYNCED,
    col,
)
from tokops.warehouse.schema.table import Column, Table

__all__ = [
    "ADGROUPS",
    "ADGROUP_DAILY",
    "ADS",
    "ADVERTISERS",
    "ADVERTISER_DAILY",
    "AD_DAILY",
    "AD_HOURLY",
    "AUDIENCE_DAILY",
    "CAMPAIGNS",
    "CAMPAIGN_DAILY",
    "SPLIT_TESTS",
]


def _daily(name: str, level: str, ids: tuple[Column, ...], doc: str) -> Table:
    return Table(
        name,
        doc,
        f"one row per {level} per day (stat_date, advertiser's time zone) with delivery",
        tuple(dict.fromkeys(("advertiser_id", ids[-1].name, "stat_date"))),
        (*ids, STAT_DATE, CURRENCY, *REPORT_COLUMNS, SYNCED),
        window="stat_date",
        scope=("advertiser_id",),
    )


ADVERTISERS: Final = Table(
    "advertisers",
    "Ad accounts: currency and the time zone every stat_date of the account is in.",
    "one row per ad account",
    ("advertiser_id",),
    (
        ADV,
        col("name", "text", "Account name."),
        col("company", "text", "Company name."),
        col("currency", "text", "ISO 4217 currency of every amount of the account."),
        col("timezone", "text", "IANA time zone of the account's report days (stat_date)."),
        col("display_timezone", "text", "Time zone as TikTok displays it."),
        col("status", "text", "STATUS_ENABLE, STATUS_LIMIT …"),
        col("create_time", "timestamp", "Account creation time (UTC)."),
        SYNCED,
    ),
)
CAMPAIGNS: Final = Table(
    "campaigns",
    "Campaigns, deleted ones included.",
    "one row per campaign",
    ("advertiser_id", "campaign_id"),
    (
        ADV,
        CAMPAIGN,
        col("campaign_name", "text", "Name."),
        col("objective_type", "text", "Objective, e.g. PRODUCT_SALES."),
        col("budget_mode", "text", "BUDGET_MODE_DAY, BUDGET_MODE_TOTAL …"),
        col("budget", "money", "Budget in the account currency."),
        col("campaign_automation_type", "text", "MANUAL | SMART_PLUS …"),
        *OBJECT_TIMES,
    ),
)
ADGROUPS: Final = Table(
    "adgroups",
    "Ad groups (targeting, bidding), deleted ones included.",
    "one row per ad group",
    ("advertiser_id", "adgroup_id"),
    (
        ADV,
        CAMPAIGN,
        ADGROUP,
        col("adgroup_name", "text", "Name."),
        col("budget_mode", "text", "Budget mode."),
        col("budget", "money", "Budget in the account currency."),
        col("optimization_goal", "text", "Optimisation goal, e.g. CONVERT."),
        col("bid_type", "text", "BID_TYPE_NO_BID (lowest cost) | BID_TYPE_CUSTOM (caps)."),
        col("billing_event", "text", "CPC | CPM | OCPM …"),
        col("promotion_type", "text", "WEBSITE | TIKTOK_SHOP | …"),
        col("gender", "text", "Targeted gender."),
        col("age_groups", "json", "Targeted age groups (JSON list)."),
        col("location_ids", "json", "Targeted locations, GeoNames IDs (JSON list)."),
        col("identity_id", "id", "Identity used by the ad group, when set."),
        col("identity_type", "text", "Identity type."),
        col("split_test_group_id", "id", "Split test the ad group belongs to."),
        *OBJECT_TIMES,
    ),
)
ADS: Final = Table(
    "ads",
    "Ads, deleted ones included; Spark ads carry the organic post they promote.",
    "one row per ad",
    ("advertiser_id", "ad_id"),
    (
        ADV,
        CAMPAIGN,
        ADGROUP,
        AD,
        col("ad_name", "text", "Name."),
        col("ad_format", "text", "SINGLE_VIDEO | SINGLE_IMAGE | LIVE_CONTENT | CAROUSEL."),
        col("identity_type", "text", "AUTH_CODE | TT_USER | BC_AUTH_TT | CUSTOMIZED_USER."),
        col("identity_id", "id", "Identity the ad runs under."),
        col("tiktok_item_id", "id", "Organic post promoted (Spark ads); join organic_videos."),
        col("is_spark", "bool", "True when the ad promotes an existing organic post."),
        col("call_to_action", "text", "Call to action."),
        col("landing_page_url", "text", "Landing page."),
        *OBJECT_TIMES,
    ),
)
ADVERTISER_DAILY: Final = _daily(
    "advertiser_daily",
    "ad account",
    (ADV,),
    "Daily totals per ad account; the only correct place for account-level reach.",
)
CAMPAIGN_DAILY: Final = _daily(
    "campaign_daily", "campaign", (ADV, CAMPAIGN), "Daily report per campaign."
)
ADGROUP_DAILY: Final = _daily(
    "adgroup_daily", "ad group", (ADV, CAMPAIGN, ADGROUP), "Daily report per ad group."
)
AD_DAILY: Final = _daily(
    "ad_daily",
    "ad",
    (ADV, CAMPAIGN, ADGROUP, AD),
    "Daily report per ad: the finest grain of paid delivery.",
)
AD_HOURLY: Final = Table(
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
        col(
            "stat_time_hour",
            "local_timestamp",
            "Start of the hour, wall-clock time in the advertiser's time zone (not UTC). A "
            "spring-forward day has no row for the skipped hour; the repeated hour of a "
            "fall-back day is one row.",
        ),
        CURRENCY,
        *HOURLY_COLUMNS,
        SYNCED,
    ),
    window="stat_date",
    scope=("advertiser_id",),
)
AUDIENCE_DAILY: Final = Table(
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
        col("dimension", "text", "gender | age | country_code."),
        col("segment", "text", "The dimension's value, e.g. FEMALE, AGE_25_34, US."),
        CURRENCY,
        *AUDIENCE_COLUMNS,
        SYNCED,
    ),
    window="stat_date",
    scope=("advertiser_id", "dimension"),
)
SPLIT_TESTS: Final = Table(
    "split_tests",
    "TikTok Split Tests and the platform's verdict (`/split_test/result/get/`; KPI-5e). "
    "Found through the ad groups' split_test_group_id; the cells' delivery is in ad_daily.",
    "one row per split test",
    ("advertiser_id", "split_test_group_id"),
    (
        ADV,
        col("split_test_group_id", "id", "Split test ID."),
        col("split_test_level", "text", "ADGROUP | CAMPAIGN: what the cells are."),
        col("object_ids", "json", "The two cells' ad group (or campaign) IDs (JSON list)."),
        col("test_variable", "text", "BIDDING_OPTIMIZATION | TARGTING (sic) | CREATIVE …"),
        col("key_metric", "text", "Metric the platform picks the winner on."),
        col("status", "text", "NOT_STARTED | IN_PROGRESS | REPORTING_GENERATING | COMPLETED …"),
        col("start_time", "timestamp", "Test start (UTC)."),
        col("end_time", "timestamp", "Planned end, or early end (UTC)."),
        col("winning_object_id", "id", "The platform's winner (NULL: none, or not over yet)."),
        col("is_significant", "bool", "Whether the platform found a winner (90 % level)."),
        col("p_values", "json", "The platform's p-value per metric (JSON object, as sent)."),
        col("cells", "json", "Per-cell metrics as the platform sent them (JSON list)."),
        SYNCED,
    ),
)
