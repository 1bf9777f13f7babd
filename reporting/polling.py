"""How often a page that waits for a job asks again: after 1, 2, 4, 8, then every 15
seconds until the job ends (htmx ``hx-trigger="load delay:…"`` on the swapped fragment)."""

POLL_DELAYS = (1, 2, 4, 8, 15)


def poll_context(poll: int) -> dict:
    return {"next_poll": poll + 1, "delay": POLL_DELAYS[min(poll, len(POLL_DELAYS) - 1)]}


def poll_number(value: str | None) -> int:
    """How many times the page has asked; anything odd starts again (never a 500)."""
    return min(int(value), 100) if value and value.isdigit() else 0
