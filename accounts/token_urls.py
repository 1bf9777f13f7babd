"""Pages where a user makes, names and revokes their own API tokens (issue 6)."""

from django.urls import path

from . import views_tokens

app_name = "tokens"

urlpatterns = [
    path("account/api-tokens/", views_tokens.token_list, name="list"),
    path("account/api-tokens/<slug:prefix>/revoke/", views_tokens.token_revoke, name="revoke"),
]
