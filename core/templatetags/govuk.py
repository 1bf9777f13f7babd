"""Template helpers for GOV.UK Design System markup."""

from django import template
from django.forms import BoundField

register = template.Library()

_WIDTH_BY_WIDGET = {
    "number": "govuk-input--width-5",
    "date": "govuk-input--width-10",
    "time": "govuk-input--width-5",
    "datetime": "govuk-input--width-20",
}
_CLASS_BY_WIDGET = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "file": "govuk-file-upload",
}


@register.simple_tag
def govuk_widget(field: BoundField):
    """The field's widget with GOV.UK classes, and hint and error ids for screen readers."""
    kind = field.widget_type
    css = [_CLASS_BY_WIDGET.get(kind, "govuk-input"), _WIDTH_BY_WIDGET.get(kind, "")]
    if field.errors:
        css.append(f"{css[0]}--error")
    attrs = {"class": " ".join(c for c in css if c)}
    described_by = describedby(field)
    if described_by:
        attrs["aria-describedby"] = described_by
    return field.as_widget(attrs=attrs)


@register.filter
def describedby(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms):
    """One GOV.UK error summary for any mix of forms and formsets, linking to each field."""
    return {"errors": list(_errors(forms))}


def _errors(forms):
    for form in forms:
        if form is None:
            continue
        if hasattr(form, "forms"):  # a formset
            for error in form.non_form_errors():
                yield error, f"{form.prefix}-section"
            yield from _row_errors(form)
            continue
        for error in form.non_field_errors():
            yield error, f"{form.prefix or 'form'}-errors"
        for field in form:
            for error in field.errors:
                yield error, field.auto_id


def _row_errors(formset):
    """A row's errors, named by the row in the summary ("Referral 2: ...") where the formset
    gives its rows a label, since the summary lists them far from the row's heading."""
    label = getattr(formset, "row_label", "")
    for number, row in enumerate(formset.forms, start=1):
        for error, anchor in _errors([row]):
            yield (f"{label} {number}: {error}" if label else error), anchor
