"""templates/django/forms/widgets/select.html writes each option out instead of including
two templates per option: the same markup as Django's own, with far fewer includes."""

from unittest import mock

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.loader_tags import IncludeNode

from core.forms import GovukFormRenderer

WARDS = [(n, f"Ward {n} & <Co>") for n in range(1, 21)]


class CustomOption(forms.Select):
    option_template_name = "django/forms/widgets/input.html"  # any other template


WIDGETS = {
    "plain": (forms.Select(choices=[("", "Any ward"), *WARDS]), "3"),
    "nothing chosen": (forms.Select(choices=WARDS, attrs={"aria-describedby": "x"}), None),
    "groups": (forms.Select(choices=[("North", WARDS[:3]), ("South", WARDS[3:6])]), "5"),
    "multiple": (forms.SelectMultiple(choices=WARDS), ["2", "7"]),
    "disabled attr": (forms.Select(choices=WARDS, attrs={"disabled": True}), "1"),
    "own option template": (CustomOption(choices=WARDS[:2]), "1"),
}


@pytest.mark.parametrize("name", WIDGETS)
def test_selects_render_as_djangos_templates_do(name):
    widget, value = WIDGETS[name]
    ours = widget.render("ward", value, renderer=GovukFormRenderer())
    djangos = widget.render("ward", value, renderer=DjangoTemplates())
    assert ours == djangos


def test_a_select_includes_no_template_per_option():
    widget, value = WIDGETS["plain"]
    with mock.patch.object(
        IncludeNode, "render", autospec=True, side_effect=IncludeNode.render
    ) as include:
        widget.render("ward", value, renderer=GovukFormRenderer())
    assert include.call_count == 1  # the select's own attributes
