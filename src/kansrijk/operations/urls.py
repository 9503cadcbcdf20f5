from django.urls import path

from . import views

app_name = "operations"

# Without a trailing slash: probes and scrapers are configured with these exact paths.
urlpatterns = [
    path("gezond/live", views.live, name="live"),
    path("gezond/klaar", views.ready, name="ready"),
    path("metrics", views.metrics, name="metrics"),
]
