"""
The Django admin, for reference data and for looking things up, with history.

Money and status change only through the services, which check who may act, lock the row, keep the
rules (nothing paid twice, nothing beyond the allocation) and record who did what. So the admin
shows returns, their spend lines, values and timeline, payments, clawbacks and virements read-only
and never deletes them, and shows an allocation's or programme's money, dates and status read-only
(its wording can still be corrected here, which moves its version on, so that a form opened before
is told it changed). Budget lines and targets are read-only on the project. The database refuses
the rest (PROTECT on every relation that would carry a deletion to money or a status), and reverting
a record to an old version from its history is switched off (SIMPLE_HISTORY_REVERT_DISABLED).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import models
from .services import kept


class ReadOnly:
    """Viewable, never added, changed or deleted here: the services are the only way."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0


class TextOnly:
    """Only the wording can change here; every change moves the version on, as a service's would."""

    editable_fields: tuple = ()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields
                if f.name not in self.editable_fields and f.name != "id"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if change and hasattr(obj, "version"):
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "email", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation", "is_active", "is_staff"]
    list_select_related = ["organisation"]
    fieldsets = BaseUserAdmin.fieldsets + (("Organisation and role", {"fields": ["organisation", "role"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Organisation and role", {"fields": ["organisation", "role"]}),)


@admin.register(models.Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "org_identifier"]
    list_filter = ["kind"]
    search_fields = ["name", "org_identifier", "charity_number", "company_number"]


@admin.register(models.Priority)
class PriorityAdmin(admin.ModelAdmin):
    """A priority a project carries cannot be deleted (the database PROTECTs it)."""

    list_display = ["name", "code", "commissioner"]
    list_filter = ["commissioner"]
    list_select_related = ["commissioner"]


@admin.register(models.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "code_type"]
    search_fields = ["name", "code"]


@admin.register(models.OutcomeMeasure)
class OutcomeMeasureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "direction", "aggregation"]
    list_filter = ["unit", "aggregation", "direction"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"direction", "aggregation"} & set(form.changed_data):
            # How it adds up and which way is better set every figure to date of the projects reporting it.
            kept.refresh_library_measure(obj)


@admin.register(models.Programme)
class ProgrammeAdmin(TextOnly, SimpleHistoryAdmin):
    list_display = ["name", "code", "financial_year", "commissioner", "total_budget", "payment_terms"]
    list_filter = ["financial_year", "commissioner", "payment_terms"]
    list_select_related = ["commissioner"]
    editable_fields = ("name", "funding_source", "description")


@admin.register(models.Allocation)
class AllocationAdmin(TextOnly, SimpleHistoryAdmin):
    list_display = ["title", "recipient", "programme", "amount", "status"]
    list_filter = ["status", "programme__financial_year"]
    list_select_related = ["recipient", "programme"]
    editable_fields = ("title", "purpose", "conditions")


class BudgetLineInline(ReadOnlyInline):
    model = models.BudgetLine


class ProjectMeasureInline(ReadOnlyInline):
    model = models.ProjectMeasure


@admin.register(models.Project)
class ProjectAdmin(TextOnly, SimpleHistoryAdmin):
    list_display = ["name", "reference", "provider", "allocation", "start_date", "end_date"]
    list_select_related = ["provider", "allocation__recipient"]
    search_fields = ["name", "reference"]
    inlines = [BudgetLineInline, ProjectMeasureInline]
    editable_fields = ("name", "description", "area")


class SpendLineInline(ReadOnlyInline):
    model = models.SpendLine


class MeasureValueInline(ReadOnlyInline):
    model = models.MeasureValue


class ReturnEventInline(ReadOnlyInline):
    model = models.ReturnEvent


@admin.register(models.QuarterlyReturn)
class QuarterlyReturnAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["project", "financial_year", "quarter", "status", "spend_status"]
    list_filter = ["status", "spend_status", "financial_year", "quarter"]
    list_select_related = ["project"]
    inlines = [SpendLineInline, MeasureValueInline, ReturnEventInline]


@admin.register(models.Payment)
class PaymentAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["allocation", "financial_year", "quarter", "amount", "status", "reference", "paid_on"]
    list_filter = ["status", "financial_year"]
    list_select_related = ["allocation__recipient"]


@admin.register(models.Clawback)
class ClawbackAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["allocation", "amount", "status", "requested_on"]


@admin.register(models.Virement)
class VirementAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["from_line", "to_line", "amount", "status"]
