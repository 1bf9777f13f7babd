"""A request's export written out: JSON for another system, PDF for the subject.

``build`` gathers the subject as the request allows; nothing is fetched over a network.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from core.pdf import render_pdf
from governance.models import SubjectAccessRequest, SubjectType

from . import arrests, people, sections

TEMPLATES = {
    SubjectType.PERSON: "governance/subject_access_pdf.html",
    SubjectType.ARREST: "governance/subject_access_arrest_pdf.html",
}


def build(sar: SubjectAccessRequest, subject, by) -> tuple[dict, list]:
    """The export's data and the records it discloses."""
    gather = arrests.gather if sar.subject_type == SubjectType.ARREST else people.gather
    return gather(subject, sar, by)


def as_json(sar: SubjectAccessRequest, data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def as_pdf(sar: SubjectAccessRequest, data: dict) -> bytes:
    shown = sections.shown(sar.subject_type, sar.withheld_sections)
    html = render_to_string(TEMPLATES[sar.subject_type], {"data": data, "shown": shown})
    return render_pdf(html)
