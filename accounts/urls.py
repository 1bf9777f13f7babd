"""Account security pages: second factor, passwords, sessions, lockouts."""

from django.urls import path

from . import views, views_boroughs, views_invite, views_passwords, views_training

app_name = "accounts"

urlpatterns = [
    path("account/second-factor/set-up/", views.enrol, name="enrol"),
    path("account/second-factor/", views.verify, name="verify"),
    path("account/", views.security, name="security"),
    path("account/backup-codes/", views.backup_codes, name="backup_codes"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("account/confirm/", views.confirm_identity, name="confirm_identity"),
    path("account/password/", views_passwords.password_change, name="password_change"),
    path("set-password/", views_passwords.set_password_help, name="set_password_help"),
    path(
        "set-password/<str:uidb64>/<str:token>/",
        views_passwords.set_password_view,
        name="set_password",
    ),
    path("users/", views.user_list, name="users"),
    path(
        "users/<uuid:uuid>/reset-second-factor/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
    path("users/invite/", views_invite.invite, name="invite"),
    path("users/invite/upload/", views_invite.invite_upload, name="invite_upload"),
    path("users/<uuid:uuid>/send-link/", views_invite.resend_invite, name="resend_invite"),
    path("users/<uuid:uuid>/disable/", views_invite.deactivate, name="deactivate"),
    path("training/", views_training.TrainingView.as_view(), name="training"),
    path("boroughs/new/", views_boroughs.BoroughNewView.as_view(), name="borough_new"),
    path("boroughs/new/create/", views_boroughs.BoroughCreateView.as_view(), name="borough_create"),
    path("boroughs/<str:code>/", views_boroughs.BoroughView.as_view(), name="borough"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:pk>/lift/", views.lockout_lift, name="lockout_lift"),
]
