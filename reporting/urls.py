app_name = "reporting"

# Reports, dashboards and exports arrive with their own issues.
urlpatterns = []
