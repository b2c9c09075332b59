"""Link across articles: one statement shares a statement_id, one engagement a meeting_id."""
