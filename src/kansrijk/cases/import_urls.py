from django.urls import path

from . import import_views

app_name = "cases_import"

urlpatterns = [
    path("importeren/", import_views.upload, name="upload"),
    path("importeren/<int:pk>/", import_views.status, name="status"),
    path("importeren/<int:pk>/voortgang/", import_views.progress, name="progress"),
]
