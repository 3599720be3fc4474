"""The Django admin, for reference data and for looking things up, with history."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import models


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


@admin.register(models.Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "financial_year", "commissioner", "total_budget", "payment_terms"]
    list_filter = ["financial_year", "commissioner", "payment_terms"]
    list_select_related = ["commissioner"]


@admin.register(models.Allocation)
class AllocationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "recipient", "programme", "amount", "status"]
    list_filter = ["status", "programme__financial_year"]
    list_select_related = ["recipient", "programme"]
    readonly_fields = ["version"]


class BudgetLineInline(admin.TabularInline):
    model = models.BudgetLine
    extra = 0


class ProjectMeasureInline(admin.TabularInline):
    model = models.ProjectMeasure
    extra = 0


@admin.register(models.Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "reference", "provider", "allocation", "start_date", "end_date"]
    list_select_related = ["provider", "allocation__recipient"]
    search_fields = ["name", "reference"]
    inlines = [BudgetLineInline, ProjectMeasureInline]


class SpendLineInline(admin.TabularInline):
    model = models.SpendLine
    extra = 0


class MeasureValueInline(admin.TabularInline):
    model = models.MeasureValue
    extra = 0


class ReturnEventInline(admin.TabularInline):
    model = models.ReturnEvent
    extra = 0
    readonly_fields = ["kind", "actor", "at", "comment"]
    can_delete = False


@admin.register(models.QuarterlyReturn)
class QuarterlyReturnAdmin(SimpleHistoryAdmin):
    list_display = ["project", "financial_year", "quarter", "status", "spend_status"]
    list_filter = ["status", "spend_status", "financial_year", "quarter"]
    list_select_related = ["project"]
    readonly_fields = ["version"]
    inlines = [SpendLineInline, MeasureValueInline, ReturnEventInline]


@admin.register(models.Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ["allocation", "financial_year", "quarter", "amount", "status", "reference", "paid_on"]
    list_filter = ["status", "financial_year"]
    list_select_related = ["allocation__recipient"]
    readonly_fields = ["version"]


@admin.register(models.Clawback)
class ClawbackAdmin(SimpleHistoryAdmin):
    list_display = ["allocation", "amount", "status", "requested_on"]


@admin.register(models.Virement)
class VirementAdmin(SimpleHistoryAdmin):
    list_display = ["from_line", "to_line", "amount", "status"]
