from django.urls import path

from agencies import agency_views as views

app_name = "agency"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("login/", views.AgencyLoginView.as_view(), name="login"),
    path("logout/", views.agency_logout, name="logout"),
    path("referrals/<int:pk>/", views.referral_view, name="referral"),
    path("referrals/<int:pk>/decide", views.referral_decide_view, name="decide"),
    path("referrals/<int:pk>/documents/<int:document_id>", views.referral_document, name="document"),
]
