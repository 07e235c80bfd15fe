"""Sharing: what of a case a partner may see, for how long, and break-glass for coordinators.

  models.py     CaseShare (the terms of a grant), BreakGlass, OrganisationGroup, and guardian's
                direct foreign-key permission tables for Case (the grants themselves)
  policies.py   pure decisions: what a grant opens, who may share, who may break the glass
  grants.py     selectors: a partner's grants now (guardian's API + the terms in force)
  groups.py     one guardian group per partner organisation, kept equal to its members
  services.py   share_grant, share_revoke, shares_expire, break_glass_open (audit included)
  access.py     the guards of the sharing routes
  forms.py, views.py, urls.py, panels.py, templates/sharing/, templatetags/shares.py
  management/commands/expire_shares.py   removes the guardian rows of expired shares (hourly)
"""
