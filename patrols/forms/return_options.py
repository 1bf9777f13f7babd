"""What the forms of one patrol's return offer (officers, hotspots, people, agencies),
loaded once per request into `ReturnOptions` and shared by every row, and the fields that
choose among those loaded objects."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from partners.models import PartnerAgency, ServiceType
from referrals.models import Person

from .. import services
from ..models import Hotspot, Patrol, PatrolOfficer

MAX_HOURS = services.MAX_RETURN_HOURS
ROW_LIMIT = 50  # rows of one kind on one return; far more than any night has


class ReturnOptions:
    """What the forms of one patrol's return offer, each loaded (once) when first needed."""

    def __init__(self, patrol: Patrol, user):
        self.patrol = patrol
        self.user = user
        self.night = timezone.localtime(patrol.starts_at).date()

    @cached_property
    def duties(self) -> list[PatrolOfficer]:
        duties = self.patrol.officers.select_related("officer")
        return list(duties.order_by("role", "officer__last_name", "officer__first_name", "pk"))

    @cached_property
    def officers(self) -> dict:
        return {str(duty.officer_id): duty.officer for duty in self.duties}

    @cached_property
    def hotspots(self) -> dict:
        hotspots = Hotspot.objects.filter(ward__area=self.patrol.area_id).active()
        return {str(hotspot.pk): hotspot for hotspot in hotspots.select_related("ward")}

    @cached_property
    def people(self) -> dict:
        people = Person.objects.filter(area=self.patrol.area_id)
        people = people.only("pk", "working_name", "description", "area_id")
        return {str(person.pk): person for person in people}

    @cached_property
    def agencies(self) -> dict:
        agencies = PartnerAgency.objects.active().prefetch_related("services")
        return {str(agency.pk): agency for agency in agencies}

    @cached_property
    def offers(self) -> dict[str, set[str]]:
        """The services each active agency offers, by the agency's key."""
        return {
            pk: {offer.service for offer in agency.services.all()}
            for pk, agency in self.agencies.items()
        }

    def planned_hours(self) -> Decimal:
        seconds = services.shift_length(self.patrol.starts_at, self.patrol.ends_at).total_seconds()
        return Decimal(seconds / 3600).quantize(Decimal("0.01"))

    def agencies_offering(self, service: str) -> dict:
        return {pk: a for pk, a in self.agencies.items() if service in self.offers[pk]}

    def referral_agencies(self) -> dict:
        """Agencies a woman can be referred to: everyone offering more than the course."""
        return {
            pk: agency
            for pk, agency in self.agencies.items()
            if self.offers[pk] - {ServiceType.DIVERSION_COURSE}
        }

    def single_service(self) -> dict[str, str]:
        """The service of each agency a woman can be referred to for one thing only, so the
        form can take it without asking (and the page can fill it in)."""
        single = {}
        for pk in self.referral_agencies():
            offers = self.offers[pk] - {ServiceType.DIVERSION_COURSE}
            if len(offers) == 1:
                single[pk] = next(iter(offers))
        return single

    def agency_label(self, agency: PartnerAgency) -> str:
        """The agency with what a woman can be referred to it for, since a select cannot
        narrow its agencies by the service chosen without JavaScript."""
        offers = self.offers[str(agency.pk)] - {ServiceType.DIVERSION_COURSE}
        labels = [label for service, label in ServiceType.choices if service in offers]
        return f"{agency} ({', '.join(labels)})"


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects already loaded (see ReturnOptions); cleans to the object."""

    def __init__(self, objects: dict, *, label_for=str, empty_label: str | None = "", **kwargs):
        self.objects = objects
        choices = [(key, label_for(obj)) for key, obj in objects.items()]
        if empty_label is not None:
            choices.insert(0, ("", empty_label))
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        key = super().clean(value)
        return self.objects.get(key) if key else None


class ObjectMultipleChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, objects: dict, *, label_for=str, **kwargs):
        self.objects = objects
        super().__init__(choices=[(k, label_for(o)) for k, o in objects.items()], **kwargs)

    def clean(self, value):
        return [self.objects[key] for key in super().clean(value)]


def on_the_night(started_at: dt.datetime, ended_at: dt.datetime, time: dt.time) -> dt.datetime:
    """The moment during the shift at this clock time: nights cross midnight, so a time may
    fall on the next day. Of the two days, take the one nearer the middle of the shift."""
    middle = timezone.localtime(started_at + (ended_at - started_at) / 2)
    day = timezone.localtime(started_at).date()
    candidates = [
        timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=d), time)) for d in (0, 1)
    ]
    return min(candidates, key=lambda moment: abs(moment - middle))


def hotspot_label(hotspot: Hotspot) -> str:
    """Hotspot names are unique within a ward, not across the area."""
    return f"{hotspot.name} ({hotspot.ward.name})"


def person_label(person: Person) -> str:
    description = person.description.strip()
    if len(description) > 60:
        description = description[:59] + "…"
    return f"{person.working_name} – {description}" if description else person.working_name
