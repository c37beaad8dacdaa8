"""The error tree: one root, retryability in the type, one code table."""

from __future__ import annotations

import pytest

import tokops.errors as errors
from tokops.errors import (
    APIError,
    AuthError,
    NotFoundError,
    ParameterError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokopsError,
    Transient,
    error_for_code,
)


@pytest.mark.parametrize(
    ("code", "cls", "transient"),
    [
        (40000, ParameterError, False),
        (40001, PermissionDeniedError, False),
        (40002, ParameterError, False),
        (40007, NotFoundError, False),
        (40016, RateLimitError, True),
        (40100, RateLimitError, True),
        (40102, AuthError, False),
        (40104, AuthError, False),
        (40105, AuthError, False),
        (40132, RateLimitError, True),
        (40133, RateLimitError, True),
        (50000, ServerError, True),
        (50002, ServerError, True),
        (51039, ServerError, True),
        (60001, ServerError, True),
        (12345, APIError, False),
    ],
)
def test_code_table(code: int, cls: type[APIError], transient: bool) -> None:
    got = error_for_code(code)
    assert got is cls
    assert issubclass(got, Transient) is transient
    assert issubclass(got, TokopsError)


def test_every_public_error_descends_from_the_root() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and name not in ("Transient",):
            assert issubclass(obj, TokopsError), name
    assert errors.__all__ == sorted(errors.__all__)


def test_api_error_message_is_one_line_with_context() -> None:
    err = ParameterError(40002, "Invalid value for event_id: not a valid string.", "RID", "/x/")
    text = str(err)
    assert "40002" in text and "RID" in text and "/x/" in text and "\n" not in text


def test_option_error_names_options_by_field_and_words_them_on_demand() -> None:
    """Library errors never name CLI flags; a front end words the fields its own way."""
    exc = errors.OptionError("cannot list advertisers ({cause}); give {advertiser_ids}", cause="x")
    assert isinstance(exc, errors.ConfigError)
    assert str(exc) == "cannot list advertisers (x); give advertiser_ids"
    worded = exc.worded(lambda name: "--" + name.replace("_", "-"))
    assert worded == "cannot list advertisers (x); give --advertiser-ids"
    assert "--" not in str(exc)
