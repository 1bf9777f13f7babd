from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from .api import build_router

app_name = "api"

urlpatterns = [
    path("v1/", include(build_router().urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
