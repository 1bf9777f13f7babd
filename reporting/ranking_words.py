"""A hotspot's ranking evidence in words, for the deployment sheet and the ranking page:
what crime, what was seen, how long since the last patrol."""


def hotspot_reason(
    by_type: tuple[tuple[str, int], ...],
    recent: int,
    trend: int,
    baseline: float,
    women: int,
    encounters: int,
    days: int | None,
    radius_m: int,
    short=None,
    recent_start=None,
) -> str:
    """``short``: the crime coverage (``reporting.coverage``) when the data stops before
    the end of the 4 weeks, so the words never claim "no crime" where there is no data."""
    if short is None:
        parts = [_crime_words(by_type, recent, trend, baseline, radius_m)]
    else:
        parts = [_short_words(by_type, recent, radius_m, short, recent_start)]
    if women or encounters:
        parts.append(_sighting_words(women, encounters))
    parts.append(_patrol_words(days))
    return "; ".join(parts)


def _crime_words(by_type, recent: int, trend: int, baseline: float, radius_m: int) -> str:
    if recent == 0:
        words = f"no relevant crime within {radius_m} m in 4 weeks"
        return f"{words} ({trend} in 12 weeks)" if trend else words
    if len(by_type) == 1:
        crime_type = by_type[0][0].lower()
        words = f"{recent} {crime_type} {_plural(recent, 'report')} in 4 weeks"
    else:
        detail = ", ".join(f"{n} {crime_type.lower()}" for crime_type, n in by_type)
        words = f"{recent} relevant crimes in 4 weeks ({detail})"
    if trend > recent:
        words += f", {trend} in 12 weeks"
    return f"{words}, {compared(recent, baseline)}"


def _short_words(by_type, recent: int, radius_m: int, coverage, recent_start) -> str:
    if coverage.until is None:
        return "no crime data imported yet"
    until = f"{coverage.until:%-d %b %Y}"
    if coverage.until < recent_start:
        return f"no crime data for these 4 weeks yet ({coverage.words()}, ending {until})"
    if len(by_type) == 1:
        found = f"{recent} {by_type[0][0].lower()} {_plural(recent, 'report')}"
    elif recent:
        found = f"{recent} relevant crimes"
    else:
        found = f"no relevant crime within {radius_m} m"
    return f"{found} from {recent_start:%-d %b} to {until}, where the crime data ends"


def compared(recent: int, baseline: float) -> str:
    """How the last 4 weeks compare with the 6-month average per 4 weeks."""
    if baseline == 0:
        return "none in the 6 months before"
    average = f"the 6-month average of {_number(baseline)} per 4 weeks"
    ratio = recent / baseline
    if ratio >= 1.75:
        times = round(ratio)
        return f"{'twice' if times == 2 else f'{times} times'} {average}"
    if ratio >= 1.2:
        return f"above {average}"
    if ratio > 0.8:
        return f"about {average}"
    return f"below {average}"


def _sighting_words(women: int, encounters: int) -> str:
    parts = []
    if women:
        parts.append(f"{women} {_plural(women, 'woman', 'women')} seen")
    if encounters:
        parts.append(f"{encounters} {_plural(encounters, 'encounter')} recorded")
    return " and ".join(parts) + " in 4 weeks"


def _patrol_words(days: int | None) -> str:
    if days is None:
        return "not patrolled yet"
    if days <= 1:
        return "last patrolled yesterday" if days == 1 else "last patrolled today"
    return f"last patrolled {days} days ago"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return one if n == 1 else (many or f"{one}s")


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
