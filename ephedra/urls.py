from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from accounts import views_oidc

urlpatterns = [
    path("", include("pages.urls")),
    path("sign-in/", views_oidc.SignInView.as_view(), name="login"),
    # Single sign-on for police users (accounts/oidc.py): 404 unless configured.
    path("oidc/authenticate/", views_oidc.StartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", views_oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("sign-out/", account_views.SignOutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include("ephedra.api_urls")),
    path("", include("accounts.urls")),
    path("", include("accounts.token_urls")),
    path("", include("dataprotection.urls")),
    path("", include("patrols.urls")),
    path("", include("referrals.urls")),
    path("", include("reporting.urls")),
]

# Under /api/ every error is JSON in the API's one shape; elsewhere the site's pages.
handler400 = "core.api.bad_request"
handler403 = "core.api.permission_denied"
handler404 = "core.api.page_not_found"
handler500 = "core.api.server_error"
