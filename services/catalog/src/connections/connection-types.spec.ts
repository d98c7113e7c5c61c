import { fieldErrorsOf } from '@flowforge/service-kit';
import { CONNECTION_SPECS, type ConnectionType } from './connection-types';
import { createConnectionRequest } from '@flowforge/http';

function errorsOf(type: ConnectionType, config: unknown) {
  const r = CONNECTION_SPECS[type].schema.safeParse(config);
  if (r.success) return [];
  return fieldErrorsOf(r.error, 'config');
}

describe('connection type schemas', () => {
  it('apply defaults and accept a minimal valid config of each type', () => {
    expect(CONNECTION_SPECS.postgres.schema.parse({ host: 'db', database: 'd', user: 'u' })).toEqual({
      host: 'db',
      port: 5432,
      database: 'd',
      user: 'u',
      ssl: false,
      allowPrivateNetworks: false,
    });
    expect(CONNECTION_SPECS.mysql.schema.parse({ host: 'db', user: 'u' })).toMatchObject({ port: 3306 });
    expect(CONNECTION_SPECS.s3.schema.parse({ bucket: 'my-bucket' })).toMatchObject({ region: 'us-east-1', forcePathStyle: false });
    expect(CONNECTION_SPECS.local.schema.parse({ path: '/data/in' })).toEqual({ path: '/data/in' });
    expect(CONNECTION_SPECS.sftp.schema.parse({ host: 'h', user: 'u', privateKey: 'PEM' })).toMatchObject({ port: 22 });
    expect(CONNECTION_SPECS.http.schema.parse({ baseUrl: 'https://api.example.com' })).toMatchObject({
      allowPrivateNetworks: false,
      timeoutMs: 10000,
      testMethod: 'HEAD',
    });
    expect(CONNECTION_SPECS.kafka.schema.parse({ brokers: ['k1:9092'] })).toMatchObject({ ssl: false });
    expect(CONNECTION_SPECS.sftp.schema.parse({ host: 'h', user: 'u', password: 'p', path: '/data/in' })).toMatchObject({ path: '/data/in' });
    expect(CONNECTION_SPECS.ftp.schema.parse({ host: 'h', user: 'u', password: 'p' })).toEqual({
      host: 'h',
      port: 21,
      user: 'u',
      password: 'p',
      secure: false,
      allowPrivateNetworks: false,
    });
    expect(CONNECTION_SPECS.ftp.schema.parse({ host: 'h', user: 'u', password: 'p', secure: 'implicit', port: 990 })).toMatchObject({ secure: 'implicit' });
    expect(CONNECTION_SPECS.smb.schema.parse({ host: 'nas', share: 'data', user: 'u', password: 'p', domain: 'CORP', path: 'in/2024' })).toEqual({
      host: 'nas',
      port: 445,
      share: 'data',
      domain: 'CORP',
      user: 'u',
      password: 'p',
      path: 'in/2024',
      allowPrivateNetworks: false,
    });
  });

  it('names the bad fields of file server connections (sftp path, ftp, smb)', () => {
    expect(errorsOf('sftp', { host: 'h', user: 'u', password: 'p', path: '/data/../etc' })).toEqual([
      { field: 'config.path', message: 'must not contain ".." segments' },
    ]);
    expect(errorsOf('ftp', { host: 'h', user: 'u', secure: true, caCertificate: 'nope' })).toEqual([
      { field: 'config.password', message: 'is required' },
      { field: 'config.secure', message: 'must be false, "explicit" (AUTH TLS) or "implicit" (TLS from the start)' },
      { field: 'config.caCertificate', message: 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)' },
    ]);
    expect(errorsOf('smb', { host: 'nas', share: 'a/b', user: 'dom%u', password: 'p', path: 'in/*.csv', domain: 'two words' })).toEqual([
      { field: 'config.share', message: 'must be a share name (no / \\ [ ] : | < > + = ; , * ? " or control characters)' },
      { field: 'config.domain', message: 'must be a domain or workgroup name (no spaces, quotes or control characters)' },
      { field: 'config.user', message: 'must not contain "%" or control characters' },
      { field: 'config.path', message: 'must not contain any of " * ? < > | : \\ (SMB names cannot)' },
    ]);
    expect(errorsOf('smb', { host: 'nas', user: 'u', password: 'p' })).toEqual([{ field: 'config.share', message: 'is required' }]);
  });

  it('names each bad field with a message a user can act on', () => {
    expect(errorsOf('postgres', { host: 'db', port: 70000, database: 'd', user: 'u', pasword: 'typo' })).toEqual([
      { field: 'config.port', message: 'must be an integer between 1 and 65535' },
      { field: 'config.pasword', message: 'is not a known field' },
    ]);
    expect(errorsOf('postgres', { host: 'db', port: '5432', user: 'u' })).toEqual([
      { field: 'config.port', message: 'must be an integer between 1 and 65535' },
      { field: 'config.database', message: 'is required' },
    ]);
    // Every problem at once: the bad bucket and the missing half of the credential pair.
    expect(errorsOf('s3', { bucket: 'Bad_Bucket', accessKeyId: 'AK' })).toEqual([
      { field: 'config.bucket', message: expect.stringContaining('must be an S3 bucket name') },
      { field: 'config.secretAccessKey', message: 'is required when accessKeyId is set' },
    ]);
    expect(errorsOf('local', { path: 'relative/dir' })).toEqual([{ field: 'config.path', message: 'must be an absolute directory path' }]);
    expect(errorsOf('local', { path: '/srv/landing/a\u0000b' })).toEqual([{ field: 'config.path', message: 'must not contain a NUL byte' }]);
    expect(errorsOf('local', { path: '/srv/landing/../../etc' })).toEqual([{ field: 'config.path', message: 'must not contain ".." segments' }]);
    expect(errorsOf('postgres', { host: 'db', database: 'd', user: 'u', allowPrivateNetworks: 'yes' })).toEqual([
      { field: 'config.allowPrivateNetworks', message: 'must be true or false' },
    ]);
    expect(errorsOf('sftp', { host: 'h', user: 'u' })).toEqual([{ field: 'config.password', message: 'is required unless privateKey is set' }]);
    expect(errorsOf('http', { baseUrl: 'ftp://x', timeoutMs: 5 })).toEqual([
      { field: 'config.baseUrl', message: 'must be an http:// or https:// URL, e.g. https://api.example.com/v1' },
      { field: 'config.timeoutMs', message: 'must be an integer between 100 and 60000' },
    ]);
    expect(errorsOf('kafka', { brokers: ['ok:9092', 'nope'], sasl: { mechanism: 'md5', username: 'u' } })).toEqual([
      { field: 'config.brokers[1]', message: 'must be host:port' },
      { field: 'config.sasl.mechanism', message: 'must be one of "plain", "scram-sha-256", "scram-sha-512"' },
      { field: 'config.sasl.password', message: 'is required' },
    ]);
  });

  it('an unknown type is named with the list of known ones', () => {
    const r = createConnectionRequest.safeParse({ name: 'x', type: 'oracle', config: {} });
    expect(r.success).toBe(false);
    expect(fieldErrorsOf(r.error!)).toEqual([
      {
        field: 'type',
        message:
          'must be one of "postgres", "mysql", "s3", "local", "sftp", "http", "kafka", "gcs", "azure", "ftp", "smb", "redshift", "synapse", "snowflake", "bigquery"',
      },
    ]);
  });

  it('refuses the reserved name "uploads" (the folder of uploaded files), in any case, naming the field', () => {
    for (const name of ['uploads', 'Uploads']) {
      const r = createConnectionRequest.safeParse({ name, type: 'local', config: { path: '/srv/in' } });
      expect(r.success).toBe(false);
      expect(fieldErrorsOf(r.error!)).toEqual([{ field: 'name', message: 'must not be one of the reserved names: uploads' }]);
    }
    expect(createConnectionRequest.safeParse({ name: 'uploads-2024', type: 'local', config: { path: '/srv/in' } }).success).toBe(true);
  });

  it('declares the secret fields of every type', () => {
    expect(Object.fromEntries(Object.entries(CONNECTION_SPECS).map(([t, s]) => [t, s.secretFields]))).toEqual({
      postgres: ['password'],
      mysql: ['password'],
      s3: ['secretAccessKey'],
      local: [],
      sftp: ['password', 'privateKey', 'passphrase'],
      ftp: ['password'],
      smb: ['password'],
      http: ['headers', 'token'],
      kafka: ['sasl.password'],
      gcs: ['hmacSecret'],
      azure: ['accountKey', 'sasToken', 'connectionString'],
      redshift: ['password'],
      synapse: ['password'],
      snowflake: ['password', 'privateKey', 'privateKeyPassphrase'],
      bigquery: ['credentials'],
    });
  });

  it('gcs and azure: defaults, secrets declared, one azure credential exactly, bucket/account/container names checked', () => {
    expect(CONNECTION_SPECS.gcs.schema.parse({ bucket: 'my_bucket.v2', hmacAccessId: 'GOOG1X', hmacSecret: 's' })).toEqual({
      bucket: 'my_bucket.v2',
      hmacAccessId: 'GOOG1X',
      hmacSecret: 's',
      allowPrivateNetworks: false,
    });
    expect(CONNECTION_SPECS.gcs.secretFields).toEqual(['hmacSecret']);
    expect(errorsOf('gcs', { bucket: 'B', hmacAccessId: 'a', prefix: 'in/../x', endpoint: 'gs://x' })).toEqual([
      { field: 'config.bucket', message: expect.stringContaining('must be a GCS bucket name') },
      { field: 'config.prefix', message: 'must not contain ".." segments' },
      { field: 'config.hmacSecret', message: 'is required' },
      { field: 'config.endpoint', message: 'must be an http:// or https:// URL, e.g. https://storage.googleapis.com' },
    ]);
    expect(CONNECTION_SPECS.azure.schema.parse({ account: 'acct1', container: 'landing', sasToken: 'sv=x' })).toMatchObject({ allowPrivateNetworks: false });
    expect(CONNECTION_SPECS.azure.secretFields).toEqual(['accountKey', 'sasToken', 'connectionString']);
    expect(errorsOf('azure', { account: 'Acct_1', container: 'a--b' })).toEqual([
      { field: 'config.account', message: expect.stringContaining('must be a storage account name') },
      { field: 'config.container', message: expect.stringContaining('must be a container name') },
      { field: 'config.accountKey', message: 'one of accountKey, sasToken or connectionString is required' },
    ]);
    expect(errorsOf('azure', { account: 'acct1', container: 'landing' })).toEqual([
      { field: 'config.accountKey', message: 'one of accountKey, sasToken or connectionString is required' },
    ]);
    expect(errorsOf('azure', { account: 'acct1', container: 'landing', accountKey: 'k', connectionString: 'c' })).toEqual([
      { field: 'config.connectionString', message: 'only one of accountKey, sasToken, connectionString may be set (accountKey is)' },
    ]);
  });

  describe('warehouse destinations (redshift, synapse, snowflake, bigquery)', () => {
    const PEM = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
    const saKey = (over: Record<string, unknown> = {}) =>
      JSON.stringify({ type: 'service_account', project_id: 'my-project', client_email: 'etl@my-project.iam.gserviceaccount.com', private_key: PEM, ...over });
    const sf = { account: 'xy12345.eu-central-1', username: 'ETL', warehouse: 'LOAD_WH', database: 'DWH', schema: 'PUBLIC' };

    it('apply their defaults: redshift 5439 with ssl on, synapse 1433 encrypted without trusting any certificate', () => {
      expect(CONNECTION_SPECS.redshift.schema.parse({ host: 'c.abc.eu-west-1.redshift.amazonaws.com', database: 'dev', user: 'etl', password: 'p' })).toEqual({
        host: 'c.abc.eu-west-1.redshift.amazonaws.com',
        port: 5439,
        database: 'dev',
        user: 'etl',
        password: 'p',
        ssl: true,
        allowPrivateNetworks: false,
      });
      expect(CONNECTION_SPECS.synapse.schema.parse({ server: 'ws.sql.azuresynapse.net', database: 'pool1', user: 'etl', password: 'p' })).toEqual({
        server: 'ws.sql.azuresynapse.net',
        port: 1433,
        database: 'pool1',
        user: 'etl',
        password: 'p',
        encrypt: true,
        trustServerCertificate: false,
        allowPrivateNetworks: false,
      });
      expect(CONNECTION_SPECS.snowflake.schema.parse({ ...sf, privateKey: PEM, role: 'LOADER' })).toEqual({
        ...sf,
        privateKey: PEM,
        role: 'LOADER',
        allowPrivateNetworks: false,
      });
      for (const account of ['myorg-myaccount', 'xy12345.us-east-2.aws', 'xy12345.eu-central-1.privatelink', 'my_org-acct_1'])
        expect({ account, errors: errorsOf('snowflake', { ...sf, account, password: 'p' }) }).toEqual({ account, errors: [] });
      expect(CONNECTION_SPECS.bigquery.schema.parse({ projectId: 'my-project', dataset: 'lake_export', location: 'EU', credentials: saKey() })).toEqual({
        projectId: 'my-project',
        dataset: 'lake_export',
        location: 'EU',
        credentials: saKey(),
      });
      expect(errorsOf('bigquery', { projectId: 'example.com:my-project', dataset: 'd', credentials: saKey() })).toEqual([]);
    });

    it('redshift and synapse: missing password, ports out of range, NUL bytes and unknown fields are named', () => {
      expect(errorsOf('redshift', { host: 'h', port: 0, database: 'd\u0000x', user: 'u' })).toEqual([
        { field: 'config.port', message: 'must be an integer between 1 and 65535' },
        { field: 'config.database', message: 'must not contain NUL bytes or control characters' },
        { field: 'config.password', message: 'is required' },
      ]);
      expect(errorsOf('redshift', { host: 'h', database: 'd', user: 'u', password: 'a\u0000b', ssl: 'yes' })).toEqual([
        { field: 'config.password', message: 'must not contain a NUL byte' },
        { field: 'config.ssl', message: 'must be true or false' },
      ]);
      expect(errorsOf('synapse', { server: 'bad host\u0000', port: 70000, database: 'd', user: 'u', password: 'p', encrypt: 'strict', host: 'x' })).toEqual([
        { field: 'config.server', message: 'must be a host name or IP address (no spaces or control characters)' },
        { field: 'config.port', message: 'must be an integer between 1 and 65535' },
        { field: 'config.encrypt', message: 'must be true or false' },
        { field: 'config.host', message: 'is not a known field' },
      ]);
      expect(errorsOf('synapse', { server: 'ws', database: 'd', user: 'x'.repeat(129) })).toEqual([
        { field: 'config.user', message: 'must be at most 128 characters' },
        { field: 'config.password', message: 'is required' },
      ]);
    });

    it('snowflake: exactly one of password and privateKey, a PEM key, a passphrase only with a key, the account without its URL', () => {
      expect(errorsOf('snowflake', sf)).toEqual([{ field: 'config.password', message: 'one of password or privateKey is required' }]);
      expect(errorsOf('snowflake', { ...sf, password: 'p', privateKey: PEM })).toEqual([
        { field: 'config.privateKey', message: 'only one of password, privateKey may be set (password is)' },
      ]);
      expect(errorsOf('snowflake', { ...sf, privateKey: 'not a key' })).toEqual([
        { field: 'config.privateKey', message: 'must be a PEM private key (-----BEGIN PRIVATE KEY-----)' },
      ]);
      expect(errorsOf('snowflake', { ...sf, password: 'p', privateKeyPassphrase: 'x' })).toEqual([
        { field: 'config.privateKeyPassphrase', message: 'is allowed only with privateKey' },
      ]);
      expect(errorsOf('snowflake', { ...sf, account: 'https://xy12345.snowflakecomputing.com', password: 'p' })).toEqual([
        { field: 'config.account', message: 'must be the account identifier only, without https:// or .snowflakecomputing.com' },
      ]);
      expect(errorsOf('snowflake', { ...sf, account: 'xy 12345', password: 'p', warehouse: '', schema: 's\u0000' })).toEqual([
        { field: 'config.account', message: 'must be a Snowflake account identifier such as xy12345.eu-central-1 or myorg-myaccount' },
        { field: 'config.warehouse', message: 'must be a warehouse name' },
        { field: 'config.schema', message: 'must not contain NUL bytes or control characters' },
      ]);
      expect(errorsOf('snowflake', { account: 'a', password: 'p' })).toEqual([
        { field: 'config.username', message: 'is required' },
        { field: 'config.warehouse', message: 'is required' },
        { field: 'config.database', message: 'is required' },
        { field: 'config.schema', message: 'is required' },
      ]);
    });

    it('bigquery: credentials must be a service account JSON key, and no message shows a part of it', () => {
      const secretText = 'hunter2-not-json {"private_key":"secret-material"';
      const bad = (credentials: unknown) => errorsOf('bigquery', { projectId: 'my-project', dataset: 'd', credentials });
      expect(bad(secretText)).toEqual([
        { field: 'config.credentials', message: 'must be the text of a service account JSON key file (it does not parse as JSON)' },
      ]);
      expect(bad('["a"]')).toEqual([{ field: 'config.credentials', message: 'must be the text of a service account JSON key file (a JSON object)' }]);
      expect(bad(JSON.stringify({ private_key: 'secret-material' }))).toEqual([
        { field: 'config.credentials', message: 'must be a service account JSON key: "client_email" missing' },
      ]);
      expect(bad('{}')).toEqual([{ field: 'config.credentials', message: 'must be a service account JSON key: "client_email" and "private_key" missing' }]);
      expect(bad(saKey({ type: 'authorized_user' }))).toEqual([
        { field: 'config.credentials', message: 'must be a service account key ("type": "service_account"), not user or external-account credentials' },
      ]);
      expect(bad(saKey({ private_key: 'secret-material' }))).toEqual([
        { field: 'config.credentials', message: 'must be a service account JSON key whose "private_key" is a PEM private key' },
      ]);
      expect(bad({ client_email: 'a@b', private_key: PEM })).toEqual([{ field: 'config.credentials', message: expect.stringContaining('must be') }]);
      for (const e of [...bad(secretText), ...bad(saKey({ private_key: 'secret-material' }))]) expect(e.message).not.toMatch(/hunter2|secret-material/);
      expect(errorsOf('bigquery', { projectId: 'My_Project', dataset: 'a-b', location: 'E U', credentials: saKey() })).toEqual([
        { field: 'config.projectId', message: 'must be a Google Cloud project id (6-30 lower-case letters, digits and hyphens, starting with a letter)' },
        { field: 'config.dataset', message: 'must be a dataset name (1-1024 letters, digits and underscores)' },
        { field: 'config.location', message: 'must be a BigQuery location such as EU, US or europe-west3' },
      ]);
    });
  });
});
