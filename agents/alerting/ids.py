"""Deterministic alert ids."""

from __future__ import annotations

import hashlib

from schemas.alerts import AlertType


def alert_id(resident_id: str, type_: AlertType, episode_start: float, episode_key: str = "") -> str:
    """Id of the alert for one episode: the same inputs give the same id in every run.

    The episode start is taken to the whole second so float noise cannot split an episode.
    """
    raw = f"{resident_id}|{type_.value}|{episode_key}|{int(episode_start)}".encode()
    return f"{type_.value.replace('_', '-')}-{hashlib.blake2b(raw, digest_size=10).hexdigest()}"
