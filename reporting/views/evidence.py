"""The Evidence page: the project lead's one-page answer to "does the operation work?",
for one of their areas (``?area=<pk>``; another area is not found).

Working it out fits a few dozen regression models, which takes seconds on the demo data
(measured: 3–7 s on a busy two-core server, most of it numpy), so the result is cached
per area and day, and afresh when crime data is imported; the page says when it was
worked out. The number of queries does not depend on the volume of data.
"""

import datetime as dt

from django.core.cache import cache
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from core.permissions import PermissionRequiredMixin

from ..evaluation import Evidence, evaluate
from ..evaluation.page import evidence_page
from ..models import ImportBatch, ImportStatus
from ..selectors import chosen_area

CACHE_SECONDS = 60 * 60 * 26  # a day's key outlives the day by a little, then expires


def cache_key(area, day: dt.date) -> str:
    """Per area and day; a new crime import (a new batch id) starts a new entry."""
    latest = ImportBatch.objects.filter(status=ImportStatus.IMPORTED).aggregate(n=Max("pk"))["n"]
    return f"reporting:evidence:v1:{area.pk}:{day.isoformat()}:{latest or 0}"


def evidence_for(area) -> Evidence:
    day = timezone.localdate()
    key = cache_key(area, day)
    evidence = cache.get(key)
    if evidence is None:
        evidence = evaluate(area, day)
        cache.set(key, evidence, CACHE_SECONDS)
    return evidence


class EvidenceView(PermissionRequiredMixin, View):
    permission_required = "reporting.evidence"
    http_method_names = ["get"]

    def get(self, request):
        areas = list(request.user.areas.all())
        area = chosen_area(areas, request.GET.get("area"))
        evidence = evidence_for(area) if area else None
        return render(
            request,
            "reporting/evidence.html",
            {
                "areas": areas,
                "area": area,
                "page": evidence_page(evidence) if evidence else None,
            },
        )
