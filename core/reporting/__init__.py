"""Periodic reports and their review 报送与审核: report types declared by core and the areas
(registry), their periods and due times (periods), submissions and their state machine
(models, services), live figures, snapshots, the completeness and timeliness matrix and the
to-do items (selectors), and their pages and API (views, api)."""
