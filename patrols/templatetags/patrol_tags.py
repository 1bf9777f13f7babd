"""The colour of a patrol's status tag: one filter, called in each row of a patrol table
(an ``{% include %}`` per row cost more than the rest of the row at 50 rows a page)."""

from django import template

register = template.Library()

TAG_CLASSES = {
    "planned": "govuk-tag--grey",
    "approved": "govuk-tag--blue",
    "deployed": "govuk-tag--purple",
    "returned": "govuk-tag--turquoise",
    "closed": "govuk-tag--green",
}


@register.filter
def status_tag_class(status: str) -> str:
    """GOV.UK's tag colour for a patrol status; red for any other (cancelled)."""
    return TAG_CLASSES.get(status, "govuk-tag--red")
