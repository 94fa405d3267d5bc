from django.urls import path

from . import tools, views

app_name = "procedures"
urlpatterns = [
    path("", views.ProcedureListView.as_view(), name="list"),
    path("where-it-hurts/", views.WhereItHurtsView.as_view(), name="where_it_hurts"),
    path("compare/", views.ProcedureCompareView.as_view(), name="compare"),
    path("<slug:slug>/", views.ProcedureDetailView.as_view(), name="detail"),
    path("<slug:slug>/sheet/", tools.ProcedureSheetView.as_view(), name="sheet"),
    path("<slug:slug>/diary/", tools.ProcedureDiaryView.as_view(), name="diary"),
]
