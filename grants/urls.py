from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import SignInForm
from .views import accounts, commissioning, finance, home, returns, two_factor, virements

RETURN = "returns/<slug:reference>/<int:year>/<int:quarter>/"

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="registration/sign_in.html", authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-in/code/", two_factor.verify, name="two-factor-verify"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", two_factor.account, name="two-factor"),
    path("two-factor/set-up/", two_factor.setup, name="two-factor-setup"),
    path("two-factor/recovery-codes/", two_factor.recovery_codes, name="two-factor-recovery-codes"),
    path("two-factor/turn-off/", two_factor.turn_off, name="two-factor-turn-off"),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", accounts.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path("password-reset/<uidb64>/<token>/", accounts.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("password-reset/done/", accounts.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("returns/", returns.my_returns, name="my-returns"),
    path("review/", returns.review_queue, name="review-queue"),
    path(RETURN, returns.return_detail, name="return-detail"),
    path(RETURN + "review/", returns.return_review, name="return-review"),
    path(RETURN + "reopen/", returns.return_reopen, name="return-reopen"),
    path(RETURN + "spend/", returns.return_spend, name="return-spend"),
    path(RETURN + "history/", returns.return_history, name="return-history"),
    # Commissioning
    path("programmes/", commissioning.programme_list, name="programmes"),
    path("programmes/new/", commissioning.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", commissioning.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", commissioning.programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/allocate/", commissioning.allocation_create, name="allocation-create"),
    path("allocations/<int:pk>/", commissioning.allocation_detail, name="allocation-detail"),
    path("allocations/<int:pk>/edit/", commissioning.allocation_edit, name="allocation-edit"),
    *[path(f"allocations/<int:pk>/{action}/", commissioning.allocation_action, {"action": action},
           name=f"allocation-{action}") for action in ("approve", "sign", "activate", "withdraw")],
    path("allocations/<int:pk>/projects/new/", commissioning.project_create, name="project-create"),
    path("projects/<slug:reference>/", commissioning.project_detail, name="project-detail"),
    path("projects/<slug:reference>/edit/", commissioning.project_edit, name="project-edit"),
    path("projects/<slug:reference>/budget/new/", commissioning.budget_line_edit, name="budget-line-create"),
    path("projects/<slug:reference>/budget/<int:pk>/", commissioning.budget_line_edit, name="budget-line-edit"),
    path("projects/<slug:reference>/budget/<int:pk>/remove/", commissioning.budget_line_delete,
         name="budget-line-delete"),
    path("projects/<slug:reference>/measures/new/", commissioning.project_measure_edit, name="project-measure-create"),
    path("projects/<slug:reference>/measures/<int:pk>/", commissioning.project_measure_edit,
         name="project-measure-edit"),
    path("projects/<slug:reference>/measures/<int:pk>/remove/", commissioning.project_measure_delete,
         name="project-measure-delete"),
    path("projects/<slug:reference>/virements/new/", virements.virement_create, name="virement-create"),
    path("measures/", commissioning.measure_list, name="measure-list"),
    path("measures/new/", commissioning.measure_create, name="measure-create"),
    path("virements/", virements.virement_list, name="virement-list"),
    path("virements/<int:pk>/", virements.virement_detail, name="virement-detail"),
    path("virements/<int:pk>/decide/", virements.virement_decide, name="virement-decide"),
    # Finance
    path("finance/", finance.finance_home, name="finance"),
    path("allocations/<int:pk>/schedule/", finance.schedule_update, name="schedule-update"),
    path("allocations/<int:pk>/close/", finance.allocation_close, name="allocation-close"),
    path("allocations/<int:pk>/clawbacks/new/", finance.clawback_create, name="clawback-create"),
    path("payments/<int:pk>/", finance.payment_detail, name="payment-detail"),
    path("payments/<int:pk>/release/", finance.payment_release, name="payment-release"),
    path("payments/<int:pk>/withhold/", finance.payment_withhold, name="payment-withhold"),
    path("clawbacks/<int:pk>/", finance.clawback_detail, name="clawback-detail"),
    path("clawbacks/<int:pk>/received/", finance.clawback_settle, {"action": "receive"}, name="clawback-receive"),
    path("clawbacks/<int:pk>/waived/", finance.clawback_settle, {"action": "waive"}, name="clawback-waive"),
    path("funding/", finance.provider_funding, name="funding"),
]
