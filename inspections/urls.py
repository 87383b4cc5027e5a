from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("specialists/", views.specialist_list, name="specialist-list"),
    path("roster/import/", views.roster_import, name="roster-import"),
    path("roster/template.xlsx", views.roster_template, name="roster-template"),
]
