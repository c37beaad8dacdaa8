"""Shop request signing (COM-9): a known answer computed by hand from the documented algorithm."""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr

from tokops.tiktok.shop import ShopSigner, sign

SECRET = "e59af819cc"
PATH = "/order/202309/orders/search"
BODY = b'{"update_time_ge":1700000000,"update_time_lt":1700086400}'


def test_sign_matches_a_hand_computed_hmac_of_the_documented_string() -> None:
    query = {
        "timestamp": "1696909648",
        "shop_cipher": "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK",
        "app_key": "68xu9ks5p4i8",
        "page_size": "100",
        "access_token": "never-signed",
        "sign": "never-signed-either",
    }
    # secret + path + sorted key/value pairs (without sign and access_token) + body + secret
    text = (
        SECRET
        + PATH
        + "app_key68xu9ks5p4i8"
        + "page_size100"
        + "shop_cipherROW_xkMbgAAAeVAQra0eZWebFQq5aIK"
        + "timestamp1696909648"
        + BODY.decode()
        + SECRET
    )
    expected = hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()
    assert sign(SECRET, PATH, query, BODY) == expected
    assert sign(SecretStr(SECRET), PATH, query, BODY) == expected
    assert expected == expected.lower() and len(expected) == 64


def test_every_signed_part_changes_the_signature() -> None:
    query = {"app_key": "k", "timestamp": "1"}
    base = sign(SECRET, PATH, query, BODY)
    assert sign(SECRET, PATH + "x", query, BODY) != base
    assert sign(SECRET, PATH, {**query, "timestamp": "2"}, BODY) != base
    assert sign(SECRET, PATH, query, BODY + b" ") != base
    assert sign("other", PATH, query, BODY) != base
    assert sign(SECRET, PATH, {**query, "access_token": "t"}, BODY) == base


def test_the_signer_adds_app_key_a_fresh_timestamp_and_the_sign_never_the_secret() -> None:
    clock = iter([1700000000.7, 1700000005.2])
    signer = ShopSigner("my-app", SecretStr(SECRET), clock=lambda: next(clock))
    first = signer(PATH, {"shop_cipher": "c"}, BODY)
    second = signer(PATH, {"shop_cipher": "c"}, BODY)
    assert first["app_key"] == "my-app" and first["timestamp"] == "1700000000"
    assert second["timestamp"] == "1700000005" and second["sign"] != first["sign"]
    signed = {"shop_cipher": "c", "app_key": "my-app", "timestamp": "1700000000"}
    assert first["sign"] == sign(SECRET, PATH, signed, BODY)
    assert SECRET not in repr(signer) and SECRET not in str(first)
