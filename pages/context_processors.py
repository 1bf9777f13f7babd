from django.urls import reverse

from accounts.permissions import can_use_admin, invitation_scope
from accounts.selectors import unread_notification_count
from core.permissions import has_permission


def navigation(request) -> dict:
    """The service navigation for the signed-in user's role, with the current section marked."""
    user = request.user
    if not user.is_authenticated:
        return {}
    if not getattr(user, "is_verified", lambda: True)():
        # Password only, second factor still to come: the pages are out of reach anyway.
        return {"navigation": [], "second_factor_pending": True}
    items = [("Home", "home", "home")]
    if user.is_partner:
        items += [
            ("Patrols you are invited to", "referrals:invited_patrols", "invited_patrols"),
            ("Concerns you sent", "patrols:partner_concerns", "concerns"),
        ]
    if user.is_police:
        items += [
            ("Patrols", "patrols:list", "patrols"),
            ("This week", "patrols:week", "week"),
            ("Hotspots", "patrols:hotspots", "hotspots"),
            ("Referrals", "referrals:list", "referrals"),
            ("People", "referrals:people", "people"),
        ]
        if has_permission(user, "reporting.view_sheet"):
            items.append(("Deployment sheet", "reporting:weekly_sheet", "reporting"))
        if has_permission(user, "reporting.reports"):
            items.append(("Reports", "reporting:reports", "reports"))
        if has_permission(user, "reporting.evidence"):
            items.append(("Evidence", "reporting:evidence", "evidence"))
        if has_permission(user, "reporting.rollout"):
            items.append(("Roll-out", "reporting:rollout", "rollout"))
        if has_permission(user, "patrols.grade_intelligence"):
            items.append(("Intelligence", "patrols:intelligence", "intelligence"))
        if has_permission(user, "patrols.plan"):
            items.append(("Wellbeing", "patrols:wellbeing", "wellbeing"))
        if has_permission(user, "accounts.record_training"):
            items.append(("Training", "accounts:training", "training"))
        if has_permission(user, "referrals.link_people"):
            items.append(("Possible duplicates", "referrals:duplicates", "duplicates"))
    if has_permission(user, "governance.audit_log"):
        items.append(("Audit log", "governance:audit_log", "audit_log"))
    if has_permission(user, "governance.review"):
        items.append(("Records due for review", "governance:retention_review", "retention"))
    if has_permission(user, "governance.subject_access"):
        items.append(("Subject access", "governance:subject_access_search", "subject_access"))
    if has_permission(user, "accounts.add_borough"):
        items.append(("Add a borough", "accounts:borough_new", "borough"))
    if invitation_scope(user).any:
        items.append(("Invite people", "accounts:invite", "invite"))
    items.append(("Notifications", "referrals:notifications", "notifications"))
    if can_use_admin(user):
        items.append(("Records", "admin:index", "admin"))
    section = _section(getattr(request, "resolver_match", None))
    # How many notifications are unread, beside "Notifications" (one query a page).
    unread = unread_notification_count(user)
    return {
        "navigation": [
            {
                "label": label,
                "url": reverse(name),
                "current": key == section,
                "count": unread if key == "notifications" else 0,
            }
            for label, name, key in items
        ],
        # The person page's "Subject access request" button.
        "can_export_subject_access": has_permission(user, "governance.subject_access"),
    }


def _section(match) -> str:
    if match is None:
        return ""
    name = match.view_name
    if name == "accounts:training":
        return "training"
    if name.startswith("accounts:borough"):
        return "borough"
    if name.startswith("accounts:invite"):
        return "invite"
    if name.startswith("governance:audit"):
        return "audit_log"
    if name.startswith("governance:retention"):
        return "retention"
    if name.startswith("governance:subject_access"):
        return "subject_access"
    if name.startswith("patrols:partner_concern"):
        return "concerns"
    if name in {"patrols:intelligence", "patrols:concern"}:
        return "intelligence"
    if name.startswith("patrols:hotspot"):
        return "hotspots"
    if name in {"patrols:week", "patrols:wellbeing"}:
        return name.removeprefix("patrols:")
    if name in {"reporting:evidence", "reporting:rollout"}:
        return name.removeprefix("reporting:")
    if name.startswith("reporting:"):
        return "reporting" if name in {"reporting:weekly_sheet", "reporting:ranking"} else "reports"
    if name.startswith("referrals:"):
        page = name.removeprefix("referrals:")
        if page in {"invited_patrols", "notifications"} or page.startswith("duplicate"):
            return "duplicates" if page.startswith("duplicate") else page
        if page in {"people", "person"}:
            return "people"
        return "home" if page.startswith("partner") else "referrals"
    return name.split(":")[0]
