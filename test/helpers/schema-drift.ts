import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import type pg from 'pg';

export const SCHEMA_FILE = path.resolve(import.meta.dirname, '../../prisma/schema.prisma');

interface DmmfField {
  name: string;
  dbName: string | null;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType: [string, string[]] | null;
}
interface Dmmf {
  datamodel: {
    enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
    models: { name: string; dbName: string | null; fields: DmmfField[] }[];
    indexes: { model: string; type: 'id' | 'unique' | 'normal' | 'fulltext'; fields: { name: string }[] }[];
  };
}

/** Postgres type (as information_schema + udt_name describe it) that Prisma expects for a field. */
function expectedType(f: DmmfField): string {
  if (f.isList) return `_${f.kind === 'enum' ? f.type : expectedType({ ...f, isList: false }).split('(')[0]}`;
  if (f.kind === 'enum') return f.type;
  const [native, args = []] = f.nativeType ?? [];
  switch (f.type) {
    case 'String':
      if (native === 'Uuid') return 'uuid';
      if (native === 'Char') return `bpchar(${args[0]})`;
      if (native === 'VarChar') return `varchar(${args[0] ?? ''})`;
      return 'text';
    case 'Int': return 'int4';
    case 'BigInt': return 'int8';
    case 'Float': return 'float8';
    case 'Boolean': return 'bool';
    case 'Decimal': return `numeric(${args.length ? args.join(',') : '65,30'})`;
    case 'DateTime': return `${native === 'Timestamptz' ? 'timestamptz' : 'timestamp'}(${args[0] ?? 3})`;
    case 'Json': return 'jsonb';
    case 'Bytes': return 'bytea';
    default: return `unknown:${f.type}`;
  }
}

export async function loadDmmf(schema?: string): Promise<Dmmf> {
  const prismaSchema = schema ?? (await readFile(SCHEMA_FILE, 'utf8'));
  return JSON.parse(get_dmmf(JSON.stringify({ prismaSchema }))) as Dmmf;
}

/** One line per column/enum/index, in a form both sides can produce. */
export function describeSchema(dmmf: Dmmf): Set<string> {
  const out = new Set<string>();
  const col = new Map<string, string>();
  for (const e of dmmf.datamodel.enums) out.add(`enum ${e.dbName ?? e.name}: ${e.values.map((v) => v.dbName ?? v.name).join(',')}`);
  for (const m of dmmf.datamodel.models) {
    const table = m.dbName ?? m.name;
    for (const f of m.fields) {
      if (f.kind === 'object') continue;
      const column = f.dbName ?? f.name;
      col.set(`${m.name}.${f.name}`, column);
      out.add(`column ${table}.${column} ${expectedType(f)}${f.isList ? '' : f.isRequired ? ' not null' : ' null'}`);
    }
  }
  for (const ix of dmmf.datamodel.indexes) {
    const table = dmmf.datamodel.models.find((m) => m.name === ix.model)!;
    const cols = ix.fields.map((f) => col.get(`${ix.model}.${f.name}`)).join(',');
    out.add(`index ${table.dbName ?? table.name}(${cols}) ${ix.type === 'normal' ? 'plain' : 'unique'}`);
  }
  return out;
}

/** The same description read from a migrated database. */
export async function describeDatabase(sql: pg.Client): Promise<Set<string>> {
  const out = new Set<string>();
  const enums = await sql.query<{ name: string; values: string[] }>(`
    SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' GROUP BY t.typname`);
  for (const e of enums.rows) out.add(`enum ${e.name}: ${e.values.join(',')}`);
  const cols = await sql.query<{ table_name: string; column_name: string; type: string; data_type: string; is_nullable: string }>(`
    SELECT c.table_name, c.column_name, c.data_type, c.is_nullable,
      c.udt_name || CASE
        WHEN c.udt_name = 'bpchar' OR c.udt_name = 'varchar' THEN '(' || coalesce(c.character_maximum_length::text, '') || ')'
        WHEN c.udt_name = 'numeric' THEN '(' || c.numeric_precision || ',' || c.numeric_scale || ')'
        WHEN c.udt_name IN ('timestamptz', 'timestamp') THEN '(' || c.datetime_precision || ')'
        ELSE '' END AS type
    FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> '_migrations'
      -- partitions (e.g. telemetry_events_pYYYYMM) are listed as BASE TABLEs too; their parent is the model
      AND NOT EXISTS (SELECT 1 FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        WHERE pn.nspname = c.table_schema AND pc.relname = c.table_name AND pc.relispartition)`);
  for (const c of cols.rows) {
    const nullability = c.data_type === 'ARRAY' ? '' : c.is_nullable === 'YES' ? ' null' : ' not null';
    out.add(`column ${c.table_name}.${c.column_name} ${c.type}${nullability}`);
  }
  const idx = await sql.query<{ table: string; unique: boolean; columns: string[] }>(`
    SELECT t.relname AS table, ix.indisunique AS unique, array_agg(a.attname::text ORDER BY k.ord) AS columns
    FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE n.nspname = 'public' AND t.relname <> '_migrations' AND NOT t.relispartition
    GROUP BY ix.indexrelid, t.relname, ix.indisunique`);
  for (const i of idx.rows) out.add(`index ${i.table}(${i.columns.join(',')}) ${i.unique ? 'unique' : 'plain'}`);
  return out;
}

/** Lines only in the schema, and lines only in the database. */
export function diff(schema: Set<string>, database: Set<string>) {
  return {
    onlyInSchema: [...schema].filter((l) => !database.has(l)).sort(),
    onlyInDatabase: [...database].filter((l) => !schema.has(l)).sort(),
  };
}
