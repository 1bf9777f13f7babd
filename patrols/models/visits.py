"""A timed visit to a hotspot during a patrol: arrival and departure, recorded on the work
return when the officers have them (optional). The return's ``hotspots_visited`` still
lists every hotspot visited, timed or not; a timed visit's hotspot is always among them.

Minutes per visit are what hot-spots policing research measures against (Koper's 10–16
minute curve): ``reporting.evaluation.dosage``.
"""

from django.db import models
from django.db.models import F, Q


class HotspotVisit(models.Model):
    work_return = models.ForeignKey(
        "patrols.WorkReturn", on_delete=models.CASCADE, related_name="visits"
    )
    hotspot = models.ForeignKey(
        "patrols.Hotspot", on_delete=models.PROTECT, related_name="timed_visits"
    )
    arrived_at = models.DateTimeField()
    left_at = models.DateTimeField()

    class Meta:
        ordering = ["arrived_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_at__gt=F("arrived_at")), name="visit_leaves_after_arrival"
            ),
        ]

    def __str__(self) -> str:
        return f"Visit to {self.hotspot_id} at {self.arrived_at:%H:%M}"

    @property
    def minutes(self) -> float:
        return (self.left_at - self.arrived_at).total_seconds() / 60
