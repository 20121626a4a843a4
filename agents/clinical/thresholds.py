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
FEVER_DEF = "Conventional fever limit 38.0 °C (NEWS2 scores temperatures from 38.1 °C; RCP 2017)"
ADA = ("ADA Standards of Care in Diabetes 2024, section 6: hypoglycaemia level 1 < 3.9 mmol/L (70 mg/dL), "
       "level 2 < 3.0 mmol/L (54 mg/dL)")
TIR = "International consensus on time in range (Battelino et al., Diabetes Care 2019): 3.9-10.0 target, > 13.9 level 2"
DEHYDRATION = ("Body-mass loss of 3 % or more signals dehydration (Cheuvront & Kenefick, Compr Physiol 2014); "
               "tilsyn translates it to body water (local convention)")
WEIGHT_LOSS = ("Unintended weight loss: >= 5 % in 30 days (MDS 3.0 item K0300; GLIM, Cederholm et al. 2019); "
               "3 % in 7 days (issue 13, local convention: fast loss is fluid or acute illness)")
ESH_HOME = "ESH 2023 home blood pressure: two readings a minute apart, averaged, over at least 3 days"
BP_VARIATION = ("Day-to-day spread of home blood pressure, SD about 7-8 mmHg systolic and 5 diastolic (ESH practice "
                "guideline on home monitoring, Stergiou et al. 2021); twice that is a change (local convention)")
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
HF_ABOVE_DRY = Parameter(
    "hf_weight_above_dry_kg", 2.0, "kg",
    "Weight more than this above the patient's dry weight (median of readings without gain or loss): a gain that "
    "built up more slowly than the 3-day rule sees.",
    "ESC 2021 heart failure: weigh daily against the patient's dry (target) weight; 2 kg as in the 3-day rule "
    "(local convention)", minimum=1, maximum=5,
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
COPD_SPO2_LOW_SCALE2 = Parameter(
    "copd_spo2_low_hypercapnic_pct", 86.0, "%",
    "SpO2 below this is low for a patient with hypercapnic respiratory failure (target 88-92 %; NEWS2 scale 2 "
    "gives 2 points or more below 86 %).", "RCP NEWS2 2017 SpO2 scale 2; BTS oxygen guideline 2017 (target 88-92 %)",
    minimum=80, maximum=92,
)
COPD_SPO2_DROP = Parameter(
    "copd_spo2_drop_pct", 4.0, "%", "SpO2 this many points below personal baseline (COPD).", GOLD,
    minimum=2, maximum=10,
)
COPD_CAT_RISE = Parameter(
    "copd_cat_rise_points", 2.0, "points", "CAT this many points above the personal baseline (yellow).", GOLD,
    minimum=1, maximum=10,
)
COPD_CAT_RED_RISE = Parameter(
    "copd_cat_red_rise_points", 4.0, "points",
    "CAT this many points above the personal baseline is red (act today); a rise of copd_cat_rise_points "
    "alone goes to the weekly review. Twice the MCID, since one response varies by about the MCID itself.",
    LOCAL, minimum=2, maximum=15,
)
COPD_CAT_BASELINE_MIN = Parameter(
    "copd_cat_baseline_readings", 3.0, "responses", "CAT responses needed before rises are judged.", LOCAL,
    minimum=1, maximum=10,
)

# -- blood pressure (traffic-light bands; the higher of systolic and diastolic decides) ----
BP_GRADE1_SYS = Parameter(
    "bp_grade1_systolic", 140.0, "mm[Hg]", "Systolic at or above this: ESH grade 1 hypertension (yellow).", ESH,
    minimum=120, maximum=170,
)
BP_GRADE1_DIA = Parameter(
    "bp_grade1_diastolic", 90.0, "mm[Hg]", "Diastolic at or above this: ESH grade 1 hypertension (yellow).", ESH,
    minimum=75, maximum=105,
)
BP_GRADE2_SYS = Parameter(
    "bp_grade2_systolic", 160.0, "mm[Hg]", "Systolic at or above this: ESH grade 2 hypertension (red).", ESH,
    minimum=140, maximum=190,
)
BP_GRADE2_DIA = Parameter(
    "bp_grade2_diastolic", 100.0, "mm[Hg]", "Diastolic at or above this: ESH grade 2 hypertension (red).", ESH,
    minimum=85, maximum=115,
)
BP_CRISIS_SYS = Parameter(
    "bp_crisis_systolic", 180.0, "mm[Hg]", "Systolic at or above this: ESH grade 3 hypertension (red, above grade 2).",
    ESH, minimum=160, maximum=220,
)
BP_CRISIS_DIA = Parameter(
    "bp_crisis_diastolic", 110.0, "mm[Hg]",
    "Diastolic at or above this: ESH grade 3 hypertension (red, above grade 2).", ESH,
    minimum=95, maximum=130,
)
BP_SEVERE_SYS = Parameter(
    "bp_severe_systolic", 220.0, "mm[Hg]", "Systolic at or above this is critical (NEWS2 scores 3 from 220).",
    RCP_NEWS2, minimum=180, maximum=250,
)
BP_SEVERE_DIA = Parameter(
    "bp_severe_diastolic", 130.0, "mm[Hg]", "Diastolic at or above this is critical.", LOCAL,
    minimum=100, maximum=150,
)
BP_LOW_SYS = Parameter(
    "bp_low_systolic", 90.0, "mm[Hg]", "Systolic at or below this is red (NEWS2 scores 3).", RCP_NEWS2,
    minimum=80, maximum=110,
)
BP_LOWISH_SYS = Parameter(
    "bp_lowish_systolic", 100.0, "mm[Hg]", "Systolic at or below this is yellow (NEWS2 scores 2 from 100).",
    RCP_NEWS2, minimum=85, maximum=120,
)
BP_VERY_LOW_SYS = Parameter(
    "bp_very_low_systolic", 80.0, "mm[Hg]", "Systolic at or below this is critical (act now).", LOCAL,
    minimum=60, maximum=100,
)

BP_USUAL_MIN = Parameter(
    "bp_usual_min_occasions", 3.0, "occasions",
    "Occasions needed before the patient's usual pressure is known (home monitoring over at least 3 days).",
    ESH_HOME, minimum=2, maximum=14,
)
BP_SPREAD_SYS = Parameter(
    "bp_usual_spread_systolic", 15.0, "mm[Hg]",
    "A grade-2 reading less than this above the patient's usual systolic (median of the last occasions) and "
    "less than bp_usual_spread_diastolic above the usual diastolic is the patient's own variation: weekly "
    "review, not a notice. About twice the day-to-day spread of home readings.", BP_VARIATION,
    minimum=5, maximum=40,
)
BP_SPREAD_DIA = Parameter(
    "bp_usual_spread_diastolic", 10.0, "mm[Hg]",
    "Diastolic counterpart of bp_usual_spread_systolic.", BP_VARIATION,
    minimum=3, maximum=30,
)

# -- pulse: the NEWS2 chart bands (1 point yellow, 2-3 points red) -------------
PULSE_HIGH_UPPER = Parameter(
    "pulse_high_upper", 131.0, "/min", "Pulse at or above this: NEWS2 3 points (red, above 111-130).", RCP_NEWS2,
    minimum=110, maximum=180,
)
PULSE_HIGH_LOWER = Parameter(
    "pulse_high_lower", 40.0, "/min", "Pulse at or below this: NEWS2 3 points (red).", RCP_NEWS2,
    minimum=25, maximum=50,
)
PULSE_MEDIUM_UPPER = Parameter(
    "pulse_medium_upper", 111.0, "/min", "Pulse at or above this: NEWS2 2 points (red).", RCP_NEWS2,
    minimum=90, maximum=150,
)
PULSE_NORMAL_LOW = Parameter(
    "pulse_normal_low", 51.0, "/min", "Pulse below this: NEWS2 1 point (41-50, yellow).", RCP_NEWS2,
    minimum=40, maximum=70,
)
PULSE_NORMAL_HIGH = Parameter(
    "pulse_normal_high", 90.0, "/min", "Pulse above this: NEWS2 1 point (91-110, yellow).", RCP_NEWS2,
    minimum=70, maximum=110,
)

# -- temperature ------------------------------------------------------------
FEVER_GENERAL = Parameter(
    "fever_c", 38.0, "Cel",
    "Temperature at or above this is fever (red) outside the frail-elderly and dementia programmes.", FEVER_DEF,
    minimum=37.5, maximum=39.5,
)
FEVER_HIGH = Parameter(
    "fever_high_c", 39.1, "Cel", "Temperature at or above this: NEWS2 2 points (red, above fever).", RCP_NEWS2,
    minimum=38.5, maximum=41,
)
FEVER_SINGLE = Parameter(
    "fever_single_c", 37.8, "Cel", "Frail elderly, dementia: a temperature above this is fever (red).", MCGEER,
    minimum=37.2, maximum=39.5,
)
FEVER_REPEAT = Parameter(
    "fever_repeated_c", 37.2, "Cel",
    "Frail elderly, dementia: a temperature above this is raised (yellow; repeats show in the weekly review).",
    MCGEER, minimum=36.8, maximum=38.5,
)
FEVER_RISE = Parameter(
    "fever_rise_c", 1.1, "Cel", "Frail elderly, dementia: more than this above the usual temperature is fever (red).",
    MCGEER, minimum=0.5, maximum=2.5,
)
TEMP_LOW = Parameter(
    "temperature_low_c", 36.0, "Cel", "Temperature at or below this: NEWS2 1 point (yellow).", RCP_NEWS2,
    minimum=35.0, maximum=36.5,
)
TEMP_VERY_LOW = Parameter(
    "temperature_very_low_c", 35.0, "Cel", "Temperature at or below this: NEWS2 3 points (red, once confirmed).",
    RCP_NEWS2, minimum=33.0, maximum=35.5,
)
TEMP_SURPRISE = Parameter(
    "temperature_out_of_character_c", 1.5, "Cel",
    "A temperature this far below the thermometer's own median is out of character: it needs a confirming "
    "reading before it counts for NEWS2 or a red alert (low readings are usually technique: probe placement, "
    "a cold mouth).", LOCAL, minimum=0.8, maximum=4,
)
TEMP_CONFIRM = Parameter(
    "temperature_confirm_c", 0.4, "Cel", "A second reading within this of an out-of-character one confirms it.",
    LOCAL, minimum=0.1, maximum=1,
)

# -- blood glucose (diabetes) -------------------------------------------------
GLUCOSE_SEVERE_HYPO = Parameter(
    "glucose_severe_hypo_mmol", 3.0, "mmol/L", "Glucose below this: level 2 hypoglycaemia (critical).", ADA,
    minimum=2.5, maximum=3.5,
)
GLUCOSE_HYPO = Parameter(
    "glucose_hypo_mmol", 3.9, "mmol/L", "Glucose below this: level 1 hypoglycaemia (red).", ADA,
    minimum=3.0, maximum=5.0,
)
GLUCOSE_HIGH = Parameter(
    "glucose_high_mmol", 10.0, "mmol/L", "Glucose above this: above the target range, level 1 (yellow).", TIR,
    minimum=7.0, maximum=15.0,
)
GLUCOSE_VERY_HIGH = Parameter(
    "glucose_very_high_mmol", 13.9, "mmol/L",
    "Glucose above this: level 2 hyperglycaemia (yellow; red when persistent).", TIR,
    minimum=10.0, maximum=25.0,
)
GLUCOSE_PERSIST = Parameter(
    "glucose_hyper_persist_readings", 3.0, "occasions",
    "Consecutive measuring occasions above the level-2 limit that make persistent hyperglycaemia (red).", LOCAL,
    minimum=2, maximum=10,
)

# -- body water (bioimpedance scales) ------------------------------------------
BODY_WATER_DROP = Parameter(
    "body_water_drop_pct", 2.0, "%",
    "Total body water this many percentage points below the usual level: possible dehydration (red). About "
    "the fall a 3 % loss of body weight as water gives (body water about 55 % of weight).", DEHYDRATION,
    minimum=1, maximum=6,
)

# -- weight loss (frail elderly, dementia) ---------------------------------------
WEIGHT_LOSS_30D = Parameter(
    "weight_loss_30d_pct", 5.0, "%", "Weight loss of at least this share within 30 days (red).", WEIGHT_LOSS,
    minimum=2, maximum=15,
)
WEIGHT_LOSS_7D = Parameter(
    "weight_loss_7d_pct", 3.0, "%", "Weight loss of at least this share within 7 days (red).", WEIGHT_LOSS,
    minimum=1, maximum=10,
)

# -- measuring occasions ------------------------------------------------------
OCCASION_MIN = Parameter(
    "occasion_window_min", 30.0, "min",
    "Readings of one parameter within this of the first are one measuring occasion (repeats: blood pressure "
    "and pulse averaged, temperature the confirmed value, glucose the lowest).", ESH_HOME,
    minimum=5, maximum=120,
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
    "questionnaire_cat_severity", 1.0, "1-3",
    "Band of a CAT above its limit: 1 yellow (weekly review), 2 red, 3 critical. Yellow by default: a CAT over "
    "20 describes a lasting very high impact; a change is the CAT-rise pattern's job (MCID 2 points).", LOCAL,
    minimum=1, maximum=3,
)
PHQ9_ALERT = Parameter(
    "questionnaire_phq9_alert", 15.0, "points", "PHQ-9 at or above this (moderately severe depression).",
    "Kroenke, Spitzer & Williams, J Gen Intern Med 2001",
    minimum=5, maximum=27,
)
PHQ9_SEVERITY = Parameter(
    "questionnaire_phq9_severity", 2.0, "1-3", "Band of a PHQ-9 alert: 1 yellow, 2 red, 3 critical.", LOCAL,
    minimum=1, maximum=3,
)
PHQ9_ITEM9 = Parameter(
    "phq9_item9_alert", 1.0, "points",
    "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) at or above this: red the same day to the "
    "team that follows the patient.",
    "PHQ-9 instructions (Kroenke, Spitzer & Williams 2001): any positive answer to item 9 needs a suicide-risk "
    "assessment", minimum=1, maximum=3,
)
DIGEST_HOUR = Parameter(
    "review_digest_hour", 8.0, "h",
    "Local hour on Monday at which the weekly review of yellow findings is sent.", LOCAL,
    minimum=0, maximum=23,
)
GAD7_ALERT = Parameter(
    "questionnaire_gad7_alert", 15.0, "points", "GAD-7 at or above this (severe anxiety).",
    "Spitzer et al., Arch Intern Med 2006",
    minimum=5, maximum=21,
)
GAD7_SEVERITY = Parameter(
    "questionnaire_gad7_severity", 2.0, "1-3", "Band of a GAD-7 alert: 1 yellow, 2 red, 3 critical.", LOCAL,
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
    HF_GAIN_3D, HF_GAIN_24H, HF_ABOVE_DRY, WEIGHT_JUMP,
    COPD_SPO2_LOW, COPD_SPO2_LOW_SCALE2, COPD_SPO2_DROP, COPD_CAT_RISE, COPD_CAT_RED_RISE, COPD_CAT_BASELINE_MIN,
    BP_CRISIS_SYS, BP_CRISIS_DIA, BP_SEVERE_SYS, BP_SEVERE_DIA, BP_LOW_SYS, BP_VERY_LOW_SYS,
    BP_GRADE1_SYS, BP_GRADE1_DIA, BP_GRADE2_SYS, BP_GRADE2_DIA, BP_LOWISH_SYS, BP_USUAL_MIN, BP_SPREAD_SYS, BP_SPREAD_DIA,
    FEVER_GENERAL, FEVER_HIGH, FEVER_SINGLE, FEVER_REPEAT, FEVER_RISE, TEMP_LOW, TEMP_VERY_LOW,
    TEMP_SURPRISE, TEMP_CONFIRM,
    PULSE_HIGH_UPPER, PULSE_HIGH_LOWER, PULSE_MEDIUM_UPPER, PULSE_NORMAL_LOW, PULSE_NORMAL_HIGH,
    GLUCOSE_SEVERE_HYPO, GLUCOSE_HYPO, GLUCOSE_HIGH, GLUCOSE_VERY_HIGH, GLUCOSE_PERSIST,
    BODY_WATER_DROP, WEIGHT_LOSS_30D, WEIGHT_LOSS_7D, OCCASION_MIN,
    BASELINE_MIN,
    MISSED_MEASUREMENT_GRACE, MISSED_QUESTIONNAIRE_GRACE, INACTIVE_DAYS,
    CAT_ALERT, CAT_SEVERITY, PHQ9_ALERT, PHQ9_SEVERITY, GAD7_ALERT, GAD7_SEVERITY, PHQ9_ITEM9, DIGEST_HOUR,
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

