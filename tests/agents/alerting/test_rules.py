"""The routing file: what it accepts, and the readable reason when it does not."""

from __future__ import annotations

import pytest

from agents.alerting.rules import ROUTING_FILE, RoutingRules, RulesError

BASE = """
rules:
  - {name: safety, match: {categories: [safety]}, to: [response-centre], chain: safety}
  - {name: rest, match: {}, to: [homecare]}
chains:
  safety: {steps: [{after_min: 5, to: [homecare]}], remind_every_min: 5}
rosters:
  default: {weekdays: {day: "07:30", night: "22:00"}, weekends: {day: "08:00", night: "22:00"}}
technical: device-support
fallback: {intake: {response-centre: rsp-x, homecare: hjt-x}, out-of-hours: amk-x}
"""


def test_minimal_file_validates() -> None:
    rules = RoutingRules.from_yaml(BASE)
    assert rules.lifecycle.high_chain == "safety"
    assert rules.chain("safety", None) is rules.chains["safety"]


def test_municipality_overrides_a_chain() -> None:
    rules = RoutingRules.from_yaml(BASE + """
municipalities:
  "1806":
    intake: {response-centre: rsp-ofoten, homecare: hjt-1806}
    out-of-hours: legevakt-narvik
    chains: {safety: {steps: [{after_min: 3, to: [out-of-hours]}], remind_every_min: 3}}
""")
    chain = rules.chain("safety", "1806")
    assert chain is not None and chain.steps[0].after_min == 3
    assert rules.chain("safety", "0301") is rules.chains["safety"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("to: [homecare]}", "to: [pigeon]}"), "to.0"),
        (("categories: [safety]", "types: [teleport]"), "types"),
        (("match: {}, to: [homecare]", "match: {severities: [high]}, to: [homecare]"), "last rule must match everything"),
        (("chain: safety}", "chain: panic}"), "unknown chain: panic"),
        (("to: [response-centre]", "to: [next-of-kin]"), "needs a care recipient besides next-of-kin"),
        (("{after_min: 5, to: [homecare]}", "{after_min: 5, to: [next-of-kin]}"), "cannot go to next-of-kin"),
        (("{after_min: 5,", "{after_min: 0,"), "after_min"),
        (("technical: device-support\n", ""), "technical: Field required"),
        (("out-of-hours: amk-x", "out-of-hours: rsp-x"), "must be different teams"),
        (("night: \"22:00\"}, weekends", "night: 22:00}, weekends"), "write clock times in quotes"),
        (("weekends: {day: \"08:00\", night: \"22:00\"}", "sat: {day: \"08:00\"}"), "no shifts for sun"),
        (("  default: {", "  other: {"), "needs a `default` roster"),
        (("rules:\n", "rules:\n  - {name: w, match: {windows: [office]}, to: [gp]}\n"), "unknown window: office"),
        (("technical: device-support", "technical: device-support\nlifecycle: {cooldown_min: {falls: 3}}"),
         "unknown alert types: falls"),
        (("rules:", "rules: ["), "not valid YAML"),
    ],
)
def test_invalid_routing_file_is_refused_with_a_reason(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in BASE
    with pytest.raises(RulesError, match=message):
        RoutingRules.from_yaml(BASE.replace(old, new, 1))


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        ("municipalities: {\"3301\": {intake: {response-centre: a, homecare: b}, out-of-hours: c, roster: night-only}}",
         "unknown roster"),
        ("municipalities: {\"3301\": {intake: {response-centre: a, homecare: b}, out-of-hours: c, on-duty: {evening: d}}}",
         "shifts the roster lacks: evening"),
        ("municipalities: {\"3301\": {intake: {response-centre: a}, out-of-hours: c}}", "homecare"),
        ("municipalities: {\"3301\": {intake: {response-centre: a, homecare: b}, out-of-hours: c, chains: {calm: "
         "{remind_every_min: 5}}}}", "overrides unknown chain: calm"),
    ],
)
def test_invalid_municipality_is_refused(addition: str, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        RoutingRules.from_yaml(BASE + addition)


def test_missing_file_is_a_readable_error(tmp_path: object) -> None:
    from pathlib import Path

    with pytest.raises(RulesError, match="cannot read routing file"):
        RoutingRules.load(Path(str(tmp_path)) / "nope.yaml")


def test_shipped_file_has_a_municipality_for_each_worked_example() -> None:
    rules = RoutingRules.load(ROUTING_FILE)
    drammen = rules.municipalities["3301"]
    assert drammen.on_duty == {"evening": "hjt-3301-kveld", "night": "hjt-3301-natt"}
    assert drammen.out_of_hours == "legevakt-drammen"
