from django.urls import path

from shelter.accounts import views, views_people, views_security, webauthn

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("verify/", views.code_step, {"mode": "verify"}, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("confirm/", views.code_step, {"mode": "again"}, name="reverify"),
    path("sign-out/", views.sign_out, name="logout"),
    path("invitation/<str:uidb64>/<str:token>/", views.invitation, name="invitation"),
    path("backup-codes/download/", views.backup_codes_download, name="backup_codes_download"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/reset/<str:uidb64>/<str:token>/", views.password_reset,
         name="password_reset"),
    path("security/", views_security.security, name="security"),
    path("security/passkeys/<int:pk>/rename/", views_security.passkey_rename,
         name="passkey_rename"),
    path("security/passkeys/<int:pk>/remove/", views_security.passkey_remove,
         name="passkey_remove"),
    path("passkeys/register/begin/", webauthn.register_begin, name="webauthn_register_begin"),
    path("passkeys/register/complete/", webauthn.register_complete,
         name="webauthn_register_complete"),
    path("passkeys/sign-in/begin/", webauthn.login_begin, name="webauthn_login_begin"),
    path("passkeys/sign-in/complete/", webauthn.login_complete, name="webauthn_login_complete"),
    path("people/", views_people.people, name="people"),
    path("people/invite/", views_people.person_invite, name="person_invite"),
    path("people/<int:pk>/", views_people.person_edit, name="person_edit"),
    path("people/<int:pk>/active/", views_people.person_set_active, name="person_set_active"),
    path("people/<int:pk>/reset-second-factor/", views_people.person_reset_second_factor,
         name="person_reset_second_factor"),
    path("organisations/", views_people.organisations, name="organisations"),
    path("organisations/new/", views_people.organisation_edit, name="organisation_new"),
    path("organisations/<int:pk>/", views_people.organisation_edit, name="organisation_edit"),
]
