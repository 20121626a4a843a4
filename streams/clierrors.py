"""How ``tilsyn`` commands fail: one readable line and a non-zero exit code, not a traceback.

Errors an operator can fix (a bad setting, a routing file that does not validate, topics
with the wrong partition count, an unreachable broker, a missing file) become
``click.ClickException`` ("Error: ..." on stderr, exit code 1). Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import re
from typing import Any

import click
from aiokafka.errors import KafkaError

from agents.alerting.rules import RulesError
from streams.admin import TopicLayoutError
from streams.broker import BrokerError
from streams.settings import SettingsError

OPERATOR_ERRORS: tuple[type[BaseException], ...] = (
    SettingsError, RulesError, TopicLayoutError, BrokerError, KafkaError, OSError,
)
"""Exceptions whose message tells an operator what to fix."""


_ADDRESS = re.compile(r"\('([^']*)', (\d+), <[^>]*>\)")


def operator_message(exc: BaseException) -> str:
    """The one line shown for an operator error (a YAML error's context lines joined into it)."""
    if isinstance(exc, KafkaError):
        text = _ADDRESS.sub(r"\1:\2", str(exc)) + " (is TILSYN_BROKER right and the broker up?)"
    elif isinstance(exc, OSError) and exc.strerror and exc.filename:
        text = f"{exc.strerror}: {exc.filename}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


class TilsynGroup(click.Group):
    """A click group whose commands report operator errors as click exceptions."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OPERATOR_ERRORS as exc:
            raise click.ClickException(operator_message(exc)) from None


def all_rejected(records: int, rejected: int) -> bool:
    """True when there was input and every record of it was rejected (dead-lettered).

    A replay or import that rejects everything almost always read the wrong file or format;
    a script must be able to see that from the exit code.
    """
    return records > 0 and rejected >= records


def fail_if_all_rejected(records: int, rejected: int) -> None:
    """Exit with code 1 (after the caller printed its summary) when :func:`all_rejected`."""
    if all_rejected(records, rejected):
        raise click.ClickException(
            f"all {records} records were rejected (dead-lettered); see the reasons above: "
            "wrong file, format or --map?"
        )
