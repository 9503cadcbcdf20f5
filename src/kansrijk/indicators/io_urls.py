"""Measurements out and in, and the council progress report:
/monitor/<code>/export.<fmt>, /monitor/metingen/import/, /monitor/agenda/<slug>/voortgangsrapportage.<fmt>."""

from django.urls import path, re_path

from . import io_views

app_name = "indicators_io"

urlpatterns = [
    path("metingen/import/", io_views.import_measurements, name="import"),
    re_path(
        r"^agenda/(?P<slug>[-a-zA-Z0-9_]+)/voortgangsrapportage\.(?P<fmt>pdf|docx)$",
        io_views.progress_report,
        name="report",
    ),
    re_path(
        r"^(?P<code>[-a-zA-Z0-9_]+)/export\.(?P<fmt>csv|xlsx|sdmx)$",
        io_views.export_measurements,
        name="export",
    ),
]
