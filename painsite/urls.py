from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from figures import views as figure_views
from painsite import views
from painsite.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("procedures/", include("procedures.urls")),
    path("conditions/", include("procedures.urls_conditions")),
    path("faq/", include("faq.urls")),
    path("glossary/", include("glossary.urls")),
    path("search/", include("search.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$", figure_views.media, name="media"),
    path(settings.ADMIN_URL, admin.site.urls),  # moved by the ADMIN_URL setting
]

handler404 = "painsite.views.page_not_found"
handler500 = "painsite.views.server_error"
