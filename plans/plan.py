"""A patient's dated plan, built from the published steps: nothing here is stored.

The patient's choices (procedure, date, the boxes they tick) live only in the request
and the page or calendar file sent back.
"""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo

import icalendar

from core.search_text import plain_text

from .models import PERIOD_ORDER, Condition, Period

# When the calendar reminders start, local time in the clinic's time zone.
REMINDER_TIME = datetime.time(8, 0)
MORNING_TIME = datetime.time(6, 30)
REMINDER_MINUTES = 15


def applies(step: dict, conditions: set[str]) -> bool:
    return step["condition"] == Condition.ALWAYS or step["condition"] in conditions


def build(plans, day: datetime.date, conditions: set[str]) -> list[dict]:
    """The plan's parts in order, each with its dated steps::

    [{"period", "label", "days": [{"date", "offset", "steps": [step, ...]}]}]
    """
    by_key: dict[tuple[str, int], list[dict]] = {}
    for plan in plans:
        for step in plan.steps_json:
            if applies(step, conditions):
                by_key.setdefault((step["period"], step["offset"]), []).append(step)
    labels = dict(Period.choices)
    parts = []
    for period in PERIOD_ORDER:
        offsets = sorted(offset for (p, offset) in by_key if p == period)
        if not offsets:
            continue
        parts.append(
            {
                "period": period,
                "label": labels[period],
                "days": [
                    {
                        "date": day + datetime.timedelta(days=offset),
                        "offset": offset,
                        "steps": by_key[(period, offset)],
                    }
                    for offset in offsets
                ],
            }
        )
    return parts


def when(offset: int) -> str:
    if offset == 0:
        return "the day of your procedure"
    days = abs(offset)
    unit = "day" if days == 1 else "days"
    return f"{days} {unit} {'before' if offset < 0 else 'after'} your procedure"


def calendar(
    procedure,
    parts: list[dict],
    *,
    time_zone: str,
    site_url: str,
    clinic_name: str,
    now: datetime.datetime | None = None,
) -> bytes:
    """The plan as an RFC 5545 calendar: one short timed event per day with steps, at
    a fixed local time in the clinic's time zone (with its VTIMEZONE), each with a
    reminder. The page address is the procedure's, never the plan's (no choices in it)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    stamp = (now or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    host = site_url.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    page_url = f"{site_url}{procedure.get_absolute_url()}"
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{clinic_name}//Procedure plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"My plan: {procedure.title}")
    for part in parts:
        for day in part["days"]:
            at = MORNING_TIME if part["period"] == Period.MORNING else REMINDER_TIME
            start = datetime.datetime.combine(day["date"], at, tzinfo=zone)
            event = icalendar.Event()
            uid_seed = f"{procedure.slug}|{part['period']}|{day['offset']}|{day['date']}"
            event.add("uid", hashlib.sha256(uid_seed.encode()).hexdigest()[:32] + f"@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", start)
            event.add("dtend", start + datetime.timedelta(minutes=REMINDER_MINUTES))
            event.add("summary", f"{procedure.title}: {part['label'].lower()}")
            lines = [f"{when(day['offset']).capitalize()}:"]
            lines += [f"- {plain_text(step['html'])}" for step in day["steps"]]
            lines += ["", f"More on the procedure page: {page_url}"]
            event.add("description", "\n".join(lines))
            event.add("url", page_url)
            event.add("transp", "TRANSPARENT")
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event["summary"])
            alarm.add("trigger", datetime.timedelta(minutes=0))
            event.add_component(alarm)
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
