"""Device health: hourly heartbeats and a daily battery report per device.

Battery-powered sensors drain slowly (a few tenths of a percent a day); a battery
death bends the curve (see :func:`sim.effects.battery_level`). A silent device
sends no heartbeat either; the recorder drops its records.
"""

from __future__ import annotations

from sim.calendar import Calendar
from sim.effects import battery_level
from sim.episodes import Episode, EpisodeKind
from sim.homes import HOUR, Home
from sim.records import Recorder

HEARTBEAT_EVERY = HOUR
BATTERY_REPORT_AT = 12 * HOUR


def device_reports(home: Home, day: int, episodes: list[Episode], cal: Calendar, rec: Recorder) -> None:
    """Heartbeats and battery reports of every device of ``home`` on ``day``."""
    midnight = cal.midnights[day]
    failing = {ep.device for ep in episodes if ep.kind is EpisodeKind.BATTERY_DEATH}
    for name, on_battery in home.devices.items():
        phase = home.phase[name]
        if not on_battery:
            for h in range(0, 86400, HEARTBEAT_EVERY):
                rec.heartbeat(h + phase, name, None)
            continue
        normal = float(max(1, round(home.battery_start[name] - home.battery_drain[name] * day)))
        if name not in failing:
            for h in range(0, 86400, HEARTBEAT_EVERY):
                rec.heartbeat(h + phase, name, normal)
            rec.battery(BATTERY_REPORT_AT + phase, name, normal)
            continue
        for h in range(0, 86400, HEARTBEAT_EVERY):
            rec.heartbeat(h + phase, name, battery_level(normal, episodes, name, midnight + h + phase, cal))
        at = BATTERY_REPORT_AT + phase
        rec.battery(at, name, battery_level(normal, episodes, name, midnight + at, cal))
