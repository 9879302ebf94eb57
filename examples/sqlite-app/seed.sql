-- Rows for the example database (dev.db was made from the migration and this file).
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
);
INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "started_at", "applied_steps_count")
VALUES ('6f1c2a4e-0000-4000-8000-000000000001', 'c0ffee', '2026-01-01 00:00:01', '20260101000000_init', '2026-01-01 00:00:00', 1);
INSERT INTO "User" ("id", "email", "name") VALUES
  ('cm0alice00000000000000001', 'alice@example.com', 'Alice'),
  ('cm0bob000000000000000002', 'bob@example.com', 'Bob'),
  ('cm0zoe000000000000000003', 'zoe@example.com', 'Zoë 🦀');
INSERT INTO "Post" ("title", "content", "published", "authorId") VALUES
  ('Hello', 'First post', true, 'cm0alice00000000000000001'),
  ('Backups', 'Take them before you migrate.', true, 'cm0alice00000000000000001'),
  ('Draft', NULL, false, 'cm0bob000000000000000002');
