from django.urls import path

from postal.api import views

urlpatterns = [
    path("items", views.PreAdviceCreateApi.as_view(), name="postal-items"),
    path("items/csv", views.PreAdviceCsvUploadApi.as_view(), name="postal-items-csv"),
    path("items/<str:item_id>", views.ItemDetailApi.as_view(), name="postal-item-detail"),
    path("withdrawals", views.WithdrawalsCreateApi.as_view(), name="postal-withdrawals"),
    path("events", views.EventsCreateApi.as_view(), name="postal-events"),
    path("collections", views.CollectionsCreateApi.as_view(), name="postal-collections"),
    path("cases", views.CasesCreateApi.as_view(), name="postal-cases"),
    path("cases/<str:case_id>", views.CaseDetailApi.as_view(), name="postal-case-detail"),
    path("quality", views.QualityReportApi.as_view(), name="postal-quality"),
    path("quality/csv", views.QualityReportCsvApi.as_view(), name="postal-quality-csv"),
    path("responses", views.ResponsesListApi.as_view(), name="postal-responses"),
    path("webhook", views.WebhookApi.as_view(), name="postal-webhook"),
]
