from django.urls import path

from shelter.register import views

app_name = "register"

urlpatterns = [
    path("", views.register, name="list"),
    path("export.json", views.export_json, name="export_json"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("print/", views.printable, name="print"),
    path("<slug:code>/", views.entry, name="entry"),
    path("<slug:code>/new/", views.version_new, name="version_new"),
    path("<slug:code>/versions/<int:number>/", views.version, name="version"),
]
