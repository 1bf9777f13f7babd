"""drf-spectacular's settings (settings.SPECTACULAR_SETTINGS): the OpenAPI document's title
and description, the offline Swagger UI and ReDoc (the sidecar), the error responses added
to every operation (core.api), and one enum name per choice set."""


def settings() -> dict:
    return {
        "TITLE": "Ephedra API",
        "DESCRIPTION": (
            "The same records and the same rules as the Ephedra pages. Authenticate with a "
            "personal token (`Authorization: Bearer eph_…`, made at /account/api-tokens/). "
            "Lists are paginated by cursor (follow `next` and `previous`, links that carry "
            "`cursor`; `page_size` up to 200); dates are ISO 8601; every error has the "
            "`Error` shape."
        ),
        "VERSION": "1.0.0",
        "SCHEMA_PATH_PREFIX": r"/api/v1",
        "COMPONENT_SPLIT_REQUEST": True,
        "SERVE_INCLUDE_SCHEMA": False,
        "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "core.api.document_error_responses",
        ],
        # One name per choice set, whichever serializer shows it (else "Status8c2Enum").
        "ENUM_NAME_OVERRIDES": {
            "RoleEnum": "accounts.models.Role",
            "ServiceTypeEnum": "partners.models.ServiceType",
            "AgencyKindEnum": "partners.models.AgencyKind",
            "PatrolStatusEnum": "patrols.models.PatrolStatus",
            "OfficerRoleEnum": "patrols.models.OfficerRole",
            "EngagementActivityEnum": "patrols.models.EngagementActivity",
            "WeatherEnum": "patrols.models.Weather",
            "ReturnStatusEnum": "patrols.models.ReturnStatus",
            "OffenceEnum": "patrols.models.Offence",
            "ArrestOutcomeEnum": "patrols.models.ArrestOutcome",
            "CautionConditionEnum": "patrols.models.CautionCondition",
            "CautionStatusEnum": "patrols.models.CautionStatus",
            "SourceEvaluationEnum": "patrols.models.SourceEvaluation",
            "IntelligenceAssessmentEnum": "patrols.models.IntelligenceAssessment",
            "HandlingCodeEnum": "patrols.models.HandlingCode",
            "AgeBandEnum": "referrals.models.AgeBand",
            "ReferralStatusEnum": "referrals.models.ReferralStatus",
            "ConsentMethodEnum": "referrals.models.ConsentMethod",
            "ClosedOutcomeEnum": "referrals.models.ClosedOutcome",
            "DeclineReasonEnum": "referrals.models.DeclineReason",
            "DuplicateStatusEnum": "referrals.models.DuplicateStatus",
            "CrimeFileKindEnum": "reporting.models.CrimeFileKind",
            "CrimeTypeEnum": "reporting.models.CrimeType",
            "ImportStatusEnum": "reporting.models.ImportStatus",
            "ReportKindEnum": "reporting.models.ReportKind",
            "ReportStatusEnum": "reporting.models.ReportStatus",
        },
    }
