"""Every default threshold of the clinical (DHO) detectors, with its source.

Each threshold is a :class:`Parameter` a care context may override by name
(``CareContext.overrides``); detectors read it through :func:`value`, never as a
literal. The NEWS2 chart bands themselves are not overridable: they are the
national early-warning standard and live in :mod:`agents.clinical.news2`.
"""

from __future__ import annotations

from agents.types import Parameter
from agents.types import value as value  # detectors import it from here

RCP_NEWS2 = "Royal College of Physicians, National Early Warning Score (NEWS) 2, 2017"
ESC_HF = "ESC Guidelines for heart failure 2021 (McDonagh et al., Eur Heart J 2021), self-care: weight"
GOLD = "GOLD 2024 report; CAT user guide (Jones et al. 2009, MCID 2 points: Kon et al. 2014)"
ESH = "ESH Guidelines for arterial hypertension 2023 (Mancia et al., J Hypertens 2023)"
MCGEER = "Updated McGeer criteria for infection in long-term care (Stone et al., ICHE 2012): fever in frail elderly"
LOCAL = "tilsyn default (local clinical convention; review with the service)"

# -- NEWS2 --------------------------------------------------------------------
NEWS2_WINDOW_H = Parameter(
    "news2_window_h", 6.0, "h", "Latest value of each NEWS2 parameter within this window is scored.", LOCAL,
    minimum=1, maximum=24,
)
NEWS2_MEDIUM = Parameter(
    "news2_medium_score", 5.0, "points", "Aggregate NEWS2 at or above this is medium (act today).", RCP_NEWS2,
    minimum=3, maximum=12,
)
NEWS2_HIGH = Parameter(
    "news2_high_score", 7.0, "points", "Aggregate NEWS2 at or above this is high (act now).", RCP_NEWS2,
    minimum=5, maximum=15,
)

# -- heart failure: weight --------------------------------------------------
HF_GAIN_3D = Parameter(
    "hf_weight_gain_3d_kg", 2.0, "kg", "Weight gain above this within 3 days (heart failure).", ESC_HF,
    minimum=0.5, maximum=5,
)
HF_GAIN_24H = Parameter(
    "hf_weight_gain_24h_kg", 1.5, "kg", "Weight gain above this within 24 h (heart failure).", ESC_HF,
    minimum=0.5, maximum=5,
)
WEIGHT_JUMP = Parameter(
    "data_quality_weight_jump_kg", 10.0, "kg",
    "A weight change above this within 24 h is a device or entry error, not a clinical finding.", LOCAL,
    minimum=3, maximum=30,
)

# -- COPD -------------------------------------------------------------------
COPD_SPO2_LOW = Parameter(
    "copd_spo2_low_pct", 88.0, "%", "SpO2 below this is low (COPD).", GOLD,
    minimum=80, maximum=94,
)
COPD_SPO2_DROP = Parameter(
    "copd_spo2_drop_pct", 4.0, "%", "SpO2 this many points below personal baseline (COPD).", GOLD,
    minimum=2, maximum=10,
)
COPD_CAT_RISE = Parameter(
    "copd_cat_rise_points", 2.0, "points", "CAT score this many points above personal baseline.", GOLD,
    minimum=1, maximum=10,
)
COPD_CAT_BASELINE_MIN = Parameter(
    "copd_cat_baseline_readings", 3.0, "responses", "CAT responses needed before rises are judged.", LOCAL,
    minimum=1, maximum=10,
)

# -- blood pressure ---------------------------------------------------------
BP_CRISIS_SYS = Parameter(
    "bp_crisis_systolic", 180.0, "mm[Hg]", "Systolic at or above this: grade 3 hypertension (medium).", ESH,
    minimum=160, maximum=220,
)
BP_CRISIS_DIA = Parameter(
    "bp_crisis_diastolic", 110.0, "mm[Hg]", "Diastolic at or above this: grade 3 hypertension (medium).", ESH,
    minimum=95, maximum=130,
)
BP_SEVERE_SYS = Parameter(
    "bp_severe_systolic", 220.0, "mm[Hg]", "Systolic at or above this is high (NEWS2 scores 3).", RCP_NEWS2,
    minimum=180, maximum=250,
)
BP_SEVERE_DIA = Parameter(
    "bp_severe_diastolic", 130.0, "mm[Hg]", "Diastolic at or above this is high (act now).", LOCAL,
    minimum=100, maximum=150,
)
BP_LOW_SYS = Parameter(
    "bp_low_systolic", 90.0, "mm[Hg]", "Systolic at or below this is low (medium; NEWS2 scores 3).", RCP_NEWS2,
    minimum=80, maximum=110,
)
BP_VERY_LOW_SYS = Parameter(
    "bp_very_low_systolic", 80.0, "mm[Hg]", "Systolic at or below this is high (act now).", LOCAL,
    minimum=60, maximum=100,
)
BP_GRADE1_SYS = Parameter(
    "bp_grade1_systolic", 140.0, "mm[Hg]", "Systolic at or above this: ESH grade 1-2 hypertension.", ESH,
    minimum=120, maximum=170,
)
BP_GRADE1_DIA = Parameter(
    "bp_grade1_diastolic", 90.0, "mm[Hg]", "Diastolic at or above this: ESH grade 1-2 hypertension.", ESH,
    minimum=75, maximum=105,
)
BP_BASELINE_RISE = Parameter(
    "bp_baseline_rise", 20.0, "mm[Hg]", "Grade 1-2 reading this far above personal systolic baseline.", LOCAL,
    minimum=5, maximum=50,
)
BP_PERSIST = Parameter(
    "bp_persist_readings", 3.0, "readings", "Consecutive grade 1-2 readings that make a review item.", ESH,
    minimum=1, maximum=10,
)

# -- fever ------------------------------------------------------------------
FEVER_SINGLE = Parameter(
    "fever_single_c", 37.8, "Cel", "A single temperature above this.", MCGEER,
    minimum=37.2, maximum=39.5,
)
FEVER_REPEAT = Parameter(
    "fever_repeated_c", 37.2, "Cel", "Two temperatures above this within the repeat window.", MCGEER,
    minimum=36.8, maximum=38.5,
)
FEVER_REPEAT_WINDOW = Parameter(
    "fever_repeat_window_h", 24.0, "h", "Window in which repeated raised temperatures count.", MCGEER,
    minimum=2, maximum=72,
)
FEVER_RISE = Parameter(
    "fever_rise_c", 1.1, "Cel", "Temperature more than this above personal baseline.", MCGEER,
    minimum=0.5, maximum=2.5,
)

# -- pulse ------------------------------------------------------------------
PULSE_HIGH_UPPER = Parameter(
    "pulse_high_upper", 131.0, "/min", "Pulse at or above this is high.", RCP_NEWS2,
    minimum=110, maximum=180,
)
PULSE_HIGH_LOWER = Parameter(
    "pulse_high_lower", 40.0, "/min", "Pulse at or below this is high.", RCP_NEWS2,
    minimum=25, maximum=50,
)
PULSE_MEDIUM_UPPER = Parameter(
    "pulse_medium_upper", 111.0, "/min", "Pulse at or above this is medium.", RCP_NEWS2,
    minimum=90, maximum=150,
)
PULSE_MEDIUM_LOWER = Parameter(
    "pulse_medium_lower", 50.0, "/min", "Pulse at or below this is medium.", RCP_NEWS2,
    minimum=35, maximum=60,
)
PULSE_NORMAL_LOW = Parameter(
    "pulse_normal_low", 51.0, "/min", "Lower end of the normal resting pulse.", RCP_NEWS2,
    minimum=40, maximum=70,
)
PULSE_NORMAL_HIGH = Parameter(
    "pulse_normal_high", 90.0, "/min", "Upper end of the normal resting pulse.", RCP_NEWS2,
    minimum=70, maximum=110,
)
PULSE_BASELINE_DELTA = Parameter(
    "pulse_baseline_delta", 15.0, "/min", "Outside normal and this far from personal baseline: low.", LOCAL,
    minimum=5, maximum=40,
)

# -- personal baselines -----------------------------------------------------
BASELINE_MIN = Parameter(
    "baseline_min_readings", 5.0, "readings",
    "Readings needed before a personal baseline replaces the population default.", LOCAL,
    minimum=3, maximum=30,
)

# -- schedule, inactivity ---------------------------------------------------
MISSED_MEASUREMENT_GRACE = Parameter(
    "missed_measurement_grace_min", 60.0, "min", "Grace after a scheduled measurement's due time.", LOCAL,
    minimum=15, maximum=480,
)
MISSED_QUESTIONNAIRE_GRACE = Parameter(
    "missed_questionnaire_grace_min", 60.0, "min", "Grace after a scheduled questionnaire's due time.", LOCAL,
    minimum=15, maximum=1440,
)
INACTIVE_DAYS = Parameter(
    "inactive_patient_days", 3.0, "d", "No DHO data at all for this long: inactive patient.", LOCAL,
    minimum=1, maximum=31,
)

# -- questionnaires ---------------------------------------------------------
CAT_ALERT = Parameter(
    "questionnaire_cat_alert", 21.0, "points", "CAT at or above this (>20: high impact) alerts.", GOLD,
    minimum=5, maximum=40,
)
CAT_SEVERITY = Parameter(
    "questionnaire_cat_severity", 2.0, "1-3", "Severity of a CAT alert: 1 low, 2 medium, 3 high.", LOCAL,
    minimum=1, maximum=3,
)
PHQ9_ALERT = Parameter(
    "questionnaire_phq9_alert", 15.0, "points", "PHQ-9 at or above this (moderately severe depression).",
    "Kroenke, Spitzer & Williams, J Gen Intern Med 2001",
    minimum=5, maximum=27,
)
PHQ9_SEVERITY = Parameter(
    "questionnaire_phq9_severity", 2.0, "1-3", "Severity of a PHQ-9 alert: 1 low, 2 medium, 3 high.", LOCAL,
    minimum=1, maximum=3,
)
GAD7_ALERT = Parameter(
    "questionnaire_gad7_alert", 15.0, "points", "GAD-7 at or above this (severe anxiety).",
    "Spitzer et al., Arch Intern Med 2006",
    minimum=5, maximum=21,
)
GAD7_SEVERITY = Parameter(
    "questionnaire_gad7_severity", 2.0, "1-3", "Severity of a GAD-7 alert: 1 low, 2 medium, 3 high.", LOCAL,
    minimum=1, maximum=3,
)
# -- medication dispenser ---------------------------------------------------
MEDICATION_WINDOW = Parameter(
    "medication_take_window_min", 60.0, "min", "An offered dose not taken within this is missed.", LOCAL,
    minimum=15, maximum=240,
)
MEDICATION_REPEAT = Parameter(
    "medication_repeat_count", 2.0, "doses", "Missed doses within the repeat window that escalate to high.",
    LOCAL,
    minimum=2, maximum=6,
)
MEDICATION_REPEAT_WINDOW = Parameter(
    "medication_repeat_window_h", 24.0, "h", "Window in which missed doses count as repeated.", LOCAL,
    minimum=6, maximum=72,
)

PARAMETERS: tuple[Parameter, ...] = (
    NEWS2_WINDOW_H, NEWS2_MEDIUM, NEWS2_HIGH,
    HF_GAIN_3D, HF_GAIN_24H, WEIGHT_JUMP,
    COPD_SPO2_LOW, COPD_SPO2_DROP, COPD_CAT_RISE, COPD_CAT_BASELINE_MIN,
    BP_CRISIS_SYS, BP_CRISIS_DIA, BP_SEVERE_SYS, BP_SEVERE_DIA, BP_LOW_SYS, BP_VERY_LOW_SYS,
    BP_GRADE1_SYS, BP_GRADE1_DIA, BP_BASELINE_RISE, BP_PERSIST,
    FEVER_SINGLE, FEVER_REPEAT, FEVER_REPEAT_WINDOW, FEVER_RISE,
    PULSE_HIGH_UPPER, PULSE_HIGH_LOWER, PULSE_MEDIUM_UPPER, PULSE_MEDIUM_LOWER,
    PULSE_NORMAL_LOW, PULSE_NORMAL_HIGH, PULSE_BASELINE_DELTA,
    BASELINE_MIN,
    MISSED_MEASUREMENT_GRACE, MISSED_QUESTIONNAIRE_GRACE, INACTIVE_DAYS,
    CAT_ALERT, CAT_SEVERITY, PHQ9_ALERT, PHQ9_SEVERITY, GAD7_ALERT, GAD7_SEVERITY,
    MEDICATION_WINDOW, MEDICATION_REPEAT, MEDICATION_REPEAT_WINDOW,
)

# Population defaults used while a personal baseline warms up (not overridable: a
# resident with a known personal value gets it from their own readings within days).
POPULATION_PULSE = 75.0
"""Typical resting pulse of older adults (/min)."""
POPULATION_TEMPERATURE = 36.8
"""Typical oral temperature of older adults (Cel)."""

BASELINE_SIZE = 10
"""Readings kept for a personal baseline (robust median)."""

QUESTIONNAIRES: dict[str, tuple[Parameter, Parameter]] = {
    "cat": (CAT_ALERT, CAT_SEVERITY),
    "phq9": (PHQ9_ALERT, PHQ9_SEVERITY),
    "gad7": (GAD7_ALERT, GAD7_SEVERITY),
}
"""Questionnaire code (normalised: lower case, letters and digits) → alert limit and severity.

UCLA-3 (loneliness) is deliberately absent: the behaviour family's social-isolation
detector weighs it with the sensor picture, and a second alert would be noise."""

