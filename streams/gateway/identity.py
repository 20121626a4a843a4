"""National identity numbers and the keyed pseudonym that replaces them.

Only ``tilsyn gateway`` imports this module; detection workers never see a national
identity number. Three kinds arrive, each named by its OID (HL7 Norway,
VkpSubjectIdentifiersCodeSystem):

* fødselsnummer (``urn:oid:2.16.578.1.12.4.1.4.1``): 11 digits, DDMMYY + individual
  number + two modulus-11 check digits (Skatteetaten);
* D-nummer (``...4.1.4.2``): as a fødselsnummer with 40 added to the day;
* H-nummer, the common help number FH-nummer (``...4.1.4.3``): 11 digits, first 8 or 9,
  no date, the same two check digits (Norsk helsenett).

Synthetic test numbers (Skatteetaten's test register Tenor adds 80 to the month) are
accepted only when the gateway is told so (demo, tests). From 2032 new numbers follow
a new structure (Skatteetaten, "PID"); this validator must be reviewed then.

The pseudonym is HMAC-SHA256 under a secret key, read from a file and never logged,
encoded in letters only so that it can never look like a national identity number.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from schemas.fhir_observations import NATIONAL_ID_SYSTEMS

FNR = "urn:oid:2.16.578.1.12.4.1.4.1"
DNR = "urn:oid:2.16.578.1.12.4.1.4.2"
FHN = "urn:oid:2.16.578.1.12.4.1.4.3"

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
MIN_KEY_BYTES = 32
PSEUDONYM_PREFIX = "p-"
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_PSEUDONYM_LETTERS = 28
"""28 letters of base 26 carry 131 bits: collisions are out of reach for any population."""


class NationalIdError(ValueError):
    """A national identity number that is malformed; the message never repeats it."""


class KeyFileError(ValueError):
    """The pseudonymisation key file is missing, unreadable or too short."""


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    rest = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    k = 0 if rest == 0 else 11 - rest
    return None if k == 10 else k


def check_digits_ok(value: str) -> bool:
    """The two modulus-11 check digits of an 11-digit Norwegian identity number."""
    d = [int(c) for c in value]
    return _check_digit(d[:9], _K1) == d[9] and _check_digit(d[:10], _K2) == d[10]


def validate(system: str, value: str, *, allow_synthetic: bool = False) -> str:
    """The number's kind (fødselsnummer, D-nummer, H-nummer) or NationalIdError naming the rule."""
    if system not in NATIONAL_ID_SYSTEMS:
        raise NationalIdError("identifier system is not a national identity number OID")
    kind = NATIONAL_ID_SYSTEMS[system]
    if len(value) != 11 or not value.isdigit():
        raise NationalIdError(f"{kind} must be 11 digits")
    if not check_digits_ok(value):
        raise NationalIdError(f"{kind} fails its modulus-11 check digits")
    if system == FHN:
        if value[0] not in "89":
            raise NationalIdError(f"{kind} must start with 8 or 9")
        return kind
    day, month = int(value[:2]), int(value[2:4])
    if system == DNR:
        day -= 40
    if allow_synthetic and month > 80:
        month -= 80
    if not (1 <= day <= 31 and 1 <= month <= 12):
        raise NationalIdError(f"{kind} has no valid date of birth in its first six digits")
    return kind


def _letters(n: int, length: int) -> str:
    out = []
    for _ in range(length):
        n, r = divmod(n, 26)
        out.append(_ALPHABET[r])
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Pseudonymiser:
    """Keyed, deterministic pseudonyms: the same number always gives the same resident id."""

    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) < MIN_KEY_BYTES:
            raise KeyFileError(f"the pseudonymisation key must be at least {MIN_KEY_BYTES} bytes")

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymiser(key=***)"

    def pseudonym(self, value: str) -> str:
        """Resident id for a validated national identity number: ``p-`` and 28 letters."""
        mac = hmac.new(self.key, b"tilsyn-resident-v1|" + value.encode("ascii"), hashlib.sha256).digest()
        return PSEUDONYM_PREFIX + _letters(int.from_bytes(mac[:17], "big"), _PSEUDONYM_LETTERS)


def load_key(path: Path) -> Pseudonymiser:
    """The key in ``path``: 64+ hex characters, or 32+ raw bytes. The content is never logged."""
    try:
        st = path.stat()
        raw = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read the pseudonymisation key file {path}: {exc.strerror}") from None
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise KeyFileError(f"the key file {path} is writable by others; make it 0400 or 0600")
    text = raw.strip()
    try:
        key = bytes.fromhex(text.decode("ascii")) if len(text) >= 2 * MIN_KEY_BYTES else text
    except (UnicodeDecodeError, ValueError):
        key = text
    return Pseudonymiser(key)


def new_key_hex() -> str:
    """A fresh 256-bit key as hex (for ``tilsyn gateway --new-key`` and the demo)."""
    return os.urandom(32).hex()


def synthetic_number(n: int, kind: str = FNR) -> str:
    """A synthetic fødselsnummer or D-nummer (Tenor convention: month + 80) with valid check digits.

    For the demo and tests only: such numbers belong to nobody.
    """
    day, month, year = 1 + n % 28, 1 + (n // 28) % 12, 30 + (n // 336) % 60
    day += 40 if kind == DNR else 0
    for individual in range(100, 1000):
        digits = [int(c) for c in f"{day:02d}{month + 80:02d}{year:02d}{individual:03d}"]
        k1 = _check_digit(digits, _K1)
        k2 = _check_digit([*digits, k1], _K2) if k1 is not None else None
        if k1 is not None and k2 is not None:
            return "".join(map(str, digits)) + f"{k1}{k2}"
    raise ValueError("no valid number for this date")  # pragma: no cover - 900 tries always find one
