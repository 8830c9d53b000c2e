"""What a staff action does to an application, by the 条例: a 补正 request stops the reply period
and the corrected application starts it again (第三十条); a third party's opinion is asked for
and the days it takes do not count (第三十二条); the period is extended once (第三十三条); the
reply records its outcome (a result row of table 3). Pure functions over Application."""

import dataclasses
import datetime

from portal.applications.rules import (
    OUTCOMES,
    WORKING_DAYS_EXTENSION,
    WORKING_DAYS_TO_REPLY,
    Application,
    ApplicationError,
    today,
)
from portal.workflow import add_working_days, is_working_day


@dataclasses.dataclass(frozen=True)
class Action:
    """One staff action on an application; only the fields given take part."""

    correction_requested: datetime.date | None = None
    correction_note: str | None = None
    corrected: datetime.date | None = None
    extend: bool = False
    consultation_started: datetime.date | None = None
    consultation_ended: datetime.date | None = None
    outcome: str | None = None
    replied: datetime.date | None = None
    reply_text: str | None = None
    replied_by: int | None = None

    @property
    def handles(self) -> bool:
        """Whether the action handles an unanswered application (anything but a reply)."""
        return bool(
            self.correction_requested
            or self.corrected
            or self.extend
            or self.consultation_started
            or self.consultation_ended
        )


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The working days after start up to and including end (negative when end is earlier):
    counted as the reply period counts them, from the next day."""
    if end < start:
        return -working_days_between(end, start)
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        days += is_working_day(day)[0]
    return days


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _not_before(day: datetime.date, earliest: datetime.date, message: str) -> None:
    if day < earliest:
        raise ApplicationError(message)


def changes(app: Application, action: Action) -> dict[str, object]:
    """The fields the action changes, as Application holds them; ApplicationError when the
    rules do not allow it (nothing is changed then)."""
    received = datetime.date.fromisoformat(app.received)
    found: dict[str, object] = {}
    if app.outcome and (action.handles or action.outcome):
        raise ApplicationError("the application is already answered")
    if action.correction_requested:
        _not_before(
            action.correction_requested, received, "the correction request cannot predate receipt"
        )
        found["correction_requested"] = action.correction_requested.isoformat()
        if action.correction_note is not None:
            found["correction_note"] = action.correction_note
    if action.corrected:
        requested = action.correction_requested or _day(app.correction_requested)
        if not requested:
            raise ApplicationError("no correction was requested")
        _not_before(action.corrected, requested, "the correction cannot predate its request")
        # 第三十条: the reply period starts again from the corrected application.
        due, known = add_working_days(action.corrected, WORKING_DAYS_TO_REPLY)
        found.update(
            corrected=action.corrected.isoformat(), due=due.isoformat(), calendar_known=int(known)
        )
    if action.consultation_started:
        if app.consultation_started:
            raise ApplicationError("a third party was already consulted")
        _not_before(
            action.consultation_started, received, "the consultation cannot predate receipt"
        )
        found["consultation_started"] = action.consultation_started.isoformat()
    if action.consultation_ended:
        started = action.consultation_started or _day(app.consultation_started)
        if not started or app.consultation_ended:
            raise ApplicationError("no third party is being consulted")
        _not_before(
            action.consultation_ended, started, "the consultation cannot end before it began"
        )
        # 第三十二条: the time the third party's opinion took does not count.
        paused = working_days_between(started, action.consultation_ended)
        base = datetime.date.fromisoformat(str(found.get("due", app.due)))
        due, known = add_working_days(base, paused)
        found.update(
            consultation_ended=action.consultation_ended.isoformat(),
            paused_days=app.paused_days + paused,
            due=due.isoformat(),
            calendar_known=int(known and app.calendar_known),
        )
    if action.extend:
        if app.extended:
            raise ApplicationError("the deadline was already extended once")
        base = datetime.date.fromisoformat(str(found.get("due", app.due)))
        due, known = add_working_days(base, WORKING_DAYS_EXTENSION)
        found.update(
            extended=1, due=due.isoformat(), calendar_known=int(known and app.calendar_known)
        )
    if action.outcome or action.replied:
        if action.outcome not in OUTCOMES:
            raise ApplicationError(
                f"unknown outcome {action.outcome!r}; one of: {', '.join(OUTCOMES)}"
            )
        replied = action.replied or today()
        _not_before(replied, received, "the reply cannot predate receipt")
        found.update(outcome=action.outcome, replied=replied.isoformat())
        if action.reply_text is not None:
            found["reply_text"] = action.reply_text
        if action.replied_by is not None:
            found["replied_by"] = action.replied_by
    if not found:
        raise ApplicationError("nothing to update")
    return found


def working_days_left(app: Application, on: datetime.date) -> int:
    """Working days from `on` to the deadline: 0 on the day it falls, negative once overdue."""
    return working_days_between(on, datetime.date.fromisoformat(app.due))


def available_steps(app: Application) -> tuple[str, ...]:
    """The steps staff can take on the application now: "correction" (once: 第三十条 asks for
    everything to correct at one time), "corrected", "consultation" (a third party, once),
    "consulted", "extend" (once), "reply"."""
    if app.outcome:
        return ()
    steps = []
    if app.clock_running and not app.correction_requested:
        steps.append("correction")
    if app.status == "correction":
        steps.append("corrected")
    if app.clock_running and not app.consultation_started:
        steps.append("consultation")
    if app.status == "consultation":
        steps.append("consulted")
    if app.clock_running and not app.extended:
        steps.append("extend")
    return (*steps, "reply")
