#!/usr/bin/env python3
"""Generate a Prisma-style PostgreSQL migrations folder for the scanner benchmark.

Usage: gen-migrations.py OUT_DIR [COUNT]

Writes OUT_DIR/prisma/migrations/<timestamp>_<name>/migration.sql, COUNT folders (default
850), shaped like `prisma migrate dev` output (comment headers, Warnings blocks, quoting,
enum recreation, index and foreign-key statements, hand-written data migrations), and
OUT_DIR/labels.json: for every statement, its file, line range and whether it loses data
(the ground truth for recall). Deterministic (fixed seed), so runs are comparable.
"""

import json
import os
import random
import sys

rng = random.Random(20261123)
out_dir = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 850

tables = {}  # name -> {col: type}
enums = {}  # name -> [values]
labels = []
words = ["account", "order", "invoice", "member", "project", "ticket", "comment", "asset", "tag", "event",
         "report", "session", "payment", "address", "product", "review", "team", "invite", "token", "audit"]


def ident(name):
    return '"' + name + '"'


class Mig:
    def __init__(self, name):
        self.name = name
        self.created = set()  # tables created by this migration: changing them loses nothing
        self.warnings = []
        self.chunks = []  # (header, [(sql, loss, kind)])

    def add(self, header, statements):
        self.chunks.append((header, statements))

    def render(self, rel):
        lines = []
        if self.warnings:
            lines += ["/*", "  Warnings:", ""] + ["  - " + w for w in self.warnings] + ["", "*/"]
        for header, stmts in self.chunks:
            if header:
                lines.append("-- " + header)
            for sql, loss, kind in stmts:
                start = len(lines) + 1
                body = sql.split("\n")
                lines += body
                labels.append({"path": rel, "start": start, "end": start + len(body) - 1, "loss": loss, "kind": kind})
            lines.append("")
        return "\n".join(lines) + "\n"


def new_table(m):
    base = rng.choice(words)
    name = base.capitalize() + str(len(tables))
    cols = {"id": "TEXT", "createdAt": "TIMESTAMP(3)", "name": "TEXT", "amount": "INTEGER", "note": "TEXT"}
    body = ',\n'.join([
        '    "id" TEXT NOT NULL',
        '    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP',
        '    "name" TEXT NOT NULL',
        '    "amount" INTEGER NOT NULL DEFAULT 0',
        '    "note" TEXT',
        '\n    CONSTRAINT "%s_pkey" PRIMARY KEY ("id")' % name,
    ])
    m.add("CreateTable", [("CREATE TABLE %s (\n%s\n);" % (ident(name), body), False, "create-table")])
    m.add("CreateIndex", [('CREATE INDEX "%s_name_idx" ON %s("name");' % (name, ident(name)), False, "create-index")])
    if tables and rng.random() < 0.6:
        other = rng.choice(sorted(tables))
        fk = other.lower() + "Id"
        cols[fk] = "TEXT"
        m.add("AlterTable", [('ALTER TABLE %s ADD COLUMN "%s" TEXT;' % (ident(name), fk), False, "add-column")])
        m.add("AddForeignKey", [(
            'ALTER TABLE %s ADD CONSTRAINT "%s_%s_fkey" FOREIGN KEY ("%s") REFERENCES %s("id") ON DELETE SET NULL ON UPDATE CASCADE;'
            % (ident(name), name, fk, fk, ident(other)), False, "add-fk")])
    tables[name] = cols
    m.created.add(name)


def pick(m):
    older = sorted(t for t in tables if t not in m.created)
    return rng.choice(older or sorted(tables))


def add_column(m):
    t = pick(m)
    c = "extra%d" % len(tables[t])
    if rng.random() < 0.5:
        sql = 'ALTER TABLE %s ADD COLUMN "%s" TEXT;' % (ident(t), c)
    else:
        sql = 'ALTER TABLE %s ADD COLUMN "%s" INTEGER NOT NULL DEFAULT 0;' % (ident(t), c)
    tables[t][c] = "TEXT"
    m.add("AlterTable", [(sql, False, "add-column")])


def add_required(m):
    t = pick(m)
    c = "req%d" % len(tables[t])
    m.warnings.append("Added the required column `%s` to the `%s` table without a default value. This is not possible if the table is not empty." % (c, t))
    m.add("AlterTable", [('ALTER TABLE %s ADD COLUMN "%s" TEXT NOT NULL;' % (ident(t), c), False, "add-required")])
    tables[t][c] = "TEXT"


def drop_column(m):
    t = pick(m)
    cands = [c for c in tables[t] if c not in ("id",)]
    if not cands:
        return add_column(m)
    c = rng.choice(cands)
    del tables[t][c]
    m.warnings.append("You are about to drop the column `%s` on the `%s` table. All the data in the column will be lost." % (c, t))
    m.add("AlterTable", [('ALTER TABLE %s DROP COLUMN "%s";' % (ident(t), c), True, "drop-column")])


def drop_table(m):
    if len(tables) < 4:
        return new_table(m)
    t = pick(m)
    del tables[t]
    m.warnings.append("You are about to drop the `%s` table. If the table is not empty, all the data it contains will be lost." % t)
    m.add("DropTable", [("DROP TABLE %s;" % ident(t), True, "drop-table")])


def enum_create(m):
    name = "Status%d" % len(enums)
    vals = ["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"]
    enums[name] = vals
    m.add("CreateEnum", [('CREATE TYPE %s AS ENUM (%s);' % (ident(name), ", ".join("'%s'" % v for v in vals)), False, "create-enum")])
    t = pick(m)
    tables[t]["status"] = name
    m.add("AlterTable", [('ALTER TABLE %s ADD COLUMN "status" %s NOT NULL DEFAULT \'ACTIVE\';' % (ident(t), ident(name)), False, "add-column")])


def enum_add(m):
    if not enums:
        return enum_create(m)
    name = rng.choice(sorted(enums))
    v = "V%d" % len(enums[name])
    enums[name].append(v)
    m.add("AlterEnum", [("ALTER TYPE %s ADD VALUE '%s';" % (ident(name), v), False, "enum-add")])


def enum_remove(m):
    users = [(t, c) for t in tables for c, ty in tables[t].items() if ty in enums]
    if not users:
        return enum_create(m)
    t, c = rng.choice(sorted(users))
    name = tables[t][c]
    if len(enums[name]) < 3:
        return enum_add(m)
    removed = enums[name][-1]
    keep = enums[name][:-1]
    enums[name] = keep
    m.warnings.append("The values [%s] on the enum `%s` will be removed. If these variants are still used in the database, this will fail." % (removed, name))
    vals = ", ".join("'%s'" % v for v in keep)
    # One labelled unit: the data-loss event is the whole recreation (the new type without
    # the value, and the cast of the column to it).
    block = "\n".join([
        "BEGIN;",
        'CREATE TYPE "%s_new" AS ENUM (%s);' % (name, vals),
        'ALTER TABLE %s ALTER COLUMN "%s" DROP DEFAULT;' % (ident(t), c),
        'ALTER TABLE %s ALTER COLUMN "%s" TYPE "%s_new" USING ("%s"::text::"%s_new");' % (ident(t), c, name, c, name),
        'ALTER TYPE "%s" RENAME TO "%s_old";' % (name, name),
        'ALTER TYPE "%s_new" RENAME TO "%s";' % (name, name),
        'DROP TYPE "%s_old";' % name,
        'ALTER TABLE %s ALTER COLUMN "%s" SET DEFAULT \'ACTIVE\';' % (ident(t), c),
        "COMMIT;",
    ])
    m.add("AlterEnum", [(block, True, "enum-remove")])


def alter_type(m):
    t = pick(m)
    if rng.random() < 0.5 and "name" in tables[t] and tables[t]["name"] == "TEXT":
        tables[t]["name"] = "VARCHAR(50)"
        m.warnings.append("You are about to alter the column `name` on the `%s` table, which contains 3 non-null values. The data in that column will be cast from `Text` to `VarChar(50)`." % t)
        m.add("AlterTable", [('ALTER TABLE %s ALTER COLUMN "name" SET DATA TYPE VARCHAR(50);' % ident(t), True, "narrow-type")])
    elif "amount" in tables[t] and tables[t]["amount"] == "INTEGER":
        tables[t]["amount"] = "BIGINT"
        m.add("AlterTable", [('ALTER TABLE %s ALTER COLUMN "amount" SET DATA TYPE BIGINT;' % ident(t), False, "widen-type")])
    else:
        add_column(m)


def data_migration(m):
    t = pick(m)
    r = rng.random()
    if r < 0.25:
        m.add("DataMigration", [('DELETE FROM %s;' % ident(t), True, "delete-all")])
    elif r < 0.45:
        m.add("DataMigration", [('TRUNCATE TABLE %s;' % ident(t), True, "truncate")])
    elif r < 0.65:
        m.add("DataMigration", [('UPDATE %s SET "note" = NULL;' % ident(t), True, "update-all")])
    elif r < 0.85:
        m.add("DataMigration", [('UPDATE %s SET "amount" = 0 WHERE "amount" < 0;' % ident(t), False, "update-where")])
    else:
        m.add("DataMigration", [('DELETE FROM %s WHERE "createdAt" < NOW() - INTERVAL \'1 year\';' % ident(t), False, "delete-where")])


def backfill(m):
    t = pick(m)
    c = "slug%d" % len(tables[t])
    m.add("AlterTable", [
        ('ALTER TABLE %s ADD COLUMN "%s" TEXT;' % (ident(t), c), False, "add-column"),
        ('UPDATE %s SET "%s" = "id";' % (ident(t), c), False, "backfill"),
        ('ALTER TABLE %s ALTER COLUMN "%s" SET NOT NULL;' % (ident(t), c), False, "backfill"),
    ])
    tables[t][c] = "TEXT"


def change_fk(m):
    fks = [(t, c) for t in tables for c in tables[t] if c.endswith("Id")]
    if not fks:
        return add_column(m)
    t, c = rng.choice(sorted(fks))
    other = c[:-2].capitalize()
    ref = next((x for x in tables if x.lower() == c[:-2]), None)
    if ref is None:
        return add_column(m)
    fk = "%s_%s_fkey" % (t, c)
    m.add("DropForeignKey", [('ALTER TABLE %s DROP CONSTRAINT "%s";' % (ident(t), fk), False, "fk-change")])
    m.add("AddForeignKey", [('ALTER TABLE %s ADD CONSTRAINT "%s" FOREIGN KEY ("%s") REFERENCES %s("id") ON DELETE CASCADE ON UPDATE CASCADE;' % (ident(t), fk, c, ident(ref)), False, "fk-change")])
    del other


def rename_column(m):
    t = pick(m)
    if "note" not in tables[t]:
        return add_column(m)
    tables[t]["remark"] = tables[t].pop("note")
    m.add("AlterTable", [('ALTER TABLE %s RENAME COLUMN "note" TO "remark";' % ident(t), False, "rename")])


kinds = [(new_table, 14), (add_column, 18), (add_required, 4), (drop_column, 8), (drop_table, 3), (enum_create, 3),
         (enum_add, 6), (enum_remove, 3), (alter_type, 6), (data_migration, 8), (backfill, 5), (change_fk, 5),
         (rename_column, 3)]
population = [k for k, w in kinds for _ in range(w)]

mig_root = os.path.join(out_dir, "prisma", "migrations")
os.makedirs(mig_root, exist_ok=True)
for i in range(count):
    m = Mig("m%d" % i)
    if i < 5 or not tables:
        new_table(m)
    else:
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            rng.choice(population)(m)
    stamp = "2023%010d" % i  # sorts in creation order, as Prisma's timestamps do
    name = "%s_%s" % (stamp, m.chunks[0][0].lower() if m.chunks else "empty")
    rel = "prisma/migrations/%s/migration.sql" % name
    os.makedirs(os.path.join(mig_root, name), exist_ok=True)
    with open(os.path.join(out_dir, rel), "w") as f:
        f.write(m.render(rel))
with open(os.path.join(mig_root, "migration_lock.toml"), "w") as f:
    f.write('provider = "postgresql"\n')
with open(os.path.join(out_dir, "labels.json"), "w") as f:
    json.dump(labels, f)
loss = sum(1 for l in labels if l["loss"])
print("%d migrations, %d statements, %d lose data" % (count, len(labels), loss))
