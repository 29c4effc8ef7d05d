"""Excel import machinery for every ledger: a ledger declares an ImportSpec, this does the rest.

upload → safety checks and reading (reader) → header mapping, normalising and validating every row
(normalise, pipeline) → preview (new / changed / unchanged / errors, the rejected rows as .xlsx)
→ confirm → one transaction: bulk upsert on the natural key plus the audit trail, in bulk.

Nothing here is imported at app loading except `models` (from core.models); the job runners
register when `core.importing.jobs` is imported (core.tasks and the views import it).
"""
