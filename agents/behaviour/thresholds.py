"""Every default threshold of the behaviour detectors, with its source."""

from __future__ import annotations

from agents.types import Parameter

PARAMETERS: tuple[Parameter, ...] = ()
