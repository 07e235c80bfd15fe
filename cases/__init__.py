"""The case officers' workspace: defenders, residencies (cases) and everything around them.

Where things are (docs/ARCHITECTURE.md draws the whole project):
  policies.py   who may see/do what; `visible_cases_filter` behind `selectors.visible_cases`;
                partners through `partner_share_allows` / `partner_cases_filter`, which ask
                the sharing app; restricted notes: assigned officer, coordinators by
                break-glass
  sharing/      its own app (label "sharing"): shares, break-glass, guardian's permission
                tables, their policies, guards, services, views and templates (see its
                __init__)
  choices.py    stages and their transitions, document and note categories, page and share
                sections: a leaf module that models, lifecycle, policies and forms import
  lifecycle.py  the guards of each stage (`register_guard`) and its checklists
  selectors.py  reads taking the user (`cases_visible_to`, `cases_search`, `case_get_for`, …)
  services.py   the only writers (`case_open`, `case_transition`, `document_upload`, …)
  access.py     the guards, one per object type (`access_case`, `access_document`, …): look
                up → policy → access-log entry → 404/403; every view names its guards
  views*.py     thin views; urls.py (namespace "cases"); templates/cases/
  demo.py       `seed(stdout)` for `manage.py seed_demo`
  management/commands/apply_retention.py   crypto-shreds ended cases after the retention period
"""
