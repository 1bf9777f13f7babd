"""Activity on a record moves its retention review date.

The services that change people, referrals and intelligence (casework, above this layer)
call ``touched(*records)`` in their transaction. The review dates themselves depend on
every kind of record, so ``dataprotection`` (the top layer, which reads them all)
receives the signal and recomputes them, in the same transaction.
"""

from django.dispatch import Signal

record_activity = Signal()  # sent with objects=[...]


def touched(*objects) -> None:
    record_activity.send(sender=None, objects=[obj for obj in objects if obj is not None])
