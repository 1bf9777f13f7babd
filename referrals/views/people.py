"""Finding a person: the police search people in their areas by working name,
description, age and area (referrals.selectors.search_people). Partner users get 404.
"""

from django.views.generic import ListView

from core.permissions import PermissionRequiredMixin
from governance import audit

from ..forms_police import PersonSearchForm
from ..models import Person
from ..selectors import search_people


class PersonSearchView(PermissionRequiredMixin, ListView):
    permission_required = "referrals.view"
    template_name = "referrals/police/people.html"
    paginate_by = 25

    def get_queryset(self):
        user = self.request.user
        self.form = PersonSearchForm(self.request.GET, areas=user.areas.order_by("name"))
        terms = self.form.search()
        return Person.objects.none() if terms is None else search_people(user, **terms)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, **kwargs)
        audit.viewed_many(self.request, context["object_list"])  # names shown are personal
        context["searched"] = any(self.request.GET.get(key) for key in ("q", "age_band", "area"))
        return context
