"""The shell uses the public APIs of Faust and aiokafka (issue: supported Faust APIs only).

A private attribute (``obj._name``) of anything but the object itself is refused everywhere in
``streams/``, with one documented exception: ``streams/faustfix.py``, the single correction to
Faust's commit bookkeeping, reached through Faust's public transport registry and checked against
the pinned version in ``test_faustfix.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import faust

from streams.faustfix import FAUST_VERSION

ROOT = Path(__file__).resolve().parents[2]
EXEMPT = {"streams/faustfix.py"}


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    return found


def test_no_private_attribute_of_another_object_is_touched_in_the_shell() -> None:
    offenders = []
    for path in sorted((ROOT / "streams").rglob("*.py")):
        if str(path.relative_to(ROOT)) not in EXEMPT:
            offenders += _private_uses(path)
    assert not offenders, "private attributes used outside streams/faustfix.py:\n" + "\n".join(offenders)


def test_faust_is_the_version_the_correction_was_written_for() -> None:
    assert faust.__version__ == FAUST_VERSION, (
        f"faust-streaming {faust.__version__} installed; streams/faustfix.py corrects {FAUST_VERSION}: "
        "re-check the assumption (tests/streams/test_faustfix.py) before moving the pin"
    )
