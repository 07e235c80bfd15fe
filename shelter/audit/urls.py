from django.urls import path

from shelter.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.events, name="events"),
    path("export.csv", views.export_csv, name="export"),
    path("objects/<str:target_type>/<str:target_id>/", views.target_history, name="target"),
    path("users/<int:actor_id>/", views.actor_history, name="actor"),
    path("anomalies/", views.anomaly_signals, name="anomalies"),
    path("chain/", views.chain_status, name="chain"),
    path("chain/verify/", views.chain_verify_now, name="verify"),
    path("processing-log/", views.processing_log, name="processing_log"),
]
