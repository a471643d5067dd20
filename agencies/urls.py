from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("pay/i/<str:token>/answer", views.answer, name="answer"),
    path("pay/i/<str:token>/documents/<int:document_id>", views.portal_document, name="portal-document"),
    path("officer/items/<int:pk>/documents/<int:document_id>", views.officer_document, name="officer-document"),
    path("officer/permits/", views.permits, name="permits"),
]
