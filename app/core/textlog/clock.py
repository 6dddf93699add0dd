"""A log line's timestamp text as the RFC 3339 `_time` Axiom reads unaided.

Logs rarely write RFC 3339: syslog has no year, Python and Go logs have no zone, some name their
zone ("CET"). The year and zone rules are time's (`app.core.time.civil`); this module applies them
to the forms of timestamps.py, fast: a file has few distinct seconds, so each second's date, time
and offset are worked out once and cached, and the fraction is carried over as text.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.core.textlog.timestamps import MONTHS

_MONTH = {m: i for i, m in enumerate(MONTHS, 1)}
CACHE_LIMIT = 200_000


def _offset(delta: timedelta | None) -> str:
    if delta is None:
        return "Z"
    minutes = int(delta.total_seconds()) // 60
    if minutes == 0:
        return "Z"
    sign = "+" if minutes > 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h:02d}:{m:02d}"


def _zone_text(z: str) -> str:
    """'Z', '+0100' or '+01:00' as RFC 3339 wants it."""
    if z in ("Z", "z"):
        return "Z"
    if len(z) == 5:  # +hhmm
        z = z[:3] + ":" + z[3:]
    return "Z" if z in ("+00:00", "-00:00") else z


def _split_fraction(rest: str) -> tuple[str, str]:
    """(".123", what follows) for the text after the seconds; a comma fraction becomes a dot."""
    if rest[:1] in (".", ","):
        digits = rest[1:]
        after = digits.lstrip("0123456789")
        return "." + digits[: len(digits) - len(after)], after
    return "", rest


def _same_minute(first: str | None, last: str | None) -> tuple[str, str] | bool | None:
    """(before the seconds, after them) when a minute's :00 and :59 read alike but for the seconds."""
    if first is None or last is None:
        return None if first is None and last is None else False
    return (first[:17], first[19:]) if (first[:17], first[19:]) == (last[:17], last[19:]) else False


class Clock:
    """Reads the timestamps of one input. `zone`: the zone times written without one are in, as
    `NaiveZone` takes it (None: UTC, as for every other format); `today`: the day a syslog year
    is inferred against."""

    def __init__(self, zone: str | None = None, today: date | None = None):
        self.zone = zone
        self.today = today or date.today()
        self._seconds: dict[tuple[str, str], str | None] = {}
        self._minutes: dict[tuple[str, str], tuple[str, str] | bool | None] = {}
        self._naive_zone = None

    def rfc3339(self, form: str, text: str) -> str | None:
        """`text` (a timestamp of timestamps.FORMS' `form`) as RFC 3339, or None when it is no time."""
        if form == "iso-zoned":
            frac, zone = _split_fraction(text[19:])
            head = self._checked(text[:10], text[11:19])
            return None if head is None else head + frac + _zone_text(zone)
        if form == "iso-naive":
            frac, _ = _split_fraction(text[19:])
            return self._naive(text[:10], text[11:19], frac)
        if form == "slashed":
            frac, _ = _split_fraction(text[19:])
            return self._naive(text[:10].replace("/", "-"), text[11:19], frac)
        if form == "syslog":
            return self._syslog(text)
        if form == "apache":
            return self._apache(text)
        if form == "iso-named-zone":
            frac, rest = _split_fraction(text[19:])
            return self._named(text[:10], text[11:19], frac, rest.strip())
        return None

    # -- the cached parts ---------------------------------------------------------------------
    def _remember(self, key: tuple[str, str], value: str | None) -> str | None:
        if len(self._seconds) >= CACHE_LIMIT:
            self._seconds.clear()
        self._seconds[key] = value
        return value

    def _checked(self, day: str, clock: str) -> str | None:
        key = ("checked", day + clock)
        hit = self._seconds.get(key, "")
        if hit != "":
            return hit
        try:
            datetime.fromisoformat(f"{day}T{clock}")
        except ValueError:
            return self._remember(key, None)
        return self._remember(key, f"{day}T{clock}")

    def _naive(self, day: str, clock: str, frac: str) -> str | None:
        key = ("naive", day + clock)
        hit = self._seconds.get(key, "")
        if hit == "":
            second = clock[6:]
            minute = self._minute(("naive", day + clock[:6]), self._naive_minute, day, clock[:6])
            if minute is False or not (len(second) == 2 and second.isascii() and second.isdigit() and clock[5] == ":"):
                hit = self._remember(key, self._naive_second(day, clock))  # each second on its own
            elif minute is None or second > "59":
                hit = self._remember(key, None)
            else:
                hit = self._remember(key, minute[0] + second + minute[1])
        if hit is None:
            return None
        return hit[:19] + frac + hit[19:]

    def _naive_second(self, day: str, clock: str) -> str | None:
        try:
            naive = datetime.fromisoformat(f"{day}T{clock}")
        except ValueError:
            return None
        return self._attach(naive)

    def _naive_minute(self, day: str, head: str) -> tuple[str, str] | bool | None:
        return _same_minute(self._naive_second(day, head + "00"), self._naive_second(day, head + "59"))

    def _attach(self, naive: datetime) -> str:
        """`naive` in the input's zone, as 'YYYY-MM-DDTHH:MM:SS' + offset."""
        from app.core.time.civil import NaiveZone  # the zone rules are time's

        if self._naive_zone is None:
            self._naive_zone = NaiveZone(self.zone or "UTC")
        aware = self._naive_zone.attach(naive)
        return aware.strftime("%Y-%m-%dT%H:%M:%S") + _offset(aware.utcoffset())

    def _syslog(self, text: str) -> str | None:
        key = ("syslog", text)
        hit = self._seconds.get(key, "")
        if hit != "":
            return hit
        minute = self._minute(("syslog", text[:12]), self._syslog_minute, text[:12])
        if minute is False:  # the offset changes inside this minute: each second on its own
            return self._remember(key, self._syslog_second(text[:12], int(text[13:15])))
        if minute is None or text[13:15] > "59":
            return self._remember(key, None)
        return self._remember(key, minute[0] + text[13:15] + minute[1])

    def _syslog_second(self, head: str, second: int) -> str | None:
        """'Mon dd hh:mm' and a second as RFC 3339 (None: no such time)."""
        from app.core.time.civil import syslog_year

        month, day = _MONTH.get(head[:3]), int(head[4:6])
        try:
            naive = datetime(syslog_year(month, day, self.today), month, day, int(head[7:9]), int(head[10:12]),
                             second)
        except (TypeError, ValueError):
            return None
        return self._attach(naive)

    def _syslog_minute(self, head: str) -> tuple[str, str] | bool | None:
        first, last = self._syslog_second(head, 0), self._syslog_second(head, 59)
        return _same_minute(first, last)

    def _minute(self, key: tuple[str, str], work, *args) -> tuple[str, str] | bool | None:
        """A minute's (text before the seconds, text after them): a second of it is spliced in, so
        a log's distinct seconds cost a string each, not a datetime (False: the offset changes
        within the minute; None: no such minute)."""
        hit = self._minutes.get(key, "")
        if hit == "":
            if len(self._minutes) >= CACHE_LIMIT:
                self._minutes.clear()
            hit = self._minutes[key] = work(*args)
        return hit

    def _apache(self, text: str) -> str | None:
        key = ("apache", text)
        hit = self._seconds.get(key, "")
        if hit != "":
            return hit
        minute = self._minute(("apache", text[:17] + text[20:]), self._apache_minute, text)
        if minute is None or text[18:20] > "59":
            return self._remember(key, None)
        return self._remember(key, minute[0] + text[18:20] + minute[1])

    def _apache_minute(self, text: str) -> tuple[str, str] | None:
        month = _MONTH.get(text[3:6])
        try:
            datetime(int(text[7:11]), month or 0, int(text[:2]), int(text[12:14]), int(text[15:17]))
        except ValueError:
            return None
        return f"{text[7:11]}-{month:02d}-{text[:2]}T{text[12:17]}:", _zone_text(text[21:26])

    def _named(self, day: str, clock: str, frac: str, name: str) -> str | None:
        key = ("named", day + clock + name)
        hit = self._seconds.get(key, "")
        if hit == "":
            from app.core.time.civil import zone_for_name

            zone = zone_for_name(name)
            try:
                naive = datetime.fromisoformat(f"{day}T{clock}")
            except ValueError:
                naive = None
            if zone is None or naive is None:
                hit = self._remember(key, None)
            else:
                aware = naive.replace(tzinfo=zone)
                hit = self._remember(key, aware.strftime("%Y-%m-%dT%H:%M:%S") + _offset(aware.utcoffset()))
        if hit is None:
            return None
        return hit[:19] + frac + hit[19:]
