"""What each alert type is: its category, VKP service code and a short title.

Routing, FHIR rendering, the console printer and the README's pattern table all
read this one table, so a new pattern is described once: a new alert type needs a
line here and, if the default route does not fit, a rule in ``alerting/routing.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.alerts import AlertType, Category, DhoCategory, VkpService
from schemas.care import CareService


@dataclass(frozen=True, slots=True)
class AlertKind:
    category: Category
    service: VkpService
    title_nb: str
    title_en: str
    dho_category: DhoCategory | None = None
    again_nb: str = "Sett igjen"
    """Start of a repeat notice in bokmål ("Sett igjen kl. 14:07."): the pattern happened again while open."""
    again_en: str = "Seen again"


_S, _D, _I, _O = Category.SAFETY, Category.DETERIORATION, Category.ISOLATION, Category.OPERATIONAL
_M = DhoCategory.MEASUREMENT

CATALOGUE: dict[AlertType, AlertKind] = {
    AlertType.SAFETY_ALARM: AlertKind(
        _S, VkpService.TA, "Trygghetsalarm utløst", "Safety alarm pressed", again_nb="Trykket igjen",
        again_en="Pressed again",
    ),
    AlertType.FALL_DETECTED: AlertKind(
        _S, VkpService.TA, "Fall oppdaget", "Fall detected", again_nb="Nytt fall meldt", again_en="Another fall reported"
    ),
    AlertType.LONG_BATHROOM_STAY: AlertKind(
        _S, VkpService.DT, "Langt opphold på bad", "Long bathroom stay"
    ),
    AlertType.NO_MORNING_ACTIVITY: AlertKind(
        _S, VkpService.DT, "Ingen aktivitet i morges", "No morning activity"
    ),
    AlertType.DAYTIME_INACTIVITY: AlertKind(
        _S, VkpService.DT, "Langvarig inaktivitet", "Prolonged inactivity"
    ),
    AlertType.NIGHT_WANDERING: AlertKind(_S, VkpService.DT, "Nattlig vandring", "Night wandering"),
    AlertType.NOCTURIA_INCREASE: AlertKind(
        _D, VkpService.DT, "Flere nattlige toalettbesøk", "More night-time toilet visits"
    ),
    AlertType.ACTIVITY_DECLINE: AlertKind(_D, VkpService.DT, "Redusert aktivitet", "Activity decline"),
    AlertType.SLEEP_DISTURBANCE: AlertKind(_D, VkpService.DT, "Urolig søvn", "Sleep disturbance"),
    AlertType.SOCIAL_ISOLATION: AlertKind(
        _I, VkpService.DT, "Tegn på sosial isolasjon", "Signs of social isolation"
    ),
    AlertType.DEVICE_SILENT: AlertKind(_O, VkpService.DT, "Sensor svarer ikke", "Sensor silent"),
    AlertType.LOW_BATTERY: AlertKind(_O, VkpService.DT, "Lavt batteri", "Low battery"),
    AlertType.NEWS2: AlertKind(_D, VkpService.DHO, "Forhøyet NEWS2", "Raised NEWS2 score", _M),
    AlertType.WEIGHT_GAIN: AlertKind(_D, VkpService.DHO, "Vektøkning", "Weight gain", _M),
    AlertType.COPD_SPO2: AlertKind(
        _D, VkpService.DHO, "Lav eller fallende oksygenmetning", "Low or falling SpO2", _M
    ),
    AlertType.COPD_CAT_RISE: AlertKind(
        _D, VkpService.DHO, "Økende CAT-skår", "Rising CAT score", DhoCategory.QUESTIONNAIRE
    ),
    AlertType.BLOOD_PRESSURE: AlertKind(_D, VkpService.DHO, "Blodtrykk", "Blood pressure", _M),
    AlertType.FEVER: AlertKind(_D, VkpService.DHO, "Feber", "Fever", _M),
    AlertType.PULSE: AlertKind(_D, VkpService.DHO, "Puls", "Pulse", _M),
    AlertType.MISSED_MEASUREMENT: AlertKind(
        _O, VkpService.DHO, "Manglende måling", "Missing measurement", DhoCategory.MISSING_MEASUREMENT
    ),
    AlertType.MISSED_QUESTIONNAIRE: AlertKind(
        _O,
        VkpService.DHO,
        "Manglende skjemabesvarelse",
        "Missing questionnaire response",
        DhoCategory.MISSING_QUESTIONNAIRE,
    ),
    AlertType.INACTIVE_PATIENT: AlertKind(
        _O, VkpService.DHO, "Inaktiv pasient", "Inactive patient", DhoCategory.INACTIVE_PATIENT
    ),
    AlertType.QUESTIONNAIRE_SCORE: AlertKind(
        _D, VkpService.DHO, "Skjemasvar over grense", "Questionnaire score above limit", DhoCategory.QUESTIONNAIRE
    ),
    AlertType.MISSED_MEDICATION: AlertKind(
        _O, VkpService.MD, "Medisin ikke tatt", "Medication not taken"
    ),
    AlertType.DATA_QUALITY: AlertKind(_O, VkpService.DHO, "Datakvalitet", "Data quality"),
    AlertType.PATTERN_DISABLED: AlertKind(
        _O, VkpService.DT, "Mønster slått av for beboeren", "Pattern switched off for the resident"
    ),
    AlertType.BLOOD_GLUCOSE: AlertKind(_D, VkpService.DHO, "Blodsukker", "Blood glucose", _M),
    AlertType.LOW_TEMPERATURE: AlertKind(_D, VkpService.DHO, "Lav temperatur", "Low temperature", _M),
    AlertType.WEIGHT_LOSS: AlertKind(_D, VkpService.DHO, "Vekttap", "Weight loss", _M),
    AlertType.DEHYDRATION: AlertKind(_D, VkpService.DHO, "Mulig dehydrering", "Possible dehydration", _M),
    AlertType.SELF_HARM_RISK: AlertKind(
        _D, VkpService.DHO, "Tanker om selvskading (PHQ-9 spørsmål 9)", "Thoughts of self-harm (PHQ-9 item 9)",
        DhoCategory.QUESTIONNAIRE,
    ),
    AlertType.REVIEW_DIGEST: AlertKind(
        _D, VkpService.DHO, "Ukentlig gjennomgang av gule målinger", "Weekly review of yellow readings", _M
    ),
}

assert set(CATALOGUE) == set(AlertType), "every AlertType needs a catalogue entry"  # nosec B101

CONSENT_OF: dict[VkpService, CareService | None] = {
    VkpService.TA: None,
    VkpService.GPS: CareService.DIGITAL_SUPERVISION,
    VkpService.MD: CareService.HOME_FOLLOW_UP,
    VkpService.DT: CareService.DIGITAL_SUPERVISION,
    VkpService.DHO: CareService.HOME_FOLLOW_UP,
    VkpService.RT: None,
}
"""Which legal basis a VKP service needs. A safety alarm (TA) is the resident's own call for help
and the response service (RT) answers it: neither is ever switched off for want of a recorded basis."""

DETECTOR_SERVICES: dict[str, VkpService] = {
    "safety_pass_through": VkpService.TA,
    "long_bathroom_stay": VkpService.DT,
    "inactivity": VkpService.DT,
    "night_wandering": VkpService.DT,
    "nocturia_increase": VkpService.DT,
    "activity_decline": VkpService.DT,
    "sleep_disturbance": VkpService.DT,
    "social_isolation": VkpService.DT,
    "device_health": VkpService.DT,
    "news2": VkpService.DHO,
    "weight": VkpService.DHO,
    "copd": VkpService.DHO,
    "triage": VkpService.DHO,
    "dho_schedule": VkpService.DHO,
    "missed_medication": VkpService.MD,
}
"""The VKP service of each detector by name, for detectors that do not declare ``service`` themselves."""


def consent_of_type(type_: AlertType) -> CareService | None:
    """The legal basis an alert type's service needs (None: always runs)."""
    return CONSENT_OF[CATALOGUE[type_].service]


_FAMILY_SERVICES = {"agents.behaviour": VkpService.DT, "agents.clinical": VkpService.DHO}
"""A detector declared nowhere takes its family's service: home sensors DT, home follow-up DHO."""


def detector_service(detector: object) -> VkpService:
    """A detector's VKP service: its own ``service`` attribute, else :data:`DETECTOR_SERVICES`, else its family's.

    Raises KeyError for a detector outside both families that declares none (a test checks every
    registered detector).
    """
    own = getattr(detector, "service", None)
    if isinstance(own, VkpService):
        return own
    name = str(getattr(detector, "name", ""))
    if name in DETECTOR_SERVICES:
        return DETECTOR_SERVICES[name]
    family = ".".join(type(detector).__module__.split(".")[:2])
    return _FAMILY_SERVICES[family]
