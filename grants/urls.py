from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import SignInForm
from .views import home, returns

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
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("returns/", returns.my_returns, name="my-returns"),
    path("review/", returns.review_queue, name="review-queue"),
    path(RETURN, returns.return_detail, name="return-detail"),
    path(RETURN + "review/", returns.return_review, name="return-review"),
    path(RETURN + "reopen/", returns.return_reopen, name="return-reopen"),
    path(RETURN + "spend/", returns.return_spend, name="return-spend"),
    path(RETURN + "history/", returns.return_history, name="return-history"),
]
