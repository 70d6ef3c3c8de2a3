// Proves prisma/schema.prisma and prisma/migrations describe the same database:
// the migrations are applied to a fresh database, which is then read back from
// the catalogs and compared with the DMMF Prisma's own parser makes of the schema.
// A field, model, index or relation added to the schema without a migration
// (or a migration that changes the database behind the schema's back) fails here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import { applyMigrations } from "../lib/db/migrate.ts";
import { MIGRATIONS_TABLE } from "../lib/db/migration-history.ts";
import {
  describeDatabaseSchema,
  type ColumnDescription,
  type DatabaseSchema,
  type ReferentialAction,
  type TableDescription,
} from "../lib/db/schema-introspection.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";

// --- The parts of Prisma's DMMF this test reads -------------------------------------------

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: "asc" | "desc" }[];
}

interface DmmfEnum {
  name: string;
  dbName: string | null;
  values: { name: string; dbName: string | null }[];
}

interface Datamodel {
  models: DmmfModel[];
  enums: DmmfEnum[];
  indexes: DmmfIndex[];
}

function loadDatamodel(schemaPath: string): Datamodel {
  const prismaSchema = readFileSync(schemaPath, "utf8");
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", prismaSchema]], noColor: true })));
  const datamodel = dmmf.datamodel as Datamodel;
  for (const model of datamodel.models) model.fields.push(...unsupportedFields(prismaSchema, model.name));
  return datamodel;
}

/**
 * The DMMF leaves out `Unsupported("...")` fields (tsvector columns and the like), though
 * their columns exist and indexes name them; read them from the schema text instead.
 */
function unsupportedFields(prismaSchema: string, modelName: string): DmmfField[] {
  const body = new RegExp(`^model\\s+${modelName}\\s*\\{([\\s\\S]*?)^\\}`, "m").exec(prismaSchema)?.[1] ?? "";
  const fields: DmmfField[] = [];
  for (const match of body.matchAll(/^\s*(\w+)\s+Unsupported\("([^"]+)"\)(\?)?([^\n]*)$/gm)) {
    const [, name, type, optional, attributes] = match;
    fields.push({
      name: name!,
      dbName: /@map\("([^"]+)"\)/.exec(attributes ?? "")?.[1] ?? null,
      kind: "unsupported",
      type: type!,
      isList: false,
      isRequired: optional !== "?",
      nativeType: null,
    });
  }
  return fields;
}

// --- What PostgreSQL column each Prisma field must become ---------------------------------

interface ExpectedType {
  /** pg_type name of the column (of its elements, for a list). */
  udtName: string;
  characterMaximumLength?: number;
  datetimePrecision?: number;
  numericPrecision?: number;
  numericScale?: number;
}

// Prisma's defaults for PostgreSQL when a field has no @db attribute.
const SCALAR_TYPES: Record<string, ExpectedType> = {
  String: { udtName: "text" },
  Int: { udtName: "int4" },
  BigInt: { udtName: "int8" },
  Float: { udtName: "float8" },
  Decimal: { udtName: "numeric", numericPrecision: 65, numericScale: 30 },
  Boolean: { udtName: "bool" },
  DateTime: { udtName: "timestamp", datetimePrecision: 3 },
  Json: { udtName: "jsonb" },
  Bytes: { udtName: "bytea" },
};

const optionalNumber = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

// @db.<NativeType>(args) → column type.
const NATIVE_TYPES: Record<string, (args: string[]) => ExpectedType> = {
  Text: () => ({ udtName: "text" }),
  Char: ([length]) => ({ udtName: "bpchar", characterMaximumLength: Number(length ?? 1) }),
  VarChar: ([length]) => ({ udtName: "varchar", ...(length ? { characterMaximumLength: Number(length) } : {}) }),
  Uuid: () => ({ udtName: "uuid" }),
  Citext: () => ({ udtName: "citext" }),
  Inet: () => ({ udtName: "inet" }),
  Xml: () => ({ udtName: "xml" }),
  Bit: ([length]) => ({ udtName: "bit", characterMaximumLength: Number(length ?? 1) }),
  VarBit: ([length]) => ({ udtName: "varbit", ...(length ? { characterMaximumLength: Number(length) } : {}) }),
  SmallInt: () => ({ udtName: "int2" }),
  Integer: () => ({ udtName: "int4" }),
  BigInt: () => ({ udtName: "int8" }),
  Oid: () => ({ udtName: "oid" }),
  Real: () => ({ udtName: "float4" }),
  DoublePrecision: () => ({ udtName: "float8" }),
  Decimal: ([precision, scale]) => ({ udtName: "numeric", numericPrecision: optionalNumber(precision), numericScale: optionalNumber(scale) }),
  Money: () => ({ udtName: "money" }),
  Boolean: () => ({ udtName: "bool" }),
  Date: () => ({ udtName: "date" }),
  Time: ([precision]) => ({ udtName: "time", datetimePrecision: Number(precision ?? 6) }),
  Timetz: ([precision]) => ({ udtName: "timetz", datetimePrecision: Number(precision ?? 6) }),
  Timestamp: ([precision]) => ({ udtName: "timestamp", datetimePrecision: Number(precision ?? 6) }),
  Timestamptz: ([precision]) => ({ udtName: "timestamptz", datetimePrecision: Number(precision ?? 6) }),
  Json: () => ({ udtName: "json" }),
  JsonB: () => ({ udtName: "jsonb" }),
  ByteA: () => ({ udtName: "bytea" }),
};

function expectedType(field: DmmfField, enumDbNames: Map<string, string>): ExpectedType {
  if (field.kind === "unsupported") return { udtName: field.type };
  if (field.kind === "enum") {
    const name = enumDbNames.get(field.type);
    assert.ok(name, `enum ${field.type} is not in the DMMF`);
    return { udtName: name };
  }
  if (field.nativeType) {
    const [nativeName, args] = field.nativeType;
    const mapping = NATIVE_TYPES[nativeName];
    assert.ok(mapping, `no PostgreSQL mapping for @db.${nativeName} yet: add it to NATIVE_TYPES in this test`);
    return mapping(args);
  }
  const mapping = SCALAR_TYPES[field.type];
  assert.ok(mapping, `no PostgreSQL mapping for Prisma type ${field.type} yet: add it to SCALAR_TYPES in this test`);
  return mapping;
}

function assertColumnType(column: ColumnDescription, field: DmmfField, expected: ExpectedType, where: string): void {
  if (field.isList) {
    // information_schema reports only the element type of an array column.
    assert.equal(column.dataType, "ARRAY", `${where} should be a list (array) column`);
    assert.equal(column.udtName, `_${expected.udtName}`, `${where} should be an array of ${expected.udtName}`);
    return;
  }
  assert.notEqual(column.dataType, "ARRAY", `${where} should not be an array column`);
  assert.equal(column.udtName, expected.udtName, `${where} has the wrong type`);
  for (const key of ["characterMaximumLength", "datetimePrecision", "numericPrecision", "numericScale"] as const) {
    if (expected[key] !== undefined) assert.equal(column[key], expected[key], `${where} has the wrong ${key}`);
  }
}

// --- Defaults ------------------------------------------------------------------------------

type ExpectedDefault = { kind: "none" } | { kind: "sequence" } | { kind: "now" } | { kind: "value"; value: string } | { kind: "any" };

function expectedDefault(field: DmmfField): ExpectedDefault {
  const value = field.default;
  if (value === undefined) return { kind: "none" };
  if (typeof value === "object" && value !== null && "name" in value) {
    const name = (value as { name: string }).name;
    if (name === "autoincrement" || name === "sequence") return { kind: "sequence" };
    if (name === "now") return { kind: "now" };
    if (name === "dbgenerated") return { kind: "any" };
    // uuid(), cuid(), nanoid(), ulid() are filled in by Prisma Client, not by the database.
    return { kind: "none" };
  }
  if (Array.isArray(value)) return { kind: "any" };
  return { kind: "value", value: String(value) };
}

/** `'READER'::"Role"` → `READER`, `'{}'::jsonb` → `{}`, `0` → `0`. */
function literalOfDefault(expression: string): string {
  const withoutCasts = expression.replace(/(::[\w" ]+(\[\])?)+$/, "").trim();
  const unparenthesized = withoutCasts.replace(/^\((.*)\)$/, "$1");
  const quoted = /^'(.*)'$/s.exec(unparenthesized);
  return quoted ? quoted[1]!.replaceAll("''", "'") : unparenthesized;
}

function assertColumnDefault(column: ColumnDescription, field: DmmfField, where: string): void {
  const expected = expectedDefault(field);
  const actual = column.defaultExpression;
  switch (expected.kind) {
    case "none":
      assert.equal(actual, null, `${where} should have no database default`);
      break;
    case "sequence":
      assert.match(actual ?? "", /^nextval\(/, `${where} should be autoincrement (a sequence default)`);
      break;
    case "now":
      assert.match(actual ?? "", /^(CURRENT_TIMESTAMP|now\(\))/, `${where} should default to now()`);
      break;
    case "value":
      assert.ok(actual !== null, `${where} should default to ${expected.value}`);
      assert.equal(literalOfDefault(actual), expected.value, `${where} has the wrong default`);
      break;
    case "any":
      assert.ok(actual !== null, `${where} should have a database default`);
      break;
  }
}

// --- Keys and indexes ----------------------------------------------------------------------

// PostgreSQL's identifier limit; Prisma truncates the generated part of a name to fit it.
const MAX_IDENTIFIER_LENGTH = 63;

/** The name Prisma gives a constraint or index nobody named with `map:`. */
function conventionalName(table: string, columns: string[], suffix: "pkey" | "key" | "idx"): string {
  const base = suffix === "pkey" ? table : [table, ...columns].join("_");
  return `${base.slice(0, MAX_IDENTIFIER_LENGTH - suffix.length - 1)}_${suffix}`;
}

interface ExpectedIndex {
  name: string;
  primary: boolean;
  unique: boolean;
  method: string;
  columns: { name: string; descending: boolean }[];
}

function describeIndex(index: Omit<ExpectedIndex, "name"> & { name?: string }): string {
  const kind = index.primary ? "PRIMARY KEY" : index.unique ? "UNIQUE INDEX" : "INDEX";
  const columns = index.columns.map((column) => `${column.name}${column.descending ? " DESC" : ""}`).join(", ");
  return `${kind} ${index.name ?? "?"} USING ${index.method} (${columns})`;
}

// --- The expected database, derived from the DMMF -----------------------------------------

interface ExpectedForeignKey {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

interface ExpectedTable {
  model: string;
  name: string;
  columns: Map<string, { field: DmmfField; type: ExpectedType }>;
  indexes: ExpectedIndex[];
  foreignKeys: ExpectedForeignKey[];
}

const PRISMA_ACTIONS: Record<string, ReferentialAction> = {
  Cascade: "CASCADE",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetNull: "SET NULL",
  SetDefault: "SET DEFAULT",
};

function referentialAction(action: string): ReferentialAction {
  const mapped = PRISMA_ACTIONS[action];
  assert.ok(mapped, `unknown Prisma referential action ${action}`);
  return mapped;
}

function expectedTables(datamodel: Datamodel): Map<string, ExpectedTable> {
  const enumDbNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const models = new Map(datamodel.models.map((model) => [model.name, model]));
  const tableName = (model: DmmfModel) => model.dbName ?? model.name;
  const columnName = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((candidate) => candidate.name === fieldName);
    assert.ok(field, `${model.name}.${fieldName} is not in the DMMF`);
    return field.dbName ?? field.name;
  };

  const tables = new Map<string, ExpectedTable>();
  for (const model of datamodel.models) {
    const table: ExpectedTable = { model: model.name, name: tableName(model), columns: new Map(), indexes: [], foreignKeys: [] };
    for (const field of model.fields) {
      if (field.kind === "scalar" || field.kind === "enum" || field.kind === "unsupported") {
        table.columns.set(field.dbName ?? field.name, { field, type: expectedType(field, enumDbNames) });
      }
      if (field.kind === "object" && field.relationFromFields && field.relationFromFields.length > 0) {
        const target = models.get(field.type);
        assert.ok(target, `relation ${model.name}.${field.name} points at unknown model ${field.type}`);
        const fromFields = field.relationFromFields.map((name) => model.fields.find((candidate) => candidate.name === name)!);
        // Prisma's defaults: a required relation restricts deletes, an optional one nulls its columns.
        const defaultOnDelete = fromFields.every((from) => from.isRequired) ? "Restrict" : "SetNull";
        table.foreignKeys.push({
          columns: field.relationFromFields.map((name) => columnName(model, name)),
          referencedTable: tableName(target),
          referencedColumns: (field.relationToFields ?? []).map((name) => columnName(target, name)),
          onDelete: referentialAction(field.relationOnDelete ?? defaultOnDelete),
          onUpdate: referentialAction(field.relationOnUpdate ?? "Cascade"),
        });
      }
    }
    tables.set(model.name, table);
  }

  for (const index of datamodel.indexes) {
    const model = models.get(index.model);
    const table = tables.get(index.model);
    assert.ok(model && table, `index on unknown model ${index.model}`);
    const columns = index.fields.map((field) => ({ name: columnName(model, field.name), descending: field.sortOrder === "desc" }));
    const suffix = index.type === "id" ? "pkey" : index.type === "unique" ? "key" : "idx";
    table.indexes.push({
      name: index.dbName ?? conventionalName(table.name, columns.map((column) => column.name), suffix),
      primary: index.type === "id",
      unique: index.type === "id" || index.type === "unique",
      method: (index.algorithm ?? "BTree").toLowerCase(),
      columns,
    });
  }
  return tables;
}

// --- The test, on every database target ----------------------------------------------------

const schemaPath = fileURLToPath(new URL("../prisma/schema.prisma", import.meta.url));
const datamodel = loadDatamodel(schemaPath);
const expected = expectedTables(datamodel);

for (const target of databaseTargets()) {
  describe(`schema.prisma and prisma/migrations describe the same database (${target.name})`, () => {
    let database: TestDatabase | undefined;
    let actual: DatabaseSchema;

    before(async () => {
      database = await target.create();
      await applyMigrations(database.db);
      actual = await database.db.withConnection(describeDatabaseSchema);
    });

    after(async () => {
      await database?.drop();
    });

    const actualTable = (table: ExpectedTable): TableDescription => {
      const found = actual.tables.get(table.name);
      assert.ok(found, `table ${table.name} (model ${table.model}) is missing: schema.prisma has it, no migration creates it`);
      return found;
    };

    it("has a table for every model and no table the schema does not declare", () => {
      assert.ok(expected.size > 0, "the DMMF has no models");
      for (const table of expected.values()) actualTable(table);
      const declared = new Set([...expected.values()].map((table) => table.name));
      const undeclared = [...actual.tables.keys()].filter((name) => name !== MIGRATIONS_TABLE && !declared.has(name));
      assert.deepEqual(undeclared, [], "the migrations create tables schema.prisma does not declare");
    });

    it("has a column of the right type, nullability and default for every scalar field", () => {
      for (const table of expected.values()) {
        const columns = actualTable(table).columns;
        for (const [name, { field, type }] of table.columns) {
          const where = `${table.name}.${name} (${table.model}.${field.name})`;
          const column = columns.get(name);
          assert.ok(column, `column ${where} is missing: schema.prisma has the field, no migration adds it`);
          assertColumnType(column, field, type, where);
          // Prisma keeps scalar lists nullable in the database, whatever the field says.
          const nullable = field.isList || !field.isRequired;
          assert.equal(column.nullable, nullable, `${where} should be ${nullable ? "NULL" : "NOT NULL"}`);
          assertColumnDefault(column, field, where);
        }
      }
    });

    it("has no column the schema does not declare", () => {
      for (const table of expected.values()) {
        const undeclared = [...actualTable(table).columns.keys()].filter((name) => !table.columns.has(name));
        assert.deepEqual(undeclared, [], `table ${table.name} has columns model ${table.model} does not declare`);
      }
    });

    it("has every enum type with exactly the schema's values, and no other enum", () => {
      for (const schemaEnum of datamodel.enums) {
        const name = schemaEnum.dbName ?? schemaEnum.name;
        const values = schemaEnum.values.map((value) => value.dbName ?? value.name);
        assert.deepEqual(actual.enums.get(name), values, `enum type ${name} should have exactly the values ${values.join(", ")}`);
      }
      const declared = new Set(datamodel.enums.map((schemaEnum) => schemaEnum.dbName ?? schemaEnum.name));
      assert.deepEqual([...actual.enums.keys()].filter((name) => !declared.has(name)), [], "the migrations create enum types schema.prisma does not declare");
    });

    it("has exactly the primary keys, unique constraints and indexes the schema declares", () => {
      for (const table of expected.values()) {
        const present = actualTable(table).indexes.map(describeIndex).sort();
        const declared = table.indexes.map(describeIndex).sort();
        assert.deepEqual(present, declared, `indexes of ${table.name} (model ${table.model}) differ from schema.prisma`);
      }
    });

    it("has a foreign key with the schema's referenced table and referential actions for every relation", () => {
      const describeForeignKey = (fk: ExpectedForeignKey) =>
        `(${fk.columns.join(", ")}) REFERENCES ${fk.referencedTable}(${fk.referencedColumns.join(", ")}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;
      for (const table of expected.values()) {
        const present = actualTable(table).foreignKeys.map(describeForeignKey).sort();
        const declared = table.foreignKeys.map(describeForeignKey).sort();
        assert.deepEqual(present, declared, `foreign keys of ${table.name} (model ${table.model}) differ from schema.prisma`);
      }
    });
  });
}
