from django.urls import path

from performance import views

app_name = "performance"

urlpatterns = [
    path("trs/", views.trs_view, name="trs"),
    path("indicators/", views.indicators_view, name="indicators"),
    path("operators/", views.operators_quality_view, name="operators"),
    path("summaries/rebuild", views.summaries_rebuild, name="summaries-rebuild"),
    path("simulator/", views.simulator_view, name="simulator"),
    path("simulator/<int:pk>/", views.simulation_view, name="simulation"),
]
