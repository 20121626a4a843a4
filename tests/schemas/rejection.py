"""How the schema tests look at a rejection: every error as ``location: message``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError


def wire(data: dict[str, Any]) -> bytes:
    """JSON as a producer would send it; the standard library writes NaN and Infinity literally."""
    return json.dumps(data).encode()


def rejected(adapter: TypeAdapter[Any], data: dict[str, Any] | bytes) -> str:
    """Validate ``data`` as JSON, expect a ValidationError and return its readable summary."""
    raw = data if isinstance(data, bytes) else wire(data)
    with pytest.raises(ValidationError) as info:
        adapter.validate_json(raw)
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
        for err in info.value.errors(include_url=False)
    )
