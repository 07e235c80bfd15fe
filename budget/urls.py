"""Routes of the budget: the overview, funders, a case's budget and payments."""

app_name = "budget"

urlpatterns: list = []
