from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kansrijk.api"
    verbose_name = "API"
