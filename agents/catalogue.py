"""What each alert type is: its category, VKP service code and a short title.

Routing, FHIR rendering, the console printer and the README's pattern table all
read this one table, so a new pattern is described once.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.alerts import AlertType, Category, DhoCategory, VkpService


@dataclass(frozen=True, slots=True)
class AlertKind:
    category: Category
    service: VkpService
    title_nb: str
    title_en: str
    dho_category: DhoCategory | None = None


_S, _D, _I, _T = Category.SAFETY, Category.DETERIORATION, Category.ISOLATION, Category.TECHNICAL
_M = DhoCategory.MEASUREMENT

CATALOGUE: dict[AlertType, AlertKind] = {
    AlertType.SAFETY_ALARM: AlertKind(_S, VkpService.TA, "Trygghetsalarm utløst", "Safety alarm pressed"),
    AlertType.FALL_DETECTED: AlertKind(_S, VkpService.TA, "Fall oppdaget", "Fall detected"),
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
    AlertType.DEVICE_SILENT: AlertKind(_T, VkpService.DT, "Sensor svarer ikke", "Sensor silent"),
    AlertType.LOW_BATTERY: AlertKind(_T, VkpService.DT, "Lavt batteri", "Low battery"),
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
        _D, VkpService.DHO, "Manglende måling", "Missing measurement", DhoCategory.MISSING_MEASUREMENT
    ),
    AlertType.MISSED_QUESTIONNAIRE: AlertKind(
        _D,
        VkpService.DHO,
        "Manglende skjemabesvarelse",
        "Missing questionnaire response",
        DhoCategory.MISSING_QUESTIONNAIRE,
    ),
    AlertType.INACTIVE_PATIENT: AlertKind(
        _D, VkpService.DHO, "Inaktiv pasient", "Inactive patient", DhoCategory.INACTIVE_PATIENT
    ),
    AlertType.QUESTIONNAIRE_SCORE: AlertKind(
        _D, VkpService.DHO, "Skjemasvar over grense", "Questionnaire score above limit", DhoCategory.QUESTIONNAIRE
    ),
    AlertType.MISSED_MEDICATION: AlertKind(
        _D, VkpService.MD, "Medisin ikke tatt", "Medication not taken"
    ),
    AlertType.DATA_QUALITY: AlertKind(_T, VkpService.DHO, "Datakvalitet", "Data quality"),
    AlertType.PATTERN_DISABLED: AlertKind(
        _T, VkpService.DT, "Mønster slått av for beboeren", "Pattern switched off for the resident"
    ),
}

assert set(CATALOGUE) == set(AlertType), "every AlertType needs a catalogue entry"  # nosec B101
