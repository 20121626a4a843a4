"""``tilsyn gateway`` (the identity bridge) and ``tilsyn pseudonym`` (enrolment helper)."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from streams.settings import Settings


@click.group(invoke_without_command=True)
@click.pass_context
@click.option("--broker", help="Kafka URL (env TILSYN_BROKER).")
@click.option("--key-file", type=click.Path(path_type=Path), help="Pseudonymisation key (env TILSYN_GATEWAY_KEY_FILE).")
@click.option("--reidentify/--no-reidentify", default=None,
              help="Also copy alerts.fhir to alerts.fhir.national with national ids (env TILSYN_GATEWAY_REIDENTIFY).")
@click.option("--http-port", type=int, help="Port of /metrics; 0 disables it (env TILSYN_GATEWAY_HTTP_PORT).")
@click.option("--loglevel", default="info", type=click.Choice(["debug", "info", "warn", "error"]))
def gateway(ctx: click.Context, broker: str | None, key_file: Path | None, reidentify: bool | None,
            http_port: int | None, loglevel: str) -> None:
    """Run the identity bridge: national ids in, pseudonyms to the workers, national ids back to the hub."""
    if ctx.invoked_subcommand is not None:
        return
    from streams.admin import ensure_topics
    from streams.gateway.service import GatewaySettings, run_gateway

    level = loglevel.upper().replace("WARN", "WARNING")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    # the Kafka client's debug output may show record contents: never below INFO in the gateway
    logging.getLogger("aiokafka").setLevel(max(logging.INFO, logging.getLevelName(level)))
    settings = Settings.from_env(broker=broker)
    gw = GatewaySettings.from_env(key_file=key_file, reidentify=reidentify, http_port=http_port)
    asyncio.run(ensure_topics(settings))
    run_gateway(settings, gw)


@gateway.command()
@click.option("--key-file", type=click.Path(path_type=Path), help="Pseudonymisation key (env TILSYN_GATEWAY_KEY_FILE).")
@click.option("--new-key", is_flag=True, help="Print a fresh random key (hex) instead, for a new key file.")
def pseudonym(key_file: Path | None, new_key: bool) -> None:
    """Read national identity numbers (one a line) on stdin; print the resident id of each.

    For enrolment: the care system uses the printed id in care-context records and when it
    configures the resident's home hub. Numbers are read from stdin, never from arguments,
    so they stay out of shell history and process listings.
    """
    from streams.gateway.identity import DNR, FHN, FNR, NationalIdError, load_key, new_key_hex, validate

    if new_key:
        click.echo(new_key_hex())
        return
    from streams.gateway.service import GatewaySettings

    gw = GatewaySettings.from_env(key_file=key_file)
    ids = load_key(gw.key_file)
    bad = 0
    for n, line in enumerate(sys.stdin, 1):
        value = line.strip()
        if not value:
            continue
        system = FHN if value[0] in "89" else DNR if value[0] in "4567" else FNR
        try:
            validate(system, value, allow_synthetic=gw.allow_synthetic)
        except NationalIdError as exc:
            click.echo(f"line {n}: {exc}", err=True)
            bad += 1
            continue
        click.echo(ids.pseudonym(value))
    if bad:
        sys.exit(1)
