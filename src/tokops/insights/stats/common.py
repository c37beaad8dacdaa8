"""Shared helpers for the insights statistics: input checks and scipy wrappers.

scipy ships no type stubs, so every scipy call is wrapped here and its result cast to ``float``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as _st  # type: ignore[import-untyped]

from tokops.errors import TokopsError

__all__ = [
    "StatsInputError",
    "as_array",
    "check_alpha",
    "chi2_sf",
    "norm_ppf",
    "norm_cdf",
    "norm_sf",
    "t_ppf",
    "t_sf",
    "beta_ppf",
    "jsonable",
]

FloatArray = npt.NDArray[np.float64]


class StatsInputError(TokopsError, ValueError):
    """The numbers handed to a statistical function cannot be analysed (empty, negative …)."""


def check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise StatsInputError(f"alpha must lie in (0, 1), got {alpha}")


def as_array(values: Any, name: str) -> FloatArray:
    """A 1-D float array from a list, numpy array or pyarrow array/chunked array (nulls → error)."""
    if hasattr(values, "to_numpy") and hasattr(values, "null_count"):
        if values.null_count:
            raise StatsInputError(f"{name} has {values.null_count} null value(s)")
        values = values.to_numpy(zero_copy_only=False)
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise StatsInputError(f"{name} must be one-dimensional")
    if not np.all(np.isfinite(arr)):
        raise StatsInputError(f"{name} has non-finite values")
    return arr


def norm_ppf(q: float) -> float:
    return float(_st.norm.ppf(q))


def norm_cdf(x: float) -> float:
    return float(_st.norm.cdf(x))


def norm_sf(x: float) -> float:
    return float(_st.norm.sf(x))


def t_ppf(q: float, df: float) -> float:
    return norm_ppf(q) if math.isinf(df) else float(_st.t.ppf(q, df))


def t_sf(x: float, df: float) -> float:
    return norm_sf(x) if math.isinf(df) else float(_st.t.sf(x, df))


def chi2_sf(x: float, df: int) -> float:
    return float(_st.chi2.sf(x, df))


def beta_ppf(q: float, a: float, b: float) -> float:
    return float(_st.beta.ppf(q, a, b))


def jsonable(value: Any) -> Any:
    """JSON-friendly copy: tuples → lists, NaN/inf → None (strict JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
