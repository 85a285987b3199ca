"""PostgreSQL guards the books itself: every journal entry balances per currency, checked
at commit (a deferred constraint trigger), and postings are never updated or deleted —
corrections are reversing entries. The services check the same before writing; these
triggers stop any other path into the database (a script, a psql session, a bug).

SQLite has no deferred triggers; there the services' checks are the guard. TRUNCATE (what
Django's `flush` runs on PostgreSQL) fires no row trigger, so test databases still reset.
"""

from __future__ import annotations

from django.db import migrations

CREATE = """
CREATE FUNCTION funds_journal_must_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    journal bigint := COALESCE(NEW.journal_id, OLD.journal_id);
    unbalanced text;
BEGIN
    SELECT string_agg(currency || ' ' || total, ', ') INTO unbalanced FROM (
        SELECT currency, SUM(amount_minor) AS total FROM funds_posting
        WHERE journal_id = journal GROUP BY currency HAVING SUM(amount_minor) <> 0
    ) AS off;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % does not balance: %', journal, unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER funds_posting_balanced
    AFTER INSERT ON funds_posting DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funds_journal_must_balance();

CREATE FUNCTION funds_posting_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'postings are final: correct them with a reversing entry'
        USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER funds_posting_final
    BEFORE UPDATE OR DELETE ON funds_posting
    FOR EACH ROW EXECUTE FUNCTION funds_posting_is_final();
"""

DROP = """
DROP TRIGGER IF EXISTS funds_posting_final ON funds_posting;
DROP FUNCTION IF EXISTS funds_posting_is_final();
DROP TRIGGER IF EXISTS funds_posting_balanced ON funds_posting;
DROP FUNCTION IF EXISTS funds_journal_must_balance();
"""


def _on_postgresql(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the % in RAISE messages are PL/pgSQL's, not placeholders.
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
