from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from core import views as core_views
from figures import views as figure_views
from procedures.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("procedures/", include("procedures.urls")),
    path("conditions/", include("procedures.urls_conditions")),
    path("faq/", include("faq.urls")),
    path("plan/", include("plans.urls")),
    path("glossary/", include("glossary.urls")),
    path("search/", include("search.urls")),
    path("feedback/", include("feedback.urls")),
    path("about/how-we-write/", core_views.HowWeWriteView.as_view(), name="how_we_write"),
    path("sitemap.xml", core_views.sitemap_xml, name="sitemap"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$", figure_views.media, name="media"),
    path(settings.ADMIN_URL, admin.site.urls),  # moved by the ADMIN_URL setting
]

handler404 = "painsite.views.page_not_found"
handler500 = "painsite.views.server_error"
