-- prisma-guard tripwire, installed by `prisma-guard protect` (removed by `unprotect`).
-- Run in one transaction by a superuser; every statement may run again (upgrades).
-- src/tripwire/sql.rs fills in the placeholders (install id, key hash, version, comment),
-- each a name after a colon.
SET LOCAL client_min_messages = warning;

-- The event triggers go first, so that nothing below fires them; they come back last.
DROP EVENT TRIGGER IF EXISTS prisma_guard_sql_drop;
DROP EVENT TRIGGER IF EXISTS prisma_guard_ddl_end;

CREATE SCHEMA IF NOT EXISTS prisma_guard;
-- Whoever made the schema before, its objects are the installing role's now.
ALTER SCHEMA prisma_guard OWNER TO CURRENT_USER;
REVOKE ALL ON SCHEMA prisma_guard FROM PUBLIC;
GRANT USAGE ON SCHEMA prisma_guard TO PUBLIC;

CREATE TABLE IF NOT EXISTS prisma_guard.installation (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    install_id text NOT NULL,
    version integer NOT NULL,
    installed_at timestamptz NOT NULL DEFAULT now(),
    installed_by name NOT NULL DEFAULT session_user,
    upgraded_at timestamptz
);
-- sha256 of each machine's approval key (the keys stay on the machines).
CREATE TABLE IF NOT EXISTS prisma_guard.key (
    hash text PRIMARY KEY,
    added_at timestamptz NOT NULL DEFAULT now(),
    added_by name NOT NULL DEFAULT session_user
);
-- Open approval windows: the backend that holds each one open (the window closes with it).
CREATE TABLE IF NOT EXISTS prisma_guard.approval (
    pid integer PRIMARY KEY,
    backend_start timestamptz NOT NULL,
    role name NOT NULL,
    command text NOT NULL,
    opened_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE prisma_guard.installation OWNER TO CURRENT_USER;
ALTER TABLE prisma_guard.key OWNER TO CURRENT_USER;
ALTER TABLE prisma_guard.approval OWNER TO CURRENT_USER;
REVOKE ALL ON ALL TABLES IN SCHEMA prisma_guard FROM PUBLIC;

INSERT INTO prisma_guard.installation (install_id, version) VALUES (:install_id, :version)
ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version, upgraded_at = now();
INSERT INTO prisma_guard.key (hash) VALUES (:key_hash) ON CONFLICT (hash) DO NOTHING;

-- Whether a live approval window is open: a row whose backend still runs (the same pid
-- started at the same time). The statistics snapshot is dropped first, so a backend that
-- ended during a long transaction counts as ended.
CREATE OR REPLACE FUNCTION prisma_guard.approved() RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    PERFORM pg_stat_clear_snapshot();
    RETURN EXISTS (
        SELECT 1 FROM prisma_guard.approval a
        JOIN pg_stat_activity s ON s.pid = a.pid AND s.backend_start = a.backend_start
    );
END
$fn$;

-- Open a window for as long as the calling session lives; only with a key whose hash the
-- tripwire holds.
CREATE OR REPLACE FUNCTION prisma_guard.open_approval(p_key text, p_command text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    started timestamptz;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM prisma_guard.key k WHERE k.hash = encode(sha256(convert_to(p_key, 'UTF8')), 'hex')) THEN
        RAISE EXCEPTION 'prisma-guard tripwire: this approval key is not one of this database''s'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_stat_clear_snapshot();
    DELETE FROM prisma_guard.approval a WHERE NOT EXISTS (
        SELECT 1 FROM pg_stat_activity s WHERE s.pid = a.pid AND s.backend_start = a.backend_start);
    SELECT s.backend_start INTO started FROM pg_stat_activity s WHERE s.pid = pg_backend_pid();
    INSERT INTO prisma_guard.approval (pid, backend_start, role, command)
    VALUES (pg_backend_pid(), started, session_user, left(p_command, 500))
    ON CONFLICT (pid) DO UPDATE SET backend_start = EXCLUDED.backend_start, role = EXCLUDED.role,
        command = EXCLUDED.command, opened_at = now();
    RETURN 'prisma-guard-approval-open';
END
$fn$;

CREATE OR REPLACE FUNCTION prisma_guard.close_approval() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
    DELETE FROM prisma_guard.approval WHERE pid = pg_backend_pid();
$fn$;

CREATE OR REPLACE FUNCTION prisma_guard.refusal(what text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    RAISE EXCEPTION 'prisma-guard tripwire: % refused (it would lose data)', what
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Run the change through prisma-guard (`prisma ...` via its shim, or `prisma-guard exec -- ...`): it takes a backup, asks a human, and opens a short approval window. To remove the tripwire: prisma-guard unprotect.';
END
$fn$;

-- BEFORE TRUNCATE, FOR EACH STATEMENT, on every table.
CREATE OR REPLACE FUNCTION prisma_guard.refuse_truncate() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    IF NOT prisma_guard.approved() THEN
        PERFORM prisma_guard.refusal(format('TRUNCATE %I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME));
    END IF;
    RETURN NULL;
END
$fn$;

-- The tables the tripwire watches: ordinary and partitioned, not temporary, outside the
-- system schemas and its own.
CREATE OR REPLACE FUNCTION prisma_guard.watched(rel oid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT EXISTS (
        SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = rel AND c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'prisma_guard')
          AND n.nspname NOT LIKE 'pg\_%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'));
$fn$;

-- Give a table its TRUNCATE trigger (when it has none).
CREATE OR REPLACE FUNCTION prisma_guard.arm(rel oid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    IF prisma_guard.watched(rel) AND NOT EXISTS (
        SELECT 1 FROM pg_trigger t WHERE t.tgrelid = rel AND t.tgfoid = 'prisma_guard.refuse_truncate()'::regprocedure) THEN
        EXECUTE format('CREATE TRIGGER prisma_guard_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION prisma_guard.refuse_truncate()', rel::regclass);
    END IF;
END
$fn$;

-- sql_drop: what was dropped is gone only when the transaction commits; raising here rolls
-- it back. Schemas, tables, columns, materialized views and sequences hold data; so does the
-- tripwire's own TRUNCATE trigger guard it.
CREATE OR REPLACE FUNCTION prisma_guard.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    obj record;
BEGIN
    FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
        CONTINUE WHEN obj.is_temporary
            OR obj.schema_name IN ('pg_catalog', 'information_schema')
            OR obj.schema_name LIKE 'pg\_%';
        IF obj.object_type IN ('schema', 'table', 'table column', 'materialized view', 'sequence')
           OR (obj.object_type = 'trigger' AND obj.object_identity LIKE 'prisma\_guard\_no\_truncate on %') THEN
            IF prisma_guard.approved() THEN
                RETURN;
            END IF;
            PERFORM prisma_guard.refusal(format('%s (%s %s)', tg_tag, obj.object_type, obj.object_identity));
        END IF;
    END LOOP;
END
$fn$;

-- ddl_command_end: new tables get their TRUNCATE trigger; switching that trigger off or
-- renaming it is refused.
CREATE OR REPLACE FUNCTION prisma_guard.on_ddl_end() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    cmd record;
BEGIN
    FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE classid = 'pg_class'::regclass AND NOT in_extension LOOP
        PERFORM prisma_guard.arm(cmd.objid);
    END LOOP;
    IF tg_tag IN ('ALTER TABLE', 'ALTER TRIGGER') AND EXISTS (
        SELECT 1 FROM pg_event_trigger_ddl_commands() c JOIN pg_trigger t
          ON (c.classid = 'pg_class'::regclass AND t.tgrelid = c.objid) OR (c.classid = 'pg_trigger'::regclass AND t.oid = c.objid)
        WHERE t.tgfoid = 'prisma_guard.refuse_truncate()'::regprocedure
          AND (t.tgenabled NOT IN ('O', 'A') OR t.tgname <> 'prisma_guard_no_truncate'))
       AND NOT prisma_guard.approved() THEN
        PERFORM prisma_guard.refusal(tg_tag || ' on the tripwire''s TRUNCATE trigger');
    END IF;
    -- `CREATE OR REPLACE TRIGGER prisma_guard_no_truncate ... EXECUTE FUNCTION noop()` swaps
    -- the trigger's function and drops nothing.
    IF tg_tag = 'CREATE TRIGGER' AND EXISTS (
        SELECT 1 FROM pg_event_trigger_ddl_commands() c JOIN pg_trigger t
          ON c.classid = 'pg_trigger'::regclass AND t.oid = c.objid
        WHERE t.tgname = 'prisma_guard_no_truncate'
          AND t.tgfoid <> 'prisma_guard.refuse_truncate()'::regprocedure)
       AND NOT prisma_guard.approved() THEN
        PERFORM prisma_guard.refusal(tg_tag || ' replacing the tripwire''s TRUNCATE trigger');
    END IF;
END
$fn$;

-- What `prisma-guard status`/`doctor` show, for any role.
CREATE OR REPLACE FUNCTION prisma_guard.status() RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    result json;
BEGIN
    PERFORM pg_stat_clear_snapshot();
    SELECT json_build_object(
        'install_id', (SELECT install_id FROM prisma_guard.installation),
        'version', (SELECT version FROM prisma_guard.installation),
        'installed_by', (SELECT installed_by FROM prisma_guard.installation),
        'event_triggers_on', (SELECT count(*) FROM pg_event_trigger WHERE evtname IN ('prisma_guard_sql_drop', 'prisma_guard_ddl_end') AND evtenabled IN ('O', 'A')),
        'unarmed_tables', (SELECT coalesce(json_agg(format('%I.%I', n.nspname, c.relname) ORDER BY 1), '[]'::json)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE prisma_guard.watched(c.oid) AND NOT EXISTS (
                SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgenabled IN ('O', 'A')
                  AND t.tgfoid = 'prisma_guard.refuse_truncate()'::regprocedure)),
        'armed_tables', (SELECT count(*) FROM pg_trigger t WHERE t.tgfoid = 'prisma_guard.refuse_truncate()'::regprocedure),
        'keys', (SELECT count(*) FROM prisma_guard.key),
        'open_approvals', (SELECT count(*) FROM prisma_guard.approval a JOIN pg_stat_activity s ON s.pid = a.pid AND s.backend_start = a.backend_start),
        'stale_approvals', (SELECT count(*) FROM prisma_guard.approval a WHERE NOT EXISTS (
            SELECT 1 FROM pg_stat_activity s WHERE s.pid = a.pid AND s.backend_start = a.backend_start)),
        'owner_is_superuser', (SELECT rolsuper FROM pg_roles r JOIN pg_namespace n ON n.nspowner = r.oid WHERE n.nspname = 'prisma_guard')
    ) INTO result;
    RETURN result;
END
$fn$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA prisma_guard FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prisma_guard.open_approval(text, text), prisma_guard.close_approval(),
    prisma_guard.status(), prisma_guard.approved(), prisma_guard.refuse_truncate(),
    prisma_guard.refusal(text), prisma_guard.watched(oid) TO PUBLIC;

-- Every table there is now.
SELECT prisma_guard.arm(c.oid) FROM pg_class c WHERE prisma_guard.watched(c.oid);

CREATE EVENT TRIGGER prisma_guard_sql_drop ON sql_drop
    EXECUTE FUNCTION prisma_guard.on_sql_drop();
CREATE EVENT TRIGGER prisma_guard_ddl_end ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'CREATE SCHEMA', 'ALTER TABLE', 'ALTER TRIGGER', 'CREATE TRIGGER')
    EXECUTE FUNCTION prisma_guard.on_ddl_end();

COMMENT ON SCHEMA prisma_guard IS :comment;
