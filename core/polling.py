"""Pages that wait for a background job (an import, a report) ask the server again, less
and less often: htmx swaps in a fragment that carries the next delay (``load delay:Ns``)
until the job ends. The count of polls so far travels in ``?poll=``; anything odd in it
starts the count again, never a 500."""

from __future__ import annotations

# Seconds before the next poll: after 1, 2, 4, 8, then every 15 seconds.
DELAYS = (1, 2, 4, 8, 15)
MAX_POLLS = 100  # the count stops growing; the delay stays at its longest


def poll_number(value: str | None) -> int:
    """How many times the page has asked so far (0 for a missing or odd value)."""
    return min(int(value), MAX_POLLS) if value and value.isascii() and value.isdigit() else 0


def poll_context(value: str | None, delays: tuple[int, ...] = DELAYS) -> dict[str, int]:
    """``next_poll`` and ``delay`` for a fragment's ``hx-get``/``hx-trigger``."""
    poll = poll_number(value)
    return {"next_poll": poll + 1, "delay": delays[min(poll, len(delays) - 1)]}
