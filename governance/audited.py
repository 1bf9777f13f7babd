"""What the audit log records of each model's changes (``governance.audit`` writes the rows):
the models whose changes are logged, the fields whose values may be written, and the models
that hold personal data."""

# Models whose changes are logged, with the fields whose values may be written to the log.
# Every other changed field is listed by name with its value masked: names, descriptions,
# notes, custody references and the like never reach the audit table.
AUDITED: dict[str, frozenset[str]] = {
    "accounts.user": frozenset(
        {
            "username",
            "role",
            "agency",
            "is_active",
            "is_staff",
            "is_superuser",
            "sessions_valid_after",
        }
    ),
    "accounts.officerprofile": frozenset({"home_ward", "ephedra_trained_on"}),
    "accounts.trainingsession": frozenset({"held_on", "area", "trainer"}),
    "accounts.apitoken": frozenset({"name", "prefix", "revoked_at"}),
    "partners.partneragency": frozenset(
        {
            "name",
            "kind",
            "active",
            "sharing_agreement_from",
            "sharing_agreement_until",
            "contact_user",
            "receive_within_days",
            "contact_within_days",
        }
    ),
    "patrols.hotspot": frozenset({"ward", "name", "active", "retired_on", "identified_on"}),
    "patrols.patrol": frozenset(
        {"area", "ward", "starts_at", "ends_at", "status", "meeting_point", "planned_by"}
    ),
    "patrols.patrolofficer": frozenset({"patrol", "officer", "role"}),
    "patrols.partnerinvitation": frozenset({"patrol", "agency", "activity"}),
    "patrols.riskassessment": frozenset({"patrol", "assessed_by", "approved_by", "approved_at"}),
    "patrols.workreturn": frozenset(
        {"patrol", "status", "started_at", "ended_at", "women_seen", "kerb_crawlers_seen"}
    ),
    "patrols.encounter": frozenset({"patrol", "person", "hotspot", "occurred_at", "engaged"}),
    "patrols.arrest": frozenset(
        {"patrol", "arrested_at", "offence", "outcome", "review_on", "erased_at"}
    ),
    "patrols.conditionalcaution": frozenset(
        {"arrest", "given_on", "deadline", "status", "review_on", "erased_at"}
    ),
    "patrols.intelligencereport": frozenset(
        {"patrol", "submitted_by", "submitted_at", "handling_code", "review_on", "erased_at"}
    ),
    "patrols.partnerconcern": frozenset(
        {
            "agency",
            "sent_by",
            "sent_at",
            "area",
            "occurred_on",
            "kind",
            "anonymised",
            "consent_method",
            "consent_given_on",
            "consent_recorded_by",
            "person",
            "received_at",
            "received_by",
            "review_on",
            "erased_at",
        }
    ),
    # A trial's registration (never its seed, which stays secret until the trial ends).
    "patrols.trial": frozenset(
        {
            "area",
            "title",
            "primary_outcome",
            "weeks",
            "starts_on",
            "patrol_share",
            "seed_commitment",
            "registered_by",
            "registered_at",
        }
    ),
    "patrols.trialdeviation": frozenset(
        {"trial", "hotspot", "week", "kind", "patrol", "reason_by"}
    ),
    "patrols.returnamendment": frozenset({"work_return", "amended_by", "amended_at"}),
    "patrols.returndraft": frozenset({"patrol", "saved_by"}),
    "patrols.officerhours": frozenset({"work_return", "officer", "hours"}),
    "patrols.hotspotvisit": frozenset({"work_return", "hotspot", "arrived_at", "left_at"}),
    "referrals.person": frozenset(
        {"area", "age_band", "first_seen", "same_as", "review_on", "erased_at"}
    ),
    "referrals.referral": frozenset(
        {
            "person",
            "agency",
            "service",
            "status",
            "closed_outcome",
            "decline_reason",
            "review_on",
            "erased_at",
        }
    ),
    "referrals.referralnote": frozenset({"referral", "author"}),
    "referrals.referralstatuschange": frozenset(
        {"referral", "from_status", "to_status", "changed_by", "changed_at"}
    ),
    "referrals.referralmove": frozenset({"referral", "from_agency", "to_agency", "moved_by"}),
    "referrals.possibleduplicate": frozenset({"person", "other", "status", "decided_by"}),
    "referrals.referralescalation": frozenset({"referral", "agency", "deadline", "due_on"}),
    # A woman's safeguarding record: the kinds, levels, dates and who; never the reasons,
    # the NRM reference or a route's words.
    "referrals.risklevelchange": frozenset({"person", "level", "review_on", "set_by", "set_at"}),
    "referrals.warningmarker": frozenset(
        {"person", "kind", "nrm_referred_on", "added_by", "added_at", "ended_at", "ended_by"}
    ),
    "referrals.onwardroute": frozenset(
        {"person", "referral", "added_by", "added_at", "ended_at", "ended_by"}
    ),
    "reporting.importbatch": frozenset({"kind", "force", "month", "row_count", "status"}),
    "reporting.generatedreport": frozenset(
        {"kind", "area", "period_start", "period_end", "status", "superseded"}
    ),
}
# Records about people: reading one is logged (a "viewed" row), in the application's
# pages and in the admin (ephedra.admin).
PERSONAL: frozenset[str] = frozenset(
    {
        "referrals.person",
        "referrals.referral",
        "referrals.possibleduplicate",
        "referrals.risklevelchange",
        "referrals.warningmarker",
        "referrals.onwardroute",
        "patrols.workreturn",
        "patrols.encounter",
        "patrols.arrest",
        "patrols.conditionalcaution",
        "patrols.intelligencereport",
        "patrols.partnerconcern",
    }
)
# Open in every model: when a record was made is no personal detail.
OPEN_EVERYWHERE = frozenset({"created_at"})
# Never worth a row: bookkeeping timestamps, secrets (not even masked), and the sign-in
# time (the signed-in row says it).
IGNORED_FIELDS = frozenset(
    {"uuid", "updated_at", "password", "secret_hash", "last_login", "last_used_at", "saved_at"}
)
