"""Hotspot pages: the list with its map, create, edit and retire.

Everyone in the police may read the list; only supervisors add, change or retire a
hotspot. Hotspots are only ever fetched through the user's areas.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.formats import date_format
from django.views.generic import CreateView, ListView, TemplateView, UpdateView

from core.permissions import PermissionRequiredMixin, has_permission

from .. import services
from ..forms.hotspots import HotspotForm, HotspotListFilter
from ..models import Hotspot
from ..permissions import get_hotspot_for_user

LIST_URL = reverse_lazy("patrols:hotspots")


class HotspotListView(PermissionRequiredMixin, ListView):
    permission_required = "patrols.view"
    template_name = "patrols/hotspots/list.html"
    context_object_name = "hotspots"

    def get_queryset(self):
        hotspots = Hotspot.objects.visible_to(self.request.user).select_related("ward__area")
        self.filter = HotspotListFilter(self.request.GET, queryset=hotspots, user=self.request.user)
        return self.filter.qs.order_by("-active", "ward__area__name", "ward__name", "name")

    def get_context_data(self, **kwargs):
        hotspots = list(self.object_list)  # one query, shared by the table and the map
        context = super().get_context_data(**kwargs)
        context.update(
            hotspots=hotspots,
            filter=self.filter,
            map_data=[_marker(h) for h in hotspots if h.active],
            map_tiles={"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
            can_manage=has_permission(self.request.user, "patrols.manage_hotspots"),
            # Only asked when nothing matched: "none yet" and "none match" differ.
            any_hotspots=bool(hotspots) or self._has_any(),
        )
        return context

    def _has_any(self) -> bool:
        return Hotspot.objects.visible_to(self.request.user).exists()


def _marker(hotspot: Hotspot) -> dict:
    """What the map needs for one marker, and nothing more."""
    return {
        "name": hotspot.name,
        "ward": hotspot.ward.name,
        "lat": float(hotspot.latitude),
        "lng": float(hotspot.longitude),
    }


class _HotspotFormMixin(PermissionRequiredMixin):
    permission_required = "patrols.manage_hotspots"
    form_class = HotspotForm
    template_name = "patrols/hotspots/form.html"
    success_url = LIST_URL
    success_message = ""
    http_method_names = ["get", "post", "head", "options"]  # FormView would take PUT as POST

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        existing = form.instance if form.instance.pk else None
        try:
            self.object = services.save_hotspot(existing, form.cleaned_data)
        except services.PatrolRuleError as error:
            form.add_error(error.field, str(error))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message.format(hotspot=self.object))
        return HttpResponseRedirect(self.get_success_url())


class HotspotCreateView(_HotspotFormMixin, CreateView):
    success_message = "Hotspot {hotspot.name} added."


class HotspotEditView(_HotspotFormMixin, UpdateView):
    success_message = "Hotspot {hotspot.name} updated."

    def get_object(self, queryset=None) -> Hotspot:
        return get_hotspot_for_user(self.request.user, self.kwargs["uuid"])


class HotspotRetireView(PermissionRequiredMixin, TemplateView):
    """GET asks for confirmation; POST retires. Patrols stop being planned there."""

    permission_required = "patrols.manage_hotspots"
    template_name = "patrols/hotspots/retire.html"

    def get(self, request, *args, **kwargs):
        hotspot = get_hotspot_for_user(request.user, kwargs["uuid"])
        if not hotspot.active:
            return _already_retired(request, hotspot)
        return self.render_to_response(self.get_context_data(hotspot=hotspot))

    def post(self, request, *args, **kwargs):
        hotspot = get_hotspot_for_user(request.user, kwargs["uuid"])
        try:
            services.retire_hotspot(hotspot)
        except services.PatrolRuleError as error:
            messages.error(request, str(error))
            return redirect(LIST_URL)
        messages.success(request, f"Hotspot {hotspot.name} retired.")
        return redirect(LIST_URL)


def _already_retired(request, hotspot: Hotspot):
    retired_on = f" on {date_format(hotspot.retired_on, 'j F Y')}" if hotspot.retired_on else ""
    messages.error(request, f"Hotspot {hotspot.name} was already retired{retired_on}.")
    return redirect(LIST_URL)
