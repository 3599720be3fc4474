from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        # The project page's charts: grants offers the place, reporting fills it.
        from grants import extensions
        from reporting.dashboards.charts import project_page_section

        extensions.add_project_page_section(project_page_section)
