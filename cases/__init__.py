"""The case officers' workspace: defenders, residencies (cases) and everything around them.

Where things are (see STYLE.md):
  policies.py   who may see/do what; `visible_cases_filter` behind `Case.objects.visible_to`;
                `partner_share_allows` / `partner_cases_filter` are the extension point for shares
  lifecycle.py  stages, allowed transitions, guards (`register_guard`), checklists per stage
  selectors.py  reads taking the user (`cases_visible_to`, `cases_search`, `case_get_for`, …)
  services.py   the only writers (`case_open`, `case_transition`, `document_upload`, …)
  access.py     the read choke point of the views: policy → access-log entry → 404
  views*.py     thin views; urls.py (namespace "cases"); templates/cases/
  demo.py       `seed(stdout)` for `manage.py seed_demo`
  management/commands/apply_retention.py   crypto-shreds ended cases after the retention period
"""
