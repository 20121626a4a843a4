"""Every default threshold of the behaviour (home-sensor) detectors, with its source.

Each threshold is a :class:`Parameter` a care context may override by name
(``CareContext.overrides``); detectors read it through :func:`value`, never as a
literal. Sources name the clinical evidence where one exists; otherwise the
practical reason, marked as a tilsyn default to be reviewed with the service.
"""

from __future__ import annotations

from agents.types import Parameter
from agents.types import value as value  # detectors import it from here

LONG_LIE = (
    "Long lie after a fall (lying > 1 h) predicts serious injury and death "
    "(Wild, Nayak & Isaacs, BMJ 1981; Fleming & Brayne, BMJ 2008); the bathroom is a common fall site"
)
PRACTICE = "Common default in Norwegian digital-supervision (digitalt tilsyn) services; adjust per resident"
ROUTINE = (
    "Older adults living alone keep stable daily routines; deviation from the personal routine is "
    "the signal (sensor studies at TigerPlace, Rantz et al., J Gerontol Nurs 2013)"
)
NOCTURIA = (
    "Nocturia: waking to void (ICS standardisation, van Kerrebroeck et al. 2002); a rise in night "
    "bathroom visits preceded UTI diagnosis in sensor studies (Rantz et al. 2011; Enshaeifar et al. 2018)"
)
DEMENTIA = (
    "Night-time exit-seeking and wandering in dementia risk injury, hypothermia and getting lost "
    "(Helsedirektoratet, Nasjonal faglig retningslinje om demens; Lai & Arthur 2003)"
)
ISOLATION = (
    "Social isolation and loneliness raise mortality and dementia risk (Holt-Lunstad et al. 2015); "
    "UCLA 3-item loneliness scale (Hughes et al. 2004), score 6-9 = lonely (Steptoe et al. 2013)"
)
ROBUST = "Median and scaled median absolute deviation (Hampel 1974; Leys et al. 2013): robust to outlier days"
DEVICE = "Vendor heartbeat intervals of home sensors are 10-60 min; tilsyn default, review with device support"
LOCAL = "tilsyn default (local convention; review with the service)"
PIR = (
    "Passive-infrared sensors report movement, not presence: they fire now and then without anyone there "
    "(heat, sunlight, draught) and see a still person poorly (vendor data sheets; Wilson & Atkeson 2005)"
)
SUPERVISION = (
    "Wireless alarm and care sensors send supervision signals at a fixed interval and are declared lost after "
    "a few missed signals (EN 50131-5-3 supervision of wireless interconnections; vendor practice 2-3 missed)"
)



CLOSE_GRACE_S = 900.0
"""A day or night is evaluated this long after it ends, so events delivered late (the engine
accepts up to 10 min) still count in the right period and never in two."""

RING_CAPACITY = 28
"""Daily values kept per baseline (a fixed-size ring: 4 weeks)."""

# -- shared: personal baselines ------------------------------------------------------
BASELINE_DAYS = Parameter(
    "baseline_days", 14.0, "days", "How many recent valid days/nights form the personal baseline.", ROUTINE,
    minimum=7, maximum=28,
)
BASELINE_MIN_DAYS = Parameter(
    "baseline_min_days", 7.0, "days",
    "Warm-up: daily patterns stay silent (and mornings use the fallback) until this many valid days.", ROUTINE,
    minimum=3, maximum=28,
)
BASELINE_MAD_K = Parameter(
    "baseline_mad_k", 2.0, "scaled MADs", "A day deviates when beyond this many robust spreads from the median.",
    ROBUST,
    minimum=1, maximum=5,
)

# -- 2 long bathroom stay -------------------------------------------------------------
BATHROOM_STAY_LIMIT = Parameter(
    "bathroom_stay_limit_min", 45.0, "min",
    "Presence in the bathroom without motion elsewhere beyond this is a possible fall.", LONG_LIE + "; " + PRACTICE,
    minimum=15, maximum=180,
)

BATHROOM_CONFIRM = Parameter(
    "bathroom_confirm_min", 5.0, "min",
    "A bathroom stay starts on confirmed presence: a second presence report in the bathroom within this, or "
    "the resident seen moving elsewhere within this before entering (by day, or soon after other activity, "
    "one report will do: the resident is up). A lone report during sleep is a false trigger, not a visit.",
    PIR,
    minimum=1, maximum=15,
)

# -- 3 no morning activity ------------------------------------------------------------
MORNING_MARGIN = Parameter(
    "morning_margin_min", 60.0, "min", "Alert this long after the resident's usual first activity.", PRACTICE,
    minimum=15, maximum=240,
)
MORNING_FALLBACK = Parameter(
    "morning_fallback_h", 10.0, "h (local)", "Usual first activity assumed until enough days are learned.", PRACTICE,
    minimum=5, maximum=13,
)
MORNING_FROM = Parameter(
    "morning_from_h", 4.0, "h (local)",
    "Activity before this local time is night activity, not the start of the day.", LOCAL,
    minimum=2, maximum=8,
)

MORNING_CONFIRM = Parameter(
    "morning_confirm_min", 30.0, "min",
    "The day starts with sustained activity outside bedroom, hallway and bathroom: a run of events no more "
    "than this apart (a lone report may be a passive-infrared false trigger, a night trip is short).",
    PIR + "; " + LOCAL,
    minimum=5, maximum=120,
)
MORNING_EVENTS = Parameter(
    "morning_events", 3.0, "events",
    "Events in that run before the day counts as started (several, not a single door or flush).",
    PIR + "; " + LOCAL,
    minimum=2, maximum=10,
)
MORNING_SUSTAIN = Parameter(
    "morning_sustain_min", 10.0, "min",
    "The run spans at least this long: breakfast or the morning routine, not a glass of water at night.",
    LOCAL + "; night trips to toilet or kitchen last 3-15 min (ICS nocturia: a void between two sleeps)",
    minimum=0, maximum=60,
)
MORNING_RESLEEP = Parameter(
    "morning_resleep_min", 90.0, "min",
    "A start of the day before night_to_h followed by lying in bed this long was the tail of a late night, "
    "not the morning: the day starts again after it.",
    LOCAL + "; a sleep cycle lasts about 90 min (Carskadon & Dement, Principles and Practice of Sleep Medicine)",
    minimum=30, maximum=240,
)
MORNING_MAD_K = Parameter(
    "morning_mad_k", 3.0, "scaled MADs",
    "For a resident with an irregular routine the morning alert waits this many robust spreads after the "
    "usual start when that is longer than morning_margin_min.",
    ROBUST + "; 3 is the conservative cut-off (Leys et al. 2013), fitting an urgent alert to a 24/7 centre",
    minimum=1, maximum=5,
)
MORNING_BED_RETURN = Parameter(
    "morning_bed_return_min", 45.0, "min",
    "Leaving the bed after morning_from_h starts the day when the resident does not lie down again within "
    "this (and is seen active meanwhile): a toilet trip ends back in bed well within it.",
    NOCTURIA + "; " + LOCAL,
    minimum=15, maximum=120,
)
MORNING_UP_RECENT = Parameter(
    "morning_up_recent_min", 20.0, "min",
    "At the morning deadline the resident counts as up (out of bed, moving in bedroom, hallway or bathroom) "
    "when the newest activity is this recent and the bed mat does not report the bed occupied.",
    LOCAL + "; the morning routine (toilet, washing, dressing) takes 10-40 min before the kitchen",
    minimum=5, maximum=90,
)
MORNING_UP_GRACE = Parameter(
    "morning_up_grace_min", 30.0, "min",
    "A resident seen up at the morning deadline gets this much longer to reach the rest of the home "
    "before the alert (once per morning).", LOCAL,
    minimum=0, maximum=120,
)

# -- 4 daytime inactivity -------------------------------------------------------------
INACTIVITY_LIMIT = Parameter(
    "inactivity_limit_min", 240.0, "min", "No activity at home for this long during active hours.", PRACTICE,
    minimum=60, maximum=720,
)
INACTIVITY_HIGH_FACTOR = Parameter(
    "inactivity_high_factor", 1.5, "x limit", "Inactivity this many times the limit is high severity.", LONG_LIE,
    minimum=1, maximum=4,
)
INACTIVITY_RESTING_FACTOR = Parameter(
    "inactivity_resting_factor", 2.0, "x limit",
    "While a seat or bed mat says the resident sits or lies there (and nothing happened elsewhere since), "
    "the inactivity limit is this many times longer and the alert stays medium: the resident is located and "
    "not on the floor, the long lie the limit guards against.",
    LONG_LIE + "; an afternoon of television in the armchair is ordinary",
    minimum=1, maximum=4,
)
ACTIVE_FROM = Parameter(
    "active_from_h", 8.0, "h (local)", "Start of the resident's active hours.", PRACTICE,
    minimum=4, maximum=13,
)
ACTIVE_TO = Parameter(
    "active_to_h", 22.0, "h (local)", "End of the resident's active hours.", PRACTICE,
    minimum=16, maximum=24,
)

# -- 5, 6, 8 nights -------------------------------------------------------------------
NIGHT_FROM = Parameter(
    "night_from_h", 22.0, "h (local)", "Start of the night.", PRACTICE,
    minimum=18, maximum=24,
)
NIGHT_TO = Parameter("night_to_h", 6.0, "h (local)", "End of the night.", PRACTICE, minimum=3, maximum=11)
WANDERING_RETURN = Parameter(
    "wandering_return_min", 15.0, "min",
    "After the exit door opens at night, alert if the resident is not back inside within this.", DEMENTIA,
    minimum=5, maximum=120,
)
BATHROOM_VISIT_GAP = Parameter(
    "bathroom_visit_gap_min", 10.0, "min", "Bathroom events further apart than this are separate visits.", LOCAL,
    minimum=2, maximum=60,
)
NOCTURIA_MIN_INCREASE = Parameter(
    "nocturia_min_increase", 0.75, "visits",
    "A night counts as raised when its visits are at least this far above the usual level "
    "(the larger of median and mean of the last baseline_days nights before the raised run).",
    NOCTURIA + "; night voids are small counts (0-2 a night), so the level uses the mean as well as the "
    "median, and the alert rests on the excess summed over nights, not on one night's spread",
    minimum=0.25, maximum=5,
)
NOCTURIA_NIGHTS = Parameter(
    "nocturia_nights", 2.0, "nights",
    "Raised nights in a row for the fast alert (nocturia_excess_fast); one more night for the slow one "
    "(nocturia_excess).", NOCTURIA,
    minimum=1, maximum=7,
)
NOCTURIA_EXCESS_FAST = Parameter(
    "nocturia_excess_fast", 5.0, "visits",
    "Alert after nocturia_nights raised nights when together they exceed the usual level by this many visits "
    "(e.g. 4 and 4 against usually 1).", NOCTURIA,
    minimum=1, maximum=20,
)
NOCTURIA_EXCESS = Parameter(
    "nocturia_excess", 4.0, "visits",
    "Alert after nocturia_nights + 1 raised nights when together they exceed the usual level by this many "
    "visits (e.g. 2, 3, 2 against usually 1): a smaller but persistent rise. Checked on the cohort "
    "simulator: one night more catches the +1-2 rises without alerting on two chance nights.",
    NOCTURIA,
    minimum=1, maximum=20,
)

SLEEP_MIN_INCREASE = Parameter(
    "sleep_min_increase", 2.0, "bed exits", "A night is restless only at least this many bed exits above the median.",
    ROUTINE,
    minimum=1, maximum=10,
)
SLEEP_NIGHTS = Parameter(
    "sleep_nights", 3.0, "nights", "Consecutive restless nights before alerting.", ROUTINE,
    minimum=1, maximum=7,
)

# -- 7 activity decline ---------------------------------------------------------------
DECLINE_FRAC = Parameter(
    "activity_decline_frac", 0.3, "fraction",
    "A day is low when its activity count is at least this fraction below the median (and beyond k MADs).",
    ROUTINE,
    minimum=0.1, maximum=0.9,
)
DECLINE_ROOMS = Parameter(
    "activity_rooms_drop", 2.0, "rooms", "A day is low when this many fewer distinct rooms were used than usual.",
    ROUTINE,
    minimum=1, maximum=6,
)
AWAY_DAY = Parameter(
    "away_day_h", 6.0, "h",
    "A day with this many hours out of the home is not judged for activity decline and not learned: an "
    "outing is not a decline.", ROUTINE,
    minimum=2, maximum=16,
)
DECLINE_DAYS = Parameter(
    "activity_decline_days", 3.0, "days", "Consecutive low days before alerting.", ROUTINE,
    minimum=1, maximum=14,
)

# -- 9 social isolation ---------------------------------------------------------------
SOCIAL_WINDOW = Parameter(
    "social_window_days", 14.0, "days", "Recent window of outings and contacts compared with the days before.",
    ISOLATION,
    minimum=7, maximum=28,
)
SOCIAL_DROP = Parameter(
    "social_drop_frac", 0.5, "fraction", "Alert when outings+contacts in the window fell by this fraction.", ISOLATION,
    minimum=0.1, maximum=0.9,
)
SOCIAL_NONE_DAYS = Parameter(
    "social_none_days", 7.0, "days", "No outing and no social contact for this many days at home.", ISOLATION,
    minimum=2, maximum=28,
)
EXIT_LOOKBACK = Parameter(
    "exit_lookback_min", 10.0, "min",
    "An exit-door event is the resident leaving only when they were seen moving indoors within this before "
    "it (walking to the door); otherwise it is someone arriving. Arrivals are told from departures by what "
    "happens before and after the door.",
    LOCAL + "; walking from any room of a flat to its front door takes well under a few minutes",
    minimum=2, maximum=60,
)
RETURN_CONFIRM = Parameter(
    "return_confirm_min", 5.0, "min",
    "While out, indoor activity without the exit door ends the outing only when a second sensor reports "
    "within this: lone reports (even bursts from one sensor) are false triggers in the empty home.",
    PIR,
    minimum=1, maximum=30,
)
VISIT_DOOR_WINDOW = Parameter(
    "visit_door_window_min", 60.0, "min",
    "Exit-door events within this after a home-care or visitor check-in may be the visitor leaving: they do "
    "not raise night wandering, and any indoor activity after them means the resident stayed in.",
    LOCAL + "; home-care visits last 10-45 min (Norwegian home-care practice)",
    minimum=0, maximum=180,
)
ENTRANCE_OUT = Parameter(
    "entrance_out_min", 30.0, "min",
    "In a home without an exit-door sensor, activity at the entrance followed by this long without any "
    "indoor activity counts as the resident having gone out (until two sensors report indoors).",
    LOCAL + "; without a door contact an outing can only be inferred from where activity stopped",
    minimum=10, maximum=240,
)
OUTING_MIN = Parameter(
    "outing_min_min", 10.0, "min", "Out of the flat at least this long (exit door, then no indoor activity).", LOCAL,
    minimum=5, maximum=240,
)
UCLA3_LONELY = Parameter(
    "social_ucla3_lonely", 6.0, "points (3-9)", "UCLA-3 loneliness score at or above this strengthens the alert.",
    ISOLATION,
    minimum=3, maximum=9,
)

# -- 10 device health -----------------------------------------------------------------
DEVICE_SILENT_AFTER = Parameter(
    "device_silent_after_min", 120.0, "min",
    "A device that sends supervision heartbeats is silent after this long without any message, or after "
    "device_missed_heartbeats intervals when that is longer.", DEVICE,
    minimum=60, maximum=2880,
)
DEVICE_MISSED_BEATS = Parameter(
    "device_missed_heartbeats", 3.0, "heartbeats",
    "Missed supervision heartbeats before a device counts as lost.", SUPERVISION,
    minimum=2, maximum=10,
)
DEVICE_SILENCE_FLOOR = Parameter(
    "device_silence_floor_h", 12.0, "h",
    "A device without heartbeats is never called silent before this: a room unused through a night's sleep "
    "and a morning is quiet that long in ordinary life.", LOCAL + "; adult sleep 7-9 h (NSF 2015) plus a morning",
    minimum=2, maximum=72,
)
DEVICE_SILENCE_MARGIN = Parameter(
    "device_silence_margin", 1.5, "x learned gap",
    "A device without heartbeats is silent after this many times its longest gap of the recent days or "
    "nights (learned separately for silences that start by day and at night).",
    ROBUST + "; the longest of 14 daily maxima is about the 95th percentile of that device's daily gaps",
    minimum=1, maximum=5,
)
DEVICE_SILENCE_UNLEARNED = Parameter(
    "device_silence_unlearned_h", 48.0, "h",
    "Silence limit of a device without heartbeats until baseline_min_days of its gaps are learned.",
    LOCAL + "; a weekend away or a room unused for two days is ordinary",
    minimum=12, maximum=168,
)
DEVICE_BLIND_HOMECARE = Parameter(
    "device_blind_homecare_h", 12.0, "h",
    "Supervision blind (every presence sensor silent) this long: home care is told too, by day only, that "
    "the morning and inactivity checks cannot see. Before that it is device support's job.",
    LOCAL + "; device support visits within a working day; a blind night is not an emergency in itself",
    minimum=2, maximum=72,
)
LOW_BATTERY = Parameter(
    "low_battery_pct", 15.0, "%", "Battery below this needs replacing before the sensor stops.", DEVICE,
    minimum=5, maximum=50,
)

SOCIAL_MIN_BASELINE = 2.0
"""Outings+contacts per window below which a relative drop is too small to judge."""
BATTERY_HYSTERESIS_PCT = 5.0
"""A low-battery episode ends only when the level is this far above the limit (battery replaced)."""
BED_EXIT_DEBOUNCE_S = 120.0
"""Bed 'vacant' reports closer than this are one exit (pressure mats flicker when turning over)."""
WANDERING_PASSAGE_S = 60.0
"""Indoor activity this soon after an exit-door event is the resident passing the door, not coming back."""

PARAMETERS: tuple[Parameter, ...] = (
    BASELINE_DAYS, BASELINE_MIN_DAYS, BASELINE_MAD_K,
    BATHROOM_STAY_LIMIT,
    BATHROOM_CONFIRM,
    MORNING_MARGIN, MORNING_FALLBACK, MORNING_FROM, MORNING_CONFIRM, MORNING_UP_RECENT, MORNING_UP_GRACE,
    MORNING_EVENTS, MORNING_SUSTAIN, MORNING_BED_RETURN, MORNING_RESLEEP, MORNING_MAD_K,
    INACTIVITY_LIMIT, INACTIVITY_HIGH_FACTOR, INACTIVITY_RESTING_FACTOR, ACTIVE_FROM, ACTIVE_TO,
    NIGHT_FROM, NIGHT_TO, WANDERING_RETURN,
    BATHROOM_VISIT_GAP, NOCTURIA_MIN_INCREASE, NOCTURIA_NIGHTS, NOCTURIA_EXCESS_FAST, NOCTURIA_EXCESS,
    SLEEP_MIN_INCREASE, SLEEP_NIGHTS,
    DECLINE_FRAC, DECLINE_ROOMS, DECLINE_DAYS, AWAY_DAY,
    SOCIAL_WINDOW, SOCIAL_DROP, SOCIAL_NONE_DAYS, OUTING_MIN, UCLA3_LONELY,
    EXIT_LOOKBACK, RETURN_CONFIRM, VISIT_DOOR_WINDOW, ENTRANCE_OUT,
    DEVICE_SILENT_AFTER, DEVICE_MISSED_BEATS, DEVICE_SILENCE_FLOOR, DEVICE_SILENCE_MARGIN, DEVICE_SILENCE_UNLEARNED,
    DEVICE_BLIND_HOMECARE, LOW_BATTERY,
)
