from django.contrib.auth import views as auth_views
from django.urls import path

from officer import rules_views as risk_views
from officer import views

app_name = "officer"

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("login/", views.OfficerLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="officer:login"), name="logout"),
    path("next", views.queue_next, name="next"),
    path("bulk-release", views.bulk_release, name="bulk-release"),
    path("takeovers/<int:pk>/dismiss", views.takeover_dismiss, name="takeover-dismiss"),
    path("items/<int:pk>/", views.item_view, name="item"),
    path("items/<int:pk>/<slug:name>", views.item_action, name="item-action"),
    path("seizures/", views.seizures_view, name="seizures"),
    path("seizures/<int:pk>/<slug:decision>", views.seizure_decide, name="seizure-decide"),
    path("cases/", views.cases_view, name="cases"),
    path("cases/<int:pk>/", views.case_view, name="case"),
    path("search/", views.search_view, name="search"),
    path("rules/", risk_views.rules_view, name="rules"),
    path("rules/propose", risk_views.rule_propose, name="rule-propose"),
    path("rules/<int:pk>/<slug:decision>", risk_views.rule_review, name="rule-review"),
    path("models/", risk_views.models_view, name="models"),
    path("models/<int:pk>/promote", risk_views.model_promote, name="model-promote"),
]
