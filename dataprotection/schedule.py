"""The retention review schedule as data: for each kind of record, how long after which
event it comes up for review, the setting that changes it, and the Management of Police
Information (MoPI, College of Policing APP) review group that applies, where one does.

MoPI groups: **1** certain public protection matters (kept until the subject is deemed
to be 100, reviewed every 10 years); **2** other sexual, violent or serious offences
(reviewed 10 years after the last event); **3** all other offences (a 6-year clear
period, then review). Records about victims and support (women, referrals) are not
offender records: MoPI's periods are used as a style there, not as a group.

Every row is enforced: ``retention`` (with ``kinds``) gives people, intelligence,
referrals, arrests (two kinds, by MoPI group) and cautions review dates; encounters are
reviewed and erased with the person; ``erasure.expire_reports`` deletes generated reports
past their period; audit events past theirs are counted for the controller, who archives
them out of band (the application may not delete from the s.62 log). See
docs/data-protection.md section 5.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

GROUP_1 = "MoPI group 1 (certain public protection matters): 10-yearly review"
GROUP_2 = "MoPI group 2 (other sexual, violent or serious offences): review after 10 years"
GROUP_3 = "MoPI group 3 (all other offences): review after a 6-year clear period"
NOT_MOPI = ""  # not an offender record: no MoPI group


@dataclass(frozen=True)
class Review:
    kind: str
    label: str
    setting: str
    starts: str  # the event the period runs from
    mopi: str = NOT_MOPI

    @property
    def months(self) -> int:
        return getattr(settings, self.setting)


SCHEDULE: tuple[Review, ...] = (
    Review("person", "People (women's records)", "RETENTION_PERSON_MONTHS",
           "her latest encounter or referral"),
    Review("intelligence", "Intelligence reports", "RETENTION_INTELLIGENCE_MONTHS",
           "submission", GROUP_3),
    Review("concern", "Concerns sent by partner agencies", "RETENTION_INTELLIGENCE_MONTHS",
           "sending (as intelligence)", GROUP_3),
    Review("referral", "Referrals", "RETENTION_REFERRAL_MONTHS",
           "closure, decline or withdrawal"),
    Review("encounter", "Encounters on patrol", "RETENTION_ENCOUNTER_MONTHS",
           "the encounter (reviewed with the person record)"),
    Review("arrest", "Arrests: kerb crawling, s.53A and other offences",
           "RETENTION_ARREST_MONTHS", "the arrest", GROUP_3),
    Review("arrest_serious", "Arrests: causing, inciting or controlling prostitution "
           "(s.52, s.53 SOA 2003), brothel keeping", "RETENTION_ARREST_SERIOUS_MONTHS",
           "the arrest", GROUP_2),
    Review("caution", "Conditional cautions and their courses", "RETENTION_CAUTION_MONTHS",
           "the caution's course completed, missed or breached", GROUP_3),
    Review("report", "Generated reports (PDFs)", "RETENTION_REPORT_MONTHS",
           "the report was built; withdrawn at once when a record in it is erased"),
    Review("audit", "Audit events (s.62 logs)", "RETENTION_AUDIT_MONTHS",
           "the event"),
)  # fmt: skip
KINDS = {review.kind: review for review in SCHEDULE}
# Offences whose arrests fall in MoPI group 2 (patrols.models.Offence values); every other
# offence is group 3. Group 1 is a public protection assessment, never automatic.
SERIOUS_OFFENCES = frozenset({"controlling", "causing_inciting", "brothel_keeping"})


def for_arrest(offence: str) -> Review:
    return KINDS["arrest_serious" if offence in SERIOUS_OFFENCES else "arrest"]
