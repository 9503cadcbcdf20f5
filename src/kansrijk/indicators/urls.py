from django.urls import path, re_path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("openbaar/", views.public_dashboard, name="public"),
    path("goedkeuren/", views.approval_queue, name="approval_queue"),
    path("goedkeuren/<int:pk>/", views.decide, name="decide"),
    path("agenda/<slug:slug>/", views.agenda_monitor, name="agenda"),
    path("regio/<str:code>/", views.region_monitor, name="region"),
    # "import/" belongs to indicators_io (included after this module under the same prefix).
    re_path(r"^(?!import/)(?P<code>[-a-zA-Z0-9_]+)/$", views.indicator_detail, name="detail"),
    path("<slug:code>/meting/", views.submit, name="submit"),
]
