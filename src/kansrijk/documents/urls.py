"""/documenten/<id>: a document job's status, the fragment it polls and its file."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("<int:pk>", views.status, name="status"),
    path("<int:pk>/voortgang", views.progress, name="progress"),
    path("<int:pk>/bestand", views.download, name="download"),
]
