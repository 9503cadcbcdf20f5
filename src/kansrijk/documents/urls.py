"""/documenten/<id>: a document job's status, the fragment it polls and its file; and
/documenten/openbaar/<token>: the same for a shared public document (decision 0051)."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("<int:pk>", views.status, name="status"),
    path("<int:pk>/voortgang", views.progress, name="progress"),
    path("<int:pk>/bestand", views.download, name="download"),
    path("openbaar/<str:token>", views.shared_status, name="shared_status"),
    path("openbaar/<str:token>/voortgang", views.shared_progress, name="shared_progress"),
    path("openbaar/<str:token>/bestand", views.shared_download, name="shared_download"),
]
