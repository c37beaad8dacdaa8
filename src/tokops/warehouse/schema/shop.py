"""The TikTok Shop tables: stores, GMV Max results, the catalogue and the orders (COM-2, COM-9)."""

from __future__ import annotations

from typing import Final

from tokops.warehouse.schema.columns import (
    ADV,
    CAMPAIGN,
    CURRENCY,
    GMV_MAX_COLUMNS,
    STAT_DATE,
    SYNCED,
    col,
)
from tokops.warehouse.schema.table import Table

__all__ = ["GMV_MAX_DAILY", "SHOP_ORDERS", "SHOP_ORDER_LINES", "SHOP_PRODUCTS", "STORES"]

STORES: Final = Table(
    "stores",
    "TikTok Shop stores the ad account can advertise (COM-2).",
    "one row per ad account and store",
    ("advertiser_id", "store_id"),
    (
        ADV,
        col("store_id", "id", "Store ID."),
        col("store_name", "text", "Store name."),
        col("store_authorized_bc_id", "id", "Business Center that authorised the store."),
        col("store_code", "text", "Store code."),
        col("store_role", "text", "Role of the account on the store."),
        col("is_gmv_max_available", "bool", "Whether GMV Max can run on the store."),
        SYNCED,
    ),
    group="shop",
)
GMV_MAX_DAILY: Final = Table(
    "gmv_max_daily",
    "Daily GMV Max results per campaign and store: Shop orders and revenue.",
    "one row per GMV Max campaign per day (advertiser's time zone)",
    ("advertiser_id", "store_id", "campaign_id", "stat_date"),
    (
        ADV,
        col("store_id", "id", "Store ID."),
        CAMPAIGN,
        STAT_DATE,
        CURRENCY,
        *GMV_MAX_COLUMNS,
        SYNCED,
    ),
    group="shop",
    window="stat_date",
    scope=("advertiser_id", "store_id"),
)
SHOP_PRODUCTS: Final = Table(
    "shop_products",
    "The catalogue of each TikTok Shop store (`/store/product/get/`; COM-2): a snapshot "
    "replaced per store on every sync, so products gone from the catalogue disappear.",
    "one row per store and product (SPU)",
    ("store_id", "item_group_id"),
    (
        col("store_id", "id", "Store ID (stores.store_id)."),
        col("item_group_id", "id", "Product (SPU) ID, as ads and GMV Max use it."),
        col("title", "text", "Product title."),
        col("status", "text", "AVAILABLE | NOT_AVAILABLE."),
        col("gmv_max_ads_status", "text", "OCCUPIED | UNOCCUPIED (by a GMV Max campaign)."),
        col("category", "text", "Category."),
        col("min_price", "money", "Lowest SKU price, in `currency`."),
        col("max_price", "money", "Highest SKU price, in `currency`."),
        col("currency", "text", "ISO 4217 currency of the prices."),
        col("product_image_url", "text", "Main image URL."),
        col("problems", "json", "Fields TikTok sent that could not be read (JSON list)."),
        SYNCED,
    ),
    group="shop",
)
SHOP_ORDERS: Final = Table(
    "shop_orders",
    "TikTok Shop orders (Shop Partner API `/order/202309/orders/search`; COM-9), pulled "
    "by update time with a look-back and merged by key: a re-run adds no rows and an "
    "updated order replaces its row. No buyer PII is stored: names, e-mails, phones and "
    "addresses are dropped on read; the buyer is only a SHA-256 digest.",
    "one row per order",
    ("shop_id", "order_id"),
    (
        col("shop_id", "id", "Shop ID (= stores.store_id of the Marketing API)."),
        col("order_id", "id", "Order ID."),
        col("status", "text", "UNPAID | AWAITING_SHIPMENT | … | COMPLETED | CANCELLED."),
        col("create_time", "timestamp", "When the order was placed (UTC)."),
        col("update_time", "timestamp", "Last update (UTC); the incremental cursor."),
        col("paid_time", "timestamp", "When it was paid (UTC)."),
        col("currency", "text", "ISO 4217 currency of the order's amounts."),
        col("sub_total", "money", "Items after discounts, in `currency`."),
        col("shipping_fee", "money", "Shipping fee, in `currency`."),
        col("seller_discount", "money", "Discount funded by the seller."),
        col("platform_discount", "money", "Discount funded by TikTok."),
        col("tax", "money", "Tax, in `currency`."),
        col("total_amount", "money", "What the buyer paid, in `currency`."),
        col("line_count", "count", "Line items (one per unit sold)."),
        col("buyer_id_hash", "text", "SHA-256 of the buyer's platform user id (no PII)."),
        col(
            "problems",
            "json",
            "Fields that could not be read, e.g. a malformed amount left NULL (JSON list).",
        ),
        SYNCED,
    ),
    group="shop",
)
SHOP_ORDER_LINES: Final = Table(
    "shop_order_lines",
    "Line items of the TikTok Shop orders: one row per unit sold (the API's own grain).",
    "one row per order line item",
    ("shop_id", "order_id", "line_item_id"),
    (
        col("shop_id", "id", "Shop ID."),
        col("order_id", "id", "Order ID (shop_orders.order_id)."),
        col("line_item_id", "id", "Line item ID."),
        col("product_id", "id", "Product (SPU) ID (shop_products.item_group_id)."),
        col("sku_id", "id", "SKU ID."),
        col("product_name", "text", "Product name at the time of the order."),
        col("sku_name", "text", "SKU name."),
        col("seller_sku", "text", "The seller's own SKU code."),
        col("display_status", "text", "Status of the line."),
        col("currency", "text", "ISO 4217 currency."),
        col("sale_price", "money", "Price paid for the unit, in `currency`."),
        col("original_price", "money", "List price of the unit."),
        col("seller_discount", "money", "Seller-funded discount on the unit."),
        col("platform_discount", "money", "TikTok-funded discount on the unit."),
        col("problems", "json", "Fields that could not be read (JSON list)."),
        SYNCED,
    ),
    group="shop",
)
