from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.ProcedureListView.as_view(), name="list"),
    path("where-it-hurts/", views.WhereItHurtsView.as_view(), name="where_it_hurts"),
    path("compare/", views.ProcedureCompareView.as_view(), name="compare"),
    path("<slug:slug>/", views.ProcedureDetailView.as_view(), name="detail"),
]
