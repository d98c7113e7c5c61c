/** A SQL string literal ('it''s'), for paths the engine produced itself; user values go through parameters. */
export function sqlString(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL string literal cannot contain NUL');
  return `'${value.replace(/'/g, "''")}'`;
}

/** A quoted identifier ("col""name"). */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `['a.parquet', 'b.parquet']`: the list form read_parquet accepts. */
export function sqlStringList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}
