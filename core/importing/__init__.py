"""Excel import machinery for every ledger: a ledger declares an ImportSpec, this does the rest.

upload → safety checks and reading (reader) → the header row and the column mapping (header) →
every column normalised (sheet, normalise) → schools, regions and stored rows looked up (lookups)
→ every row validated and compared (analysis) → preview (new / changed / unchanged / errors, the
parsed rows: preview; the file with its errors marked as .xlsx: errors) → confirm → one
transaction: the analysis again over the preview's reading (keep), bulk upsert on the natural key
plus the audit trail, in bulk (write).
The pages, the API and the jobs call `services`; `base` holds what every step shares.

Nothing here is imported at app loading except `models` (from core.models); the job runners
register when `core.importing.jobs` is imported (core.tasks and the views import it).
"""
