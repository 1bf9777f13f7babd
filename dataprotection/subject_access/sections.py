"""What a subject access export holds for each kind of subject, and the sections the
project lead may withhold under s.45(4). A section withheld is left out of the export
entirely; the export says so (and on which ground) only when the subject is told.

The core of each record (who the record is about, what was done and when) is never a
section: withholding all of it would be refusing the request, not restricting it.
"""

from governance.models import SubjectType

PERSON_SECTIONS: dict[str, str] = {
    "police_notes": "Police notes on the person records",
    "encounters": "Encounters on patrol (where and when she was seen, and the notes)",
    "referral_notes": "Notes on referrals and on their history, and decline details",
    "referral_moves": "Moves of referrals between agencies, with the reasons",
    "safeguarding": "The safeguarding record: risk levels, warning markers (with any National "
    "Referral Mechanism referral) and onward routes, with their reasons",
    "possible_duplicates": "Possible duplicate records and the reasons they were flagged",
    # What she told a partner agency, shared with her consent and linked to her record
    # (the police grading of it is police intelligence and never part of the export).
    "partner_concerns": "Concerns partner agencies sent to the police with her consent",
    "retention_decisions": "Retention decisions and their reasons",
    "audit_trail": "The audit trail (who created, changed, saw or shared each record)",
}
ARREST_SECTIONS: dict[str, str] = {
    "patrol": "Where and on which patrol he was arrested (area, ward, patrol times)",
    "offence_detail": "The arresting officer's details of the offence",
    "caution": "The conditional caution and its booking details",
    "course": "The diversion course referral and its history",
    "course_notes": "Notes on the diversion course referral and on its history",
    "retention_decisions": "Retention decisions and their reasons",
    "audit_trail": "The audit trail (who created, changed, saw or shared each record)",
}
SECTIONS: dict[str, dict[str, str]] = {
    SubjectType.PERSON: PERSON_SECTIONS,
    SubjectType.ARREST: ARREST_SECTIONS,
}

POLICE_MARK = "[withheld: police officer]"
STAFF_MARK = "[withheld: police staff]"
AGENCY_MARK = "[withheld: agency staff]"
SYSTEM = "The system"


def shown(subject_type: str, withheld: list[str]) -> frozenset[str]:
    """The sections an export holds: all of the subject's, less those withheld."""
    return frozenset(SECTIONS[subject_type]) - set(withheld)


def labels(subject_type: str, keys: list[str]) -> list[str]:
    return [SECTIONS[subject_type][key] for key in keys if key in SECTIONS[subject_type]]
