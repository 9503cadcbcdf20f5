from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`kansrijk load_demo`: the demo content of every module, in dependency order."""

    name = "kansrijk.demo"
    verbose_name = "Demo"
