"""Subject access under the Data Protection Act 2018 s.45: everything held about one data
subject (a woman's person record and those linked to it, or an arrested or cautioned man's
arrest), written out as the project lead's recorded request allows.

- ``sections``: what each kind of subject's export holds, and what may be withheld;
- ``selectors``: the subjects and requests a lead may reach (their areas; 404 otherwise);
- ``services``: recording a request (the s.45(4) restriction) and its exports, audited;
- ``people`` and ``arrests``: gathering one subject in a fixed number of queries;
- ``common``: staff names withheld or shown, the audit trail, retention decisions;
- ``export``: JSON and PDF.
"""
