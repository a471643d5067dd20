from django.urls import path

from agencies import api

urlpatterns = [
    path("items/<str:item_id>/information", api.ItemInformationApi.as_view(), name="postal-item-information"),
]
