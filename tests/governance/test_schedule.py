"""The retention schedule as data: every kind of record, configurable, MoPI named."""

from dataprotection import retention, schedule
from patrols.models import Offence

KINDS = {"person", "intelligence", "referral", "encounter", "arrest", "caution", "report",
         "audit"}  # fmt: skip


def test_every_kind_of_record_has_a_review_period():
    assert set(schedule.KINDS) >= KINDS
    assert all(review.months > 0 for review in schedule.SCHEDULE)


def test_the_periods_come_from_settings(settings):
    settings.RETENTION_ARREST_MONTHS = 7
    assert schedule.KINDS["arrest"].months == 7
    settings.RETENTION_PERSON_MONTHS = 9
    assert schedule.KINDS["person"].months == retention.PERSON.months == 9


def test_the_mopi_group_is_named_for_offender_records_only():
    assert schedule.for_arrest(Offence.CONTROLLING).mopi == schedule.GROUP_2
    assert schedule.for_arrest(Offence.KERB_CRAWLING).mopi == schedule.GROUP_3
    assert schedule.KINDS["caution"].mopi == schedule.GROUP_3
    assert schedule.KINDS["person"].mopi == schedule.NOT_MOPI  # a victim, not an offender
    assert set(schedule.SERIOUS_OFFENCES) <= set(Offence.values)


def test_the_schedule_and_the_review_kinds_agree():
    for kind in retention.KINDS.values():
        assert schedule.KINDS[kind.key].setting == kind.setting
