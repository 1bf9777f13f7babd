"""A built monthly report on the web: its first page and every chart of the PDF, each an
accessible SVG with its numbers, in the report's own edition (the partner edition's page
publishes no more than its PDF), found as the download is found, and the gap of months
police.uk has not published yet labelled."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from governance.models import AuditEvent
from reporting import metrics
from reporting.models import GeneratedReport, ReportKind, ReportStatus
from reporting.reports import monthly
from reporting.reports.monthly_content import MonthlyReport
from reporting.reports.monthly_format import Format
from tests.factories import OfficerFactory

from .test_monthly import HOTSPOTS, MARCH, MARCH_END, crimes, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

POLICE, PARTNER = ReportKind.MONTHLY_TREND, ReportKind.MONTHLY_TREND_PARTNER


def built(area, kind=POLICE, status=ReportStatus.READY, start=MARCH, end=MARCH_END):
    report = GeneratedReport(
        kind=kind, area=area, period_start=start, period_end=end, status=status
    )
    if status == ReportStatus.READY:
        report.file.save("monthly.pdf", ContentFile(b"%PDF-1.4 web test"), save=False)
        report.finished_at = timezone.now()
        # What the builder stores beside the PDF (the PDF itself is not needed here).
        report.web_page = monthly.web_page(monthly.monthly_content(report))
    report.save()
    return report


def page(client, user, report):
    client.force_login(user)
    return client.get(reverse("reporting:report", args=[report.uuid]))


def pdf_charts(area, kind):
    """The charts the PDF of this edition draws, and the report they come from."""
    partner = kind == PARTNER
    report = MonthlyReport(
        GeneratedReport(kind=kind, area=area, period_start=MARCH, period_end=MARCH_END),
        metrics.collect(area, MARCH, police=not partner),
        Format(partner),
    )
    return [chart for row in report.context()["chart_rows"] for chart in row], report


class Tables(HTMLParser):
    """Each table's caption and rows of cell text; and all the text a person sees."""

    def __init__(self):
        super().__init__()
        self.tables, self.text, self._cell, self._in = [], [], None, []

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th", "caption"):
            self._cell = []

    def handle_endtag(self, tag):
        if self._in:
            self._in.pop()
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption" and self._cell is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._cell).split())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if not {"script", "style"} & set(self._in):
            self.text.append(data)


def parsed(response) -> Tables:
    """The page's own content (the site's header and footer are no part of the report)."""
    html = response.content.decode()
    tables = Tables()
    tables.feed(html[html.index("<main") : html.index("</main>")])
    return tables


def numbers(tables: Tables, title: str) -> dict[str, list[str]]:
    """A chart's numbers table: each series' cells, month by month."""
    table = next(t for t in tables.tables if t["caption"] == f"{title}, by month (number)")
    header, *rows = table["rows"]
    return {name: [row[n] for row in rows] for n, name in enumerate(header[1:], start=1)}


@pytest.mark.parametrize("kind", [POLICE, PARTNER])
def test_every_chart_of_the_pdf_is_on_the_page_with_its_numbers(client, world, kind):  # noqa: F811
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[world.area])
    response = page(client, lead, built(world.area, kind))
    assert response.status_code == 200
    html = response.content.decode()
    charts, report = pdf_charts(world.area, kind)
    assert len(charts) >= 4
    assert html.count('<svg role="img" aria-labelledby=') == len(charts)
    tables = parsed(response)
    for chart in charts:
        assert f">{chart['title']}</title>" in html
        assert chart["desc"] in html
        shown = numbers(tables, chart["title"])
        assert list(shown) == chart["columns"]
    # The numbers are the cells the edition's tables publish.
    arrests = numbers(tables, "Arrests, cautions and diversion courses")["Arrests"]
    assert arrests == report.protected("arrests", "arrests").cells[:-1]
    text = " ".join(" ".join(tables.text).split())
    for title in ("Referrals to support services", "Street crime such as loitering"):
        assert title in text
    assert "Does it work? The Evidence page's current answer" in text


def test_the_partner_page_shows_only_what_the_partner_pdf_shows(client, world):  # noqa: F811
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[world.area])
    response = page(client, lead, built(world.area, PARTNER))
    tables = parsed(response)
    text = " ".join(" ".join(tables.text).split())
    html = response.content.decode()
    arrests = numbers(tables, "Arrests, cautions and diversion courses")["Arrests"]
    assert arrests[-1] == "<5"  # three in March
    for hotspot in HOTSPOTS:
        assert hotspot not in html
    assert "of them for" not in text  # arrests by offence: police only
    # No count from 1 to 4 anywhere on the page, in the tables or the charts' text.
    tokens = [token.strip("(),.;:") for token in text.split()]
    assert not [t for t in tokens if t in {"1", "2", "3", "4"}]
    svg_text = re.findall(r"<text[^>]*>([^<]*)</text>", html)
    assert not [t for t in svg_text if t.strip() in {"1", "2", "3", "4"}]


def test_months_not_yet_published_are_labelled_on_the_page(client, area):
    crimes(area, dt.date(2025, 1, 1), {"Other crime": 8, "Public order": 9})
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    response = page(client, lead, built(area))
    tables = parsed(response)
    crime = numbers(tables, "Recorded crime, types related to street sex work")
    assert crime["Other crime"][-3:] == ["8", "not yet published", "not yet published"]
    text = " ".join(" ".join(tables.text).split())
    assert "not yet published by police.uk" in text
    assert "Feb 2025, Mar 2025: not yet published by police.uk" in response.content.decode()


def test_the_page_has_no_style_attribute_for_the_policy_to_refuse(client, area):
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    html = page(client, lead, built(area)).content.decode()
    assert "<svg" in html
    assert " style=" not in html


@pytest.mark.parametrize(
    "report_of",
    [
        lambda area, other: built(other),  # another area's
        lambda area, other: built(area, ReportKind.WEEKLY_DEPLOYMENT, end=MARCH),  # no page
        lambda area, other: built(area, status=ReportStatus.PENDING),  # not built yet
        lambda area, other: built(area, status=ReportStatus.RUNNING),
    ],
)
def test_anything_but_a_built_monthly_report_of_ones_areas_is_not_found(
    client, area, other_area, report_of
):
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    assert page(client, lead, report_of(area, other_area)).status_code == 404


def test_a_view_of_the_report_is_audited(client, area):
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    report = built(area)
    assert page(client, lead, report).status_code == 200
    row = AuditEvent.objects.get(action="reporting.generatedreport.viewed")
    assert (row.object_id, row.actor) == (str(report.uuid), lead)


def test_the_reports_list_links_each_built_monthly_report(client, area):
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    report = built(area)
    client.force_login(lead)
    html = client.get(reverse("reporting:reports")).content.decode()
    assert reverse("reporting:report", args=[report.uuid]) in html


# --- The page is the report as built ---------------------------------------------------------


def test_the_page_shows_the_figures_as_built_not_as_they_stand_now(client, area):
    crimes(area, dt.date(2025, 1, 1), {"Other crime": 8})
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    report = built(area)
    crimes(area, dt.date(2025, 2, 1), {"Other crime": 6})  # published after the build

    crime = numbers(
        parsed(page(client, lead, report)), "Recorded crime, types related to street sex work"
    )

    assert crime["Other crime"][-2:] == ["not yet published", "not yet published"]


def test_the_builder_keeps_the_page_with_the_pdf(area):
    crimes(area, dt.date(2025, 1, 1), {"Other crime": 8})
    report = GeneratedReport.objects.create(
        kind=PARTNER, area=area, period_start=MARCH, period_end=MARCH_END
    )

    monthly.build_monthly_report(report)

    assert "<svg" in report.web_page
    assert "Show the numbers" in report.web_page
    assert "Feb 2025, Mar 2025: not yet published by police.uk" in report.web_page


def test_the_build_draws_the_charts_once_for_the_pdf_and_the_page(area, monkeypatch):
    from reporting.reports import monthly_charts

    drawn = []
    real = monthly_charts.Charts.all
    monkeypatch.setattr(monthly_charts.Charts, "all", lambda self: drawn.append(1) or real(self))
    report = GeneratedReport.objects.create(
        kind=POLICE, area=area, period_start=MARCH, period_end=MARCH_END
    )

    monthly.build_monthly_report(report)

    assert drawn == [1]
    assert "<svg" in report.web_page


def test_a_report_built_before_pages_were_kept_says_so(client, area):
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    report = built(area)
    GeneratedReport.objects.filter(pk=report.pk).update(web_page="")

    html = page(client, lead, report).content.decode()

    assert "built before reports kept their web page" in html
    assert "<svg" not in html


def test_a_withdrawn_report_loses_its_page_with_its_file(area):
    from dataprotection import erasure

    report = built(area)
    assert report.web_page

    assert erasure.withdraw_reports(area.pk, MARCH, MARCH_END) == 1

    report.refresh_from_db()
    assert (report.file.name, report.web_page) == ("", "")
