"""Pages where a user makes, names and revokes their own API tokens (issue 6)."""

app_name = "tokens"

urlpatterns: list = []
