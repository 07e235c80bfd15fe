"""The register of processing activities (GDPR art. 30, the *verwerkingsregister*).

One entry per processing activity, each a chain of versions: a change writes a new version and
every earlier one stays readable. Every entry in the access log names the activity and the
version in force when it was written (`shelter.audit`), and its URI
(`catalogue.activity_uri`) is the `dpl.core.processing_activity_id` of the processing log
export (Logboek Dataverwerkingen).
"""
