"""Marketing API v1.3 routes of the sandbox (``marketing_api.md``), one module per family."""

from __future__ import annotations

__all__: list[str] = []
