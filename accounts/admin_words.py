"""The admin index in the administrator's words: what each section holds, in a sentence,
and a plain name for the records whose model names read like code.

Said here rather than in each model's ``Meta.verbose_name`` so that no table changes and
no migration is needed; the section names themselves are each app's ``verbose_name``
(``apps.py``). The order here is the order of the sections on the admin index.
"""

SECTIONS: dict[str, str] = {
    "accounts": "Who can sign in, the areas (boroughs) and wards they work in, "
    "and officers' collar numbers and training.",
    "partners": "The agencies police refer people to, and the services each one offers.",
    "patrols": "Hotspots, patrols and their risk assessments, and what each patrol "
    "recorded afterwards: work returns, encounters, arrests, cautions and intelligence.",
    "referrals": "The people officers meet and their referrals to partner agencies.",
    "reporting": "Crime data loaded from police.uk, and the reports made from it.",
    "governance": "The audit log: who did what and when, every change and every look at a "
    "person's record.",
}

# "app_label.ModelName" -> the plain plural shown on the admin index.
RECORDS: dict[str, str] = {
    "accounts.User": "User accounts",
    "accounts.Area": "Areas (boroughs)",
    "accounts.OfficerProfile": "Officer details (collar number, training)",
    "accounts.ApiToken": "API keys for connected systems",
    "accounts.Notification": "Notifications sent to users",
    "patrols.ReturnDraft": "Work returns not yet submitted",
    "patrols.Encounter": "Encounters (people seen on patrol)",
    "referrals.Person": "People seen on patrol",
    "referrals.PossibleDuplicate": "People who may be recorded twice",
    "reporting.ImportBatch": "Crime data uploads",
    "reporting.CrimeRecord": "Crimes (from police.uk)",
    "reporting.CrimeOutcome": "Crime outcomes (from police.uk)",
    "reporting.GeneratedReport": "Reports (PDF)",
    "governance.AuditEvent": "Audit log entries",
}


def in_plain_words(app_list: list[dict]) -> list[dict]:
    """The admin's app list with plain record names, a description per section, and
    the sections in the order above (any other after them, as Django ordered them)."""
    for app in app_list:
        app["description"] = SECTIONS.get(app["app_label"], "")
        for model in app["models"]:
            key = f"{app['app_label']}.{model['object_name']}"
            model["name"] = RECORDS.get(key, model["name"])
        app["models"].sort(key=lambda model: model["name"].lower())
    order = list(SECTIONS)
    return sorted(
        app_list,
        key=lambda app: order.index(app["app_label"]) if app["app_label"] in order else len(order),
    )
