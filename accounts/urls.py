from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("u/<str:handle>/", views.profile_view, name="profile"),
    path("settings/", views.settings_view, name="settings"),
    path(
        "settings/sign-out-everywhere",
        views.sign_out_everywhere_view,
        name="sign_out_everywhere",
    ),
    path("settings/tokens/", views.tokens_view, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke", views.token_revoke_view, name="token_revoke"),
]
