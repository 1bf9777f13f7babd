"""The monthly trend report: its numbers equal plain counts from the database, its PDF
says them, and the partner-safe edition gives away no small count, place or detail."""

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from partners.models import ServiceType
from patrols.models import (
    Arrest,
    ArrestOutcome,
    CautionStatus,
    ConditionalCaution,
    Encounter,
    EngagementActivity,
    IntelligenceReport,
    Offence,
    OfficerHours,
    PartnerInvitation,
    Patrol,
    PatrolStatus,
    ReturnStatus,
    Weather,
    WorkReturn,
)
from referrals.models import (
    ClosedOutcome,
    DeclineReason,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from reporting import metrics
from reporting.models import (
    CrimeFileKind,
    CrimeRecord,
    GeneratedReport,
    ImportBatch,
    ImportStatus,
    ReportKind,
)
from reporting.reports.monthly import build_monthly_report
from reporting.reports.monthly_format import Format, protect
from tests.factories import (
    AgencyFactory,
    HotspotFactory,
    OfficerFactory,
    PatrolFactory,
    PersonFactory,
    ReferralFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)
MARCH_END = dt.date(2025, 3, 31)
DELIVERED = [PatrolStatus.DEPLOYED, PatrolStatus.RETURNED, PatrolStatus.CLOSED]
HOTSPOTS = ("Canal Towpath Corner", "Gasworks Lane End")
CUSTODY_REFERENCE = "LX/TEST/7781"
SUSPECT = "Driver of a silver hatchback, plate ends QZV"
INTEL_SUBJECT = "Tall man in a red coat collecting cash"
INTEL_DETAILS = "Seen at the arches on three nights, unique phrase Xylophone"
CANCEL_REASON = "Severe weather warning"
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="needs pdftotext (Debian poppler-utils) to read the PDF; CI installs it",
)


def at(day: dt.date, hour: int = 20, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# --- A constructed month --------------------------------------------------------------------


class World:
    """Lambeth in March 2025 and the year before, with a second area that must not count."""

    def __init__(self, area, tag="test"):
        self.area = area
        self.officer = OfficerFactory(role=Role.PC, areas=[area])
        self.colleague = OfficerFactory(role=Role.PC, areas=[area])
        self.wards = [
            WardFactory(area=area, name=name) for name in ("Riverside", "Market", "Heath")
        ]
        self.hotspots = [
            HotspotFactory(ward=self.wards[0], name=HOTSPOTS[0]),
            HotspotFactory(ward=self.wards[1], name=HOTSPOTS[1]),
        ]
        self.agency = AgencyFactory(name=f"Harbour Outreach ({tag})")
        self.small_agency = AgencyFactory(name=f"Lantern Clinic ({tag})")
        self.provider = AgencyFactory(
            name=f"Course Provider ({tag})", services=[ServiceType.DIVERSION_COURSE]
        )

    def patrol(self, day, status=PatrolStatus.CLOSED, *, ward=0, hour=20, minute=0, women=0):
        starts = at(day, hour, minute)
        patrol = PatrolFactory(
            ward=self.wards[ward],
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=8),
            status=status,
            cancel_reason=CANCEL_REASON if status == PatrolStatus.CANCELLED else "",
            planned_by=self.officer,
        )
        patrol.hotspots.set([self.hotspots[ward % 2]])
        if status in (PatrolStatus.RETURNED, PatrolStatus.CLOSED):
            work_return = WorkReturn.objects.create(
                patrol=patrol,
                started_at=starts,
                ended_at=starts + dt.timedelta(hours=8),
                weather=Weather.DRY,
                women_seen=women,
                kerb_crawlers_seen=1,
                engagement_count=6,
                status=ReturnStatus.SUBMITTED,
                submitted_at=starts + dt.timedelta(hours=9),
                filed_by=self.officer,
            )
            work_return.hotspots_visited.set([self.hotspots[ward % 2]])
            for officer in (self.officer, self.colleague):
                OfficerHours.objects.create(
                    work_return=work_return, officer=officer, hours=Decimal("8.00")
                )
        return patrol

    def encounter(self, patrol, person, when, *, engaged=True, new=False, hotspot=0):
        return Encounter.objects.create(
            patrol=patrol,
            person=person,
            hotspot=self.hotspots[hotspot],
            occurred_at=when,
            engaged=engaged,
            new_to_area=new,
        )

    def referral(self, made_at, status=ReferralStatus.MADE, *, path=(), agency=None, **extra):
        referral = ReferralFactory(
            person=PersonFactory(area=self.area, created_by=self.officer),
            agency=agency or self.agency,
            service=ServiceType.EXIT_SUPPORT,
            referred_by=self.officer,
            made_at=made_at,
            status=status,
            **extra,
        )
        previous = ""
        for step, to_status in enumerate(path):
            ReferralStatusChange.objects.create(
                referral=referral,
                from_status=previous,
                to_status=to_status,
                changed_by=self.officer,
                changed_at=made_at + dt.timedelta(days=step),
            )
            previous = to_status
        return referral

    def arrest(self, patrol, when, offence=Offence.KERB_CRAWLING, **extra):
        values = {
            "suspect_description": f"Synthetic suspect {Arrest.objects.count()}",
            "custody_reference": f"LX/SYN/{Arrest.objects.count():04d}",
            "outcome": ArrestOutcome.PENDING,
        } | extra
        return Arrest.objects.create(
            patrol=patrol,
            arrested_at=when,
            offence=offence,
            arresting_officer=self.officer,
            **values,
        )

    def caution(self, arrest, given_on, status=CautionStatus.ISSUED, changed=None):
        return ConditionalCaution.objects.create(
            arrest=arrest,
            given_on=given_on,
            provider=self.provider,
            deadline=given_on + dt.timedelta(days=84),
            booking_name="Synthetic booking name",
            booking_contact="07700 900000",
            status=status,
            status_changed_at=changed,
        )


def crimes(area, month: dt.date, counts: dict[str, int]) -> None:
    batch = ImportBatch.objects.create(
        filename=f"{month:%Y-%m}-metropolitan-street.csv",
        sha256=f"{month:%Y%m}".ljust(64, "0"),
        kind=CrimeFileKind.STREET,
        force="metropolitan",
        month=month,
        row_count=sum(counts.values()),
        status=ImportStatus.IMPORTED,
    )
    CrimeRecord.objects.bulk_create(
        CrimeRecord(
            batch=batch,
            area=area,
            month=month,
            reported_by="Metropolitan Police Service",
            falls_within="Metropolitan Police Service",
            crime_type=crime_type,
        )
        for crime_type, n in counts.items()
        for _ in range(n)
    )


@pytest.fixture
def world(area, other_area):
    w = World(area)
    # March: seven delivered patrols on six Friday/Saturday nights (two on the 8th), one
    # on a Wednesday, one cancelled, one still planned.
    nights = [7, 8, 8, 14, 15, 21, 22]
    march = [w.patrol(MARCH.replace(day=d), ward=n % 3, women=3 + n) for n, d in enumerate(nights)]
    wednesday = w.patrol(MARCH.replace(day=12), PatrolStatus.DEPLOYED)
    w.patrol(MARCH.replace(day=28), PatrolStatus.CANCELLED)
    w.patrol(MARCH.replace(day=29), PatrolStatus.PLANNED)
    # 00:30 on 1 April (BST) is 23:30 UTC on 31 March: April's, not March's.
    w.patrol(dt.date(2025, 4, 1), hour=0, minute=30, women=40)
    # Earlier months: January's patrols and six arrests, one man cautioned and re-arrested.
    january = [w.patrol(dt.date(2025, 1, d), women=5) for d in (3, 4, 10, 11, 17)]
    for n in range(6):
        w.arrest(january[n % 5], at(dt.date(2025, 1, 3 + n), 23))
    first = w.arrest(
        january[0],
        at(dt.date(2025, 1, 3), 22),
        custody_reference=CUSTODY_REFERENCE,
        suspect_description=SUSPECT,
        outcome=ArrestOutcome.CONDITIONAL_CAUTION,
    )
    w.caution(first, dt.date(2025, 1, 4), CautionStatus.COMPLETED, at(dt.date(2025, 3, 10), 10))
    w.arrest(january[3], at(dt.date(2025, 2, 14), 23), suspect_description=SUSPECT.upper())

    # March's people: five distinct people engaged (one twice), two only seen, two new.
    people = [PersonFactory(area=w.area, created_by=w.officer) for _ in range(7)]
    for n, person in enumerate(people[:5]):
        w.encounter(march[n], person, at(MARCH.replace(day=nights[n]), 22), new=n < 2)
    w.encounter(march[5], people[0], at(MARCH.replace(day=21), 23), hotspot=1)
    for person in people[5:]:
        w.encounter(march[6], person, at(MARCH.replace(day=22), 23), engaged=False)

    # March's referrals: seven made; engaged twice (once now closed); one declined.
    made = at(MARCH.replace(day=8), 23)
    E, R, M = ReferralStatus.ENGAGED, ReferralStatus.RECEIVED, ReferralStatus.MADE
    w.referral(made, E, path=[M, R, ReferralStatus.CONTACTED, E])
    closed = ClosedOutcome.SUPPORT_COMPLETED
    w.referral(made, ReferralStatus.CLOSED, path=[M, R, E, "closed"], closed_outcome=closed)
    w.referral(
        made,
        ReferralStatus.DECLINED,
        path=[M, R, ReferralStatus.DECLINED],
        decline_reason=DeclineReason.NO_CAPACITY,
        decline_detail="Synthetic waiting list",
    )
    w.referral(made, ReferralStatus.WITHDRAWN, path=[M, ReferralStatus.WITHDRAWN])
    w.referral(made, R, path=[M, R], agency=w.small_agency)
    w.referral(made, path=[M])
    w.referral(at(MARCH_END, 23, 30))
    w.referral(at(dt.date(2025, 2, 27)))  # February's

    # March's enforcement: three arrests (a small count), three cautions given, one
    # course completed in March without a recorded date, one breached, intelligence.
    arrests = [
        w.arrest(march[0], at(MARCH.replace(day=7), 23)),
        w.arrest(march[1], at(MARCH.replace(day=8), 23), outcome=ArrestOutcome.CHARGED),
        w.arrest(march[3], at(MARCH.replace(day=14), 23), Offence.CONTROLLING),
    ]
    w.caution(arrests[0], MARCH.replace(day=8))
    w.caution(arrests[1], MARCH.replace(day=9), CautionStatus.BOOKED)
    late = w.arrest(january[1], at(dt.date(2025, 1, 4), 23))
    w.caution(late, MARCH.replace(day=20), CautionStatus.COMPLETED)  # no date recorded
    breached = w.arrest(january[2], at(dt.date(2025, 1, 10), 23))
    w.caution(breached, dt.date(2025, 1, 11), CautionStatus.BREACHED, at(dt.date(2025, 3, 25)))
    Referral.objects.create(  # a diversion-course referral: counted as a caution
        caution=ConditionalCaution.objects.get(arrest=arrests[0]),
        agency=w.provider,
        service=ServiceType.DIVERSION_COURSE,
        referred_by=w.officer,
        made_at=made,
        arrived_at=made,
    )
    IntelligenceReport.objects.create(
        patrol=march[2],
        submitted_by=w.officer,
        submitted_at=at(MARCH.replace(day=8), 23),
        subject_description=INTEL_SUBJECT,
        details=INTEL_DETAILS,
        source_evaluation="2",
        intelligence_assessment="D",
        handling_code="P",
    )
    for patrol in march[:6]:
        PartnerInvitation.objects.create(
            patrol=patrol, agency=w.agency, activity=EngagementActivity.SOUP_KITCHEN
        )
    PartnerInvitation.objects.create(
        patrol=wednesday, agency=w.small_agency, activity=EngagementActivity.HEALTH_CHECK
    )
    crimes(w.area, MARCH, {"Anti-social behaviour": 12, "Other crime": 3, "Burglary": 7})
    crimes(w.area, dt.date(2025, 2, 1), {"Anti-social behaviour": 9, "Public order": 6})

    # The other area: none of this may count for Lambeth.
    other = World(other_area, tag="elsewhere")
    patrol = other.patrol(MARCH.replace(day=7), women=9)
    other.arrest(patrol, at(MARCH.replace(day=7), 23))
    someone = PersonFactory(area=other_area, created_by=other.officer)
    other.encounter(patrol, someone, at(MARCH.replace(day=7), 23))
    other.referral(made)
    return w


# --- The oracle: plain ORM counts, one per headline ------------------------------------------


def in_march(field: str) -> Q:
    return Q(**{f"{field}__date__gte": MARCH, f"{field}__date__lte": MARCH_END})


def oracle(area) -> dict[str, int]:
    delivered = Patrol.objects.filter(in_march("starts_at"), area=area, status__in=DELIVERED)
    weekend_nights = {
        timezone.localtime(p.starts_at).date()
        for p in delivered
        if timezone.localtime(p.starts_at).weekday() in (4, 5)
    }
    referrals = Referral.objects.filter(in_march("made_at"), person__area=area).exclude(
        service=ServiceType.DIVERSION_COURSE
    )
    cautions = ConditionalCaution.objects.filter(arrest__patrol__area=area)

    def outcome_in_march(caution) -> bool:
        if caution.status_changed_at is None:
            day = caution.given_on
        else:
            day = timezone.localtime(caution.status_changed_at).date()
        return MARCH <= day <= MARCH_END

    return {
        "Patrols delivered": delivered.count(),
        "Friday and Saturday nights covered": len(weekend_nights),
        "Referrals made": referrals.count(),
        "Referrals engaged": referrals.filter(
            Q(status=ReferralStatus.ENGAGED) | Q(history__to_status=ReferralStatus.ENGAGED)
        )
        .distinct()
        .count(),
        "People engaged on patrol": Encounter.objects.filter(
            in_march("occurred_at"), patrol__area=area, engaged=True
        )
        .values("person")
        .distinct()
        .count(),
        "Arrests": Arrest.objects.filter(in_march("arrested_at"), patrol__area=area).count(),
        "Conditional cautions given": cautions.filter(
            given_on__gte=MARCH, given_on__lte=MARCH_END
        ).count(),
        "Diversion courses completed": sum(
            1 for c in cautions.filter(status=CautionStatus.COMPLETED) if outcome_in_march(c)
        ),
        "Diversion courses breached": sum(
            1 for c in cautions.filter(status=CautionStatus.BREACHED) if outcome_in_march(c)
        ),
    }


# --- Reading the PDF ----------------------------------------------------------------------


def report_for(area, kind) -> GeneratedReport:
    return GeneratedReport(kind=kind, area=area, period_start=MARCH, period_end=MARCH_END)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    result = subprocess.run(  # noqa: S603 - fixed argv
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def headline(text: str) -> dict[str, str]:
    """The key numbers block: each measure's value for the month (first column)."""
    block = text.split("Key numbers", 1)[1].split("Trend over the 12 months", 1)[0]
    values = {}
    for line in block.splitlines():
        match = re.match(r"\s*([A-Z][A-Za-z ]+?)\s{2,}(<5|\d[\d,]*)\s", line)
        if match:
            values[match[1]] = match[2]
    return values


@pytest.fixture
def police_pdf(world):
    return build_monthly_report(report_for(world.area, ReportKind.MONTHLY_TREND))


@pytest.fixture
def partner_pdf(world):
    return build_monthly_report(report_for(world.area, ReportKind.MONTHLY_TREND_PARTNER))


# --- Tests ------------------------------------------------------------------------------


def test_the_oracle_sees_the_constructed_month(world):
    assert oracle(world.area) == {
        "Patrols delivered": 8,
        "Friday and Saturday nights covered": 6,
        "Referrals made": 7,
        "Referrals engaged": 2,
        "People engaged on patrol": 5,
        "Arrests": 3,
        "Conditional cautions given": 3,
        "Diversion courses completed": 2,
        "Diversion courses breached": 1,
    }


@needs_pdftotext
def test_headline_numbers_in_the_pdf_equal_the_database(world, police_pdf, tmp_path):
    name, data = police_pdf
    assert name == "monthly-trend-lambeth-2025-03-police.pdf"
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    shown = headline(text)
    expected = oracle(world.area)
    assert {label: shown.get(label) for label in expected} == {
        label: str(n) for label, n in expected.items()
    }
    assert re.search(r"Friday and Saturday nights covered\s+6 of 9\s", text)


@needs_pdftotext
def test_police_edition_covers_every_outcome_and_names_hotspots(police_pdf, tmp_path):
    text = pdf_text(police_pdf[1], tmp_path)
    for place in (*HOTSPOTS, "Riverside", "Market"):
        assert place in text
    for words in (
        "Referrals by service",
        "Referrals by agency",
        "No capacity",  # declined, with the reason
        "Support completed",  # closed, with the outcome
        "Kerb crawling / soliciting",
        "Controlling prostitution for gain",
        "Re-arrest of cautioned men",
        "Women seen per patrol",
        "People new to the area",
        "Anti-social behaviour",
        "Cancellations, by reason given",
        CANCEL_REASON,
        "Officer hours",
        "Harbour Outreach (test): Soup kitchen",
        "Intelligence reports submitted",
    ):
        assert words in text, words
    # Chart labels are text, not paths.
    assert "Nights with a patrol delivered" in text
    # Aggregates only, even for the police: no one's details.
    for secret in (CUSTODY_REFERENCE, SUSPECT, INTEL_SUBJECT, INTEL_DETAILS):
        assert secret not in text


@needs_pdftotext
def test_partner_edition_gives_nothing_small_or_specific_away(world, partner_pdf, tmp_path):
    name, data = partner_pdf
    assert name == "monthly-trend-lambeth-2025-03-partner-safe.pdf"
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    for secret in (CUSTODY_REFERENCE, SUSPECT, INTEL_SUBJECT, INTEL_DETAILS, CANCEL_REASON):
        assert secret not in text
    for hotspot in HOTSPOTS:
        assert hotspot not in text
    assert "Intelligence reports" not in text
    assert "Controlling prostitution" not in text  # one arrest: never listed
    # Where a small count was planted, "<5" stands in for it.
    shown = headline(text)
    assert shown["Arrests"] == "<5"  # three in March
    assert shown["Conditional cautions given"] == "<5"
    assert shown["Patrols delivered"] == "8"
    assert re.search(r"Other crime\s.*<5", text)  # three in March
    # No number from 1 to 4 appears anywhere as a count.
    tokens = [token.strip("(),.;:") for token in text.split()]
    assert not [t for t in tokens if t in {"1", "2", "3", "4"}]
    assert "By ward, over the 12 months" in text  # places by ward at the finest


@needs_pdftotext
def test_other_areas_and_months_do_not_count(world, police_pdf, tmp_path):
    text = pdf_text(police_pdf[1], tmp_path)
    women_in_march = sum(3 + n for n in range(7))  # the 1 April patrol's 40 are April's
    assert re.search(rf"Women seen in street sex work\s.*\s{women_in_march}\s", text)


def test_both_editions_are_valid_pdfs(police_pdf, partner_pdf):
    for _, data in (police_pdf, partner_pdf):
        assert data.startswith(b"%PDF-")
        assert data.rstrip().endswith(b"%%EOF")


# --- The numbers, without the PDF ---------------------------------------------------------------


def test_metrics_match_the_oracle(world):
    data = metrics.collect(world.area, MARCH)
    expected = oracle(world.area)

    def now(name, measure):
        return data[name].get(MARCH, {}).get(measure, 0)

    assert now("patrols", "delivered") == expected["Patrols delivered"]
    assert now("patrols", "weekend_nights") == expected["Friday and Saturday nights covered"]
    assert now("referrals", "made") == expected["Referrals made"]
    assert now("referrals", "engaged") == expected["Referrals engaged"]
    assert now("encounters", "people_engaged") == expected["People engaged on patrol"]
    assert now("arrests", "arrests") == expected["Arrests"]
    assert now("cautions", "cautions") == expected["Conditional cautions given"]
    assert now("courses", "completed") == expected["Diversion courses completed"]
    assert now("courses", "breached") == expected["Diversion courses breached"]
    assert now("patrols", "cancelled") == 1
    assert now("patrols", "planned") == 10
    assert now("referrals", "received") == 4  # engaged, closed, declined, received
    assert now("referrals", "declined") == 1
    assert now("hours", "hours") == Decimal("112.00")  # 7 returns × 2 officers × 8 h
    assert now("intelligence", "intelligence") == 1
    assert now("partner_patrols", "partner_patrols") == 7
    assert data["rearrests"] == {"cautioned": 5, "rearrested": 1}
    by_type, sources = data["crimes"]
    assert by_type["Other crime"] == {MARCH: 3}
    assert sources == {MARCH: "street", dt.date(2025, 2, 1): "street"}
    assert data["decline_reasons"] == [{"key": "no_capacity", "month": 1, "year": 1}]


def test_weekly_extract_fills_a_month_police_uk_has_not_published(area):
    batch = ImportBatch.objects.create(
        filename="weekly.csv",
        sha256="1" * 64,
        kind=CrimeFileKind.WEEKLY,
        force="metropolitan",
        month=MARCH,
        status=ImportStatus.IMPORTED,
    )
    CrimeRecord.objects.create(
        batch=batch,
        area=area,
        month=MARCH,
        date=MARCH,
        reported_by="Metropolitan Police Service",
        falls_within="Metropolitan Police Service",
        crime_type="Public order",
    )
    by_type, sources = metrics.crimes(area, metrics.Window.ending(MARCH))
    assert by_type == {"Public order": {MARCH: 1}}
    assert sources == {MARCH: "weekly"}
    crimes(area, MARCH, {"Public order": 5})  # police.uk's month wins: never both
    by_type, sources = metrics.crimes(area, metrics.Window.ending(MARCH))
    assert by_type == {"Public order": {MARCH: 5}}
    assert sources == {MARCH: "street"}


def test_collect_runs_a_fixed_number_of_queries(world):
    with CaptureQueriesContext(connection) as small:
        metrics.collect(world.area, MARCH)
    for day in (1, 15):  # more of everything
        patrol = world.patrol(dt.date(2025, 3, day), ward=2, women=2)
        world.arrest(patrol, at(dt.date(2025, 3, day), 23))
        world.referral(at(dt.date(2025, 3, day), 23))
    with CaptureQueriesContext(connection) as large:
        metrics.collect(world.area, MARCH)
    assert len(small) == len(large) <= 30
    with CaptureQueriesContext(connection) as partner:
        metrics.collect(world.area, MARCH, police=False)
    assert len(partner) < len(large)  # the partner edition never fetches police detail


def test_window_is_the_month_and_the_eleven_before_it():
    window = metrics.Window.ending(dt.date(2025, 3, 17))
    assert (window.first, window.last, window.start) == (MARCH, MARCH_END, dt.date(2024, 4, 1))
    assert len(window.months) == 12
    assert window.months[-1] == MARCH
    assert metrics.friday_saturday_nights(MARCH) == 9
    assert metrics.friday_saturday_nights(dt.date(2025, 2, 1)) == 8


# --- Suppression ----------------------------------------------------------------------------


def test_partner_format_suppresses_counts_under_five():
    partner, police = Format(partner=True), Format(partner=False)
    assert [partner.count(n) for n in (0, 1, 4, 5, 1234)] == ["0", "<5", "<5", "5", "1,234"]
    assert police.count(3) == "3"
    assert partner.total([3, 10, 0]) == "—"  # would give the 3 away
    assert partner.total([3, 2, 10]) == "15"
    assert partner.total([3, 10], about_people=False) == "13"
    assert partner.rate(3, 10) == "—"
    assert partner.rate(12, 10) == "1.2"
    assert police.rate(3, 10) == "0.3"
    assert police.rate(3, 0) == "—"


def test_protect_folds_small_categories_until_none_can_be_worked_out():
    rows = [
        {"label": "Kerb crawling", "year": 12},
        {"label": "Controlling", "year": 6},
        {"label": "Brothel keeping", "year": 3},
    ]
    # 3 alone in "Other" would be a small count: the next smallest joins it.
    assert protect(rows, ("year",)) == [
        {"label": "Kerb crawling", "year": 12},
        {"label": "Other (each under 5, combined)", "year": 9},
    ]
    rows.append({"label": "Causing", "year": 2})  # 3 + 2 is not small: Controlling stays
    assert protect(rows, ("year",)) == [
        {"label": "Kerb crawling", "year": 12},
        {"label": "Controlling", "year": 6},
        {"label": "Other (each under 5, combined)", "year": 5},
    ]
    assert protect([{"label": "A", "year": 7}, {"label": "B", "year": 0}], ("year",)) == [
        {"label": "A", "year": 7},
        {"label": "B", "year": 0},
    ]


def test_another_area_counts_only_its_own(world, other_area):
    data = metrics.collect(other_area, MARCH)
    assert data["arrests"][MARCH]["arrests"] == 1
    assert data["patrols"][MARCH]["delivered"] == 1
    assert data["referrals"][MARCH]["made"] == 1


# --- The job on the 1st of the month ------------------------------------------------------------


def test_the_monthly_job_asks_for_both_editions_for_each_area_once(
    area, other_area, settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    from reporting import reports
    from reporting.forms_reports import last_month
    from reporting.tasks import build_monthly_reports

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(reports, "builder_for", lambda kind: lambda r: ("r.pdf", b"%PDF-1.7"))
    with django_capture_on_commit_callbacks(execute=True):
        assert build_monthly_reports() == 4
    with django_capture_on_commit_callbacks(execute=True):
        assert build_monthly_reports() == 0  # running twice asks once
    first = last_month(timezone.localdate())
    reports_made = GeneratedReport.objects.order_by("area__name", "kind")
    assert [(r.area, r.kind) for r in reports_made] == [
        (area, ReportKind.MONTHLY_TREND),
        (area, ReportKind.MONTHLY_TREND_PARTNER),
        (other_area, ReportKind.MONTHLY_TREND),
        (other_area, ReportKind.MONTHLY_TREND_PARTNER),
    ]
    assert {(r.period_start, r.status, r.requested_by) for r in reports_made} == {
        (first, "ready", None)
    }
    assert all(r.period_end.month == first.month for r in reports_made)


def test_the_job_is_scheduled_for_the_first_of_the_month_at_six(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["build-monthly-reports"]
    assert entry["task"] == "reporting.tasks.build_monthly_reports"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {6}, {0})
