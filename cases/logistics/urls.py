"""Routes of a case's logistics, in the "cases" namespace (included by `cases.urls`)."""

urlpatterns: list = []
