/**
 * How the cdc source reaches a trigger's database: the catalog connection named in the trigger's config,
 * resolved with its secret. The triggers service wires it to the catalog; tests pass their own.
 */
export interface CdcConnection {
  /** The catalog connection's type: postgres, or mysql (a MySQL or MariaDB server; the source asks which). */
  type: 'postgres' | 'mysql';
  host: string;
  port: number;
  /** PostgreSQL: the database whose tables are captured (default postgres). MySQL/MariaDB: unused (tables name their database). */
  database?: string;
  user: string;
  password?: string;
}

export interface CdcConnectionResolver {
  /** The connection with its password; throws (a 4xx FlowForgeError) when there is none of that name or it is of another type. */
  resolve(name: string, triggerId?: string): Promise<CdcConnection>;
}
