from django.contrib.auth import views as auth_views
from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("i/<str:token>/", views.item, name="item"),
    path("i/<str:token>/pay", views.pay, name="pay"),
    path("i/<str:token>/case", views.case_new, name="case-new"),
    path("i/<str:token>/dispute", views.case_new),  # the address of earlier e-mails
    path("cases/<str:token>/", views.case_view, name="case"),
    path("payments/<uuid:reference>/", views.payment, name="payment"),
    path("payments/<uuid:reference>/receipt.pdf", views.receipt_pdf, name="receipt-pdf"),
    path("verify/", views.verify, name="verify"),
    path("login/", views.TraderLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="payments:lookup"), name="logout"),
    path("trader/", views.trader_home, name="trader-home"),
    path("trader/items/<int:pk>/", views.trader_item, name="trader-item"),
    path("trader/items/<int:pk>/case", views.trader_case_new, name="trader-case-new"),
    path("trader/pay", views.trader_pay, name="trader-pay"),
    path("trader/charges/<int:pk>/dispute", views.trader_charge_dispute, name="trader-charge-dispute"),
    path("sandbox/checkout/<str:checkout>/", views.sandbox_checkout, name="sandbox-checkout"),
    path("webhooks/<str:provider>/", views.provider_webhook, name="webhook"),
]
