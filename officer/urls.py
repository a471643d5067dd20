from django.contrib.auth import views as auth_views
from django.urls import path

from officer import law_views, revenue_views, views
from officer import rules_views as risk_views

app_name = "officer"

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("login/", views.OfficerLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="officer:login"), name="logout"),
    path("next", views.queue_next, name="next"),
    path("bulk-release", views.bulk_release, name="bulk-release"),
    path("arrivals", views.arrival_scan, name="arrival-scan"),
    path("takeovers/<int:pk>/dismiss", views.takeover_dismiss, name="takeover-dismiss"),
    path("items/<int:pk>/", views.item_view, name="item"),
    path("items/<int:pk>/<slug:name>", views.item_action, name="item-action"),
    path("seizures/", views.seizures_view, name="seizures"),
    path("seizures/<int:pk>/<slug:decision>", views.seizure_decide, name="seizure-decide"),
    path("approvals/", views.approvals_view, name="approvals"),
    path("approvals/<int:pk>/<slug:decision>", views.approval_decide, name="approval-decide"),
    path("cases/", views.cases_view, name="cases"),
    path("cases/<int:pk>/", views.case_view, name="case"),
    path("search/", views.search_view, name="search"),
    path("revenue/", revenue_views.revenue_view, name="revenue"),
    path("revenue/statements", revenue_views.statement_build, name="statement-build"),
    path("revenue/charges/<int:pk>/decide", revenue_views.charge_dispute_decide, name="charge-dispute-decide"),
    path("revenue/statements/<int:pk>/", revenue_views.statement_view, name="statement"),
    path(
        "revenue/statements/<int:pk>/statement.<slug:extension>",
        revenue_views.statement_download,
        name="statement-file",
    ),
    path("revenue/statements/<int:pk>/sign-off", revenue_views.statement_sign_off, name="statement-sign-off"),
    path("revenue/statements/<int:pk>/remittances", revenue_views.remittance_record, name="remittance-record"),
    path("rules/", risk_views.rules_view, name="rules"),
    path("rules/propose", risk_views.rule_propose, name="rule-propose"),
    path("rules/rules.json", risk_views.rules_export, name="rules-export"),
    path("rules/goods_catalogue.csv", risk_views.catalogue_export, name="catalogue-export"),
    path("rules/catalogue", risk_views.catalogue_upload, name="catalogue-upload"),
    path("rules/<int:pk>/<slug:decision>", risk_views.rule_review, name="rule-review"),
    path("law/", law_views.law_view, name="law"),
    path("law/tariff", law_views.tariff_propose, name="law-tariff"),
    path("law/file", law_views.law_file_propose, name="law-file"),
    path("law/rows", law_views.rows_propose, name="law-rows"),
    path("law/law.csv", law_views.law_export, name="law-export"),
    path("law/tariff.csv", law_views.tariff_export, name="law-tariff-export"),
    path("law/ioss-report.<slug:extension>", law_views.ioss_report_download, name="law-ioss-report"),
    path("law/changes/<int:pk>/", law_views.change_view, name="law-change"),
    path("law/changes/<int:pk>/<slug:decision>", law_views.change_review, name="law-change-review"),
    path("models/", risk_views.models_view, name="models"),
    path("models/<int:pk>/promote", risk_views.model_promote, name="model-promote"),
]
