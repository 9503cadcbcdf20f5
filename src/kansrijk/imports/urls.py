"""/importeren/<id>/: the status of an import job and the fragment it polls."""

from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("<int:pk>/", views.status, name="status"),
    path("<int:pk>/voortgang/", views.progress, name="progress"),
]
