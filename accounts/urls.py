"""Account security pages: second factor, sessions, lockouts (issue 7)."""

app_name = "accounts"

urlpatterns: list = []
