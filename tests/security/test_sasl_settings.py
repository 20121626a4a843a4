"""TILSYN_* security variables → aiokafka keyword arguments and Faust credentials (no broker needed)."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from pathlib import Path

import faust
import pytest
from aiokafka import AIOKafkaProducer
from faust.auth import SASLCredentials, SSLCredentials
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from faust.types.auth import AuthProtocol, SASLMechanism

from streams.settings import KafkaSecurity, Settings, SettingsError

MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway CA certificate (only loaded into an SSLContext, never served)."""
    d = tmp_path_factory.mktemp("ca")
    subprocess.run(  # nosec B603 B607
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=tilsyn-settings-test-ca", "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem")],
        check=True, capture_output=True,
    )
    return d / "ca.pem"


def _sasl_env(protocol: str, mechanism: str | None, **extra: str) -> dict[str, str]:
    env = {"TILSYN_SECURITY_PROTOCOL": protocol, "TILSYN_SASL_USERNAME": "tilsyn",
           "TILSYN_SASL_PASSWORD": "s3cret-pw", **extra}
    if mechanism is not None:
        env["TILSYN_SASL_MECHANISM"] = mechanism
    return env


def test_default_is_plaintext_without_credentials() -> None:
    s = Settings.from_env({})
    assert s.security == KafkaSecurity()
    assert s.security.aiokafka_kwargs() == {"security_protocol": "PLAINTEXT"}
    assert s.security.faust_credentials() is None
    assert s.security.ssl_context() is None


def test_protocol_is_case_insensitive() -> None:
    assert Settings.from_env({"TILSYN_SECURITY_PROTOCOL": "plaintext"}).security.protocol == "PLAINTEXT"


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_sasl_plaintext(mechanism: str) -> None:
    sec = Settings.from_env(_sasl_env("SASL_PLAINTEXT", mechanism)).security
    assert sec.aiokafka_kwargs() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": mechanism,
        "sasl_plain_username": "tilsyn",
        "sasl_plain_password": "s3cret-pw",
    }
    creds = sec.faust_credentials()
    assert isinstance(creds, SASLCredentials)
    assert creds.protocol == AuthProtocol.SASL_PLAINTEXT
    assert creds.mechanism == SASLMechanism(mechanism)
    assert (creds.username, creds.password, creds.ssl_context) == ("tilsyn", "s3cret-pw", None)
    # what Faust's aiokafka driver hands to aiokafka is the same as tilsyn's own clients get
    assert credentials_to_aiokafka_auth(creds) == {**sec.aiokafka_kwargs(), "ssl_context": None}


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_sasl_ssl(mechanism: str, ca_file: Path) -> None:
    sec = Settings.from_env(_sasl_env("SASL_SSL", mechanism, TILSYN_SSL_CAFILE=str(ca_file))).security
    kwargs = sec.aiokafka_kwargs()
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == mechanism
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("tilsyn", "s3cret-pw")
    ctx = kwargs["ssl_context"]
    assert isinstance(ctx, ssl.SSLContext)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert [c["subject"] for c in ctx.get_ca_certs()] == [((("commonName", "tilsyn-settings-test-ca"),),)]

    creds = sec.faust_credentials()
    assert isinstance(creds, SASLCredentials)
    assert creds.protocol == AuthProtocol.SASL_SSL
    assert creds.mechanism == SASLMechanism(mechanism)
    assert isinstance(creds.ssl_context, ssl.SSLContext)
    auth = credentials_to_aiokafka_auth(creds)
    assert auth["security_protocol"] == "SASL_SSL"
    assert auth["sasl_mechanism"] == mechanism
    assert (auth["sasl_plain_username"], auth["sasl_plain_password"]) == ("tilsyn", "s3cret-pw")


def test_sasl_mechanism_defaults_to_plain_for_both_clients() -> None:
    sec = Settings.from_env(_sasl_env("SASL_PLAINTEXT", None)).security
    assert sec.aiokafka_kwargs()["sasl_mechanism"] == "PLAIN"
    assert sec.faust_credentials().mechanism == SASLMechanism.PLAIN


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_aiokafka_accepts_the_kwargs(mechanism: str) -> None:
    """aiokafka validates SASL arguments when a client is built: the kwargs must pass (no connection made)."""
    sec = Settings.from_env(_sasl_env("SASL_PLAINTEXT", mechanism)).security

    async def build() -> AIOKafkaProducer:
        return AIOKafkaProducer(bootstrap_servers="127.0.0.1:1", **sec.aiokafka_kwargs())

    producer = asyncio.run(build())
    assert producer.client._sasl_mechanism == mechanism
    assert producer.client._security_protocol == "SASL_PLAINTEXT"


def test_faust_app_builds_with_scram_credentials() -> None:
    sec = Settings.from_env(_sasl_env("SASL_PLAINTEXT", "SCRAM-SHA-512")).security
    app = faust.App("tilsyn-settings-test", broker="kafka://127.0.0.1:1", broker_credentials=sec.faust_credentials())
    creds = app.conf.broker_credentials
    assert isinstance(creds, SASLCredentials)
    assert creds.mechanism == SASLMechanism.SCRAM_SHA_512


def test_ssl_only_server_verification(ca_file: Path) -> None:
    sec = Settings.from_env({"TILSYN_SECURITY_PROTOCOL": "SSL", "TILSYN_SSL_CAFILE": str(ca_file)}).security
    kwargs = sec.aiokafka_kwargs()
    assert set(kwargs) == {"security_protocol", "ssl_context"}
    assert kwargs["security_protocol"] == "SSL"
    creds = sec.faust_credentials()
    assert isinstance(creds, SSLCredentials)
    assert creds.protocol == AuthProtocol.SSL
    assert isinstance(creds.context, ssl.SSLContext)
    assert creds.context.verify_mode == ssl.CERT_REQUIRED


def test_password_is_not_in_repr() -> None:
    s = Settings.from_env(_sasl_env("SASL_SSL", "SCRAM-SHA-256"))
    assert "s3cret-pw" not in repr(s)
    assert "s3cret-pw" not in repr(s.security)
    assert "s3cret-pw" not in repr(s.security.faust_credentials())


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TILSYN_SECURITY_PROTOCOL": "TLS"}, "TILSYN_SECURITY_PROTOCOL='TLS'"),
        (_sasl_env("SASL_SSL", "GSSAPI"), "TILSYN_SASL_MECHANISM='GSSAPI'"),
        (_sasl_env("SASL_SSL", "scram-sha-256"), "TILSYN_SASL_MECHANISM='scram-sha-256'"),
        ({"TILSYN_SECURITY_PROTOCOL": "SASL_SSL", "TILSYN_SASL_MECHANISM": "SCRAM-SHA-256",
          "TILSYN_SASL_USERNAME": "tilsyn"}, "TILSYN_SASL_PASSWORD"),
        ({"TILSYN_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "TILSYN_SASL_MECHANISM": "SCRAM-SHA-512",
          "TILSYN_SASL_PASSWORD": "pw"}, "TILSYN_SASL_USERNAME"),
        ({"TILSYN_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "TILSYN_SASL_MECHANISM": "PLAIN",
          "TILSYN_SASL_USERNAME": "tilsyn", "TILSYN_SASL_PASSWORD": ""}, "TILSYN_SASL_PASSWORD"),
        ({"TILSYN_SECURITY_PROTOCOL": "SSL", "TILSYN_SSL_CERTFILE": "/x/client.pem"}, "TILSYN_SSL_KEYFILE"),
        ({"TILSYN_SECURITY_PROTOCOL": "SSL", "TILSYN_SSL_KEYFILE": "/x/client.key"}, "TILSYN_SSL_CERTFILE"),
        # security settings the chosen protocol would silently ignore
        ({"TILSYN_SSL_CAFILE": "/x/ca.pem"}, "PLAINTEXT"),
        ({**_sasl_env("SASL_PLAINTEXT", "PLAIN"), "TILSYN_SSL_CAFILE": "/x/ca.pem"}, "SASL_PLAINTEXT"),
        ({"TILSYN_SECURITY_PROTOCOL": "SSL", "TILSYN_SASL_MECHANISM": "SCRAM-SHA-256",
          "TILSYN_SASL_USERNAME": "u", "TILSYN_SASL_PASSWORD": "p"}, "TILSYN_SASL_"),
        ({"TILSYN_SASL_USERNAME": "u", "TILSYN_SASL_PASSWORD": "p"}, "TILSYN_SASL_"),
    ],
    ids=["unknown-protocol", "gssapi", "lowercase-mechanism", "scram-no-password", "scram-no-user",
         "empty-password", "cert-without-key", "key-without-cert", "ca-with-plaintext",
         "ca-with-sasl-plaintext", "sasl-with-ssl", "sasl-with-plaintext"],
)
def test_bad_combinations_are_refused_clearly(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("*", r"\*")) as info:
        Settings.from_env(env)
    # the password never shows up in an error message
    assert "s3cret-pw" not in str(info.value)
