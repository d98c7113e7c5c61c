import { Kafka, logLevel, type ISocketFactory, type SASLOptions } from 'kafkajs';
import type tls from 'node:tls';
import type { KafkaConfig } from '../connection-types';
import { guardedSocket, resolvePublicTarget } from '@flowforge/connectors';
import { describeNetworkError, failed, PROBE_TIMEOUT_MS, succeeded, type ProbeOutcome } from './probe-outcome';

/**
 * Admin client `describeCluster`: proves a broker answers and accepts the credentials. Every seed broker
 * passes the address guard before anything connects, and every socket kafkajs opens (to the brokers the
 * cluster advertises too) is a guarded one.
 */
export async function probeKafka(c: KafkaConfig): Promise<ProbeOutcome> {
  const where = c.brokers.join(',');
  try {
    for (const broker of c.brokers) await resolvePublicTarget(broker.replace(/:\d+$/, ''), c.allowPrivateNetworks);
  } catch (err) {
    return (
      describeNetworkError(err, 'Kafka broker', where) ?? failed('FF_CONN_FAILED', `Kafka at ${where}: ${err instanceof Error ? err.message : String(err)}`)
    );
  }
  const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    // Typed as TLS options, but kafkajs hands over `true` as given in the config as well.
    const options = ssl as tls.ConnectionOptions | boolean | undefined;
    return guardedSocket({ host, port, allowPrivateNetworks: c.allowPrivateNetworks, tls: options ? (options === true ? {} : options) : null, onConnect });
  };
  const kafka = new Kafka({
    socketFactory,
    clientId: c.clientId ?? 'flowforge-connection-test',
    brokers: c.brokers,
    ssl: c.ssl,
    sasl: c.sasl ? ({ mechanism: c.sasl.mechanism, username: c.sasl.username, password: c.sasl.password } as SASLOptions) : undefined,
    connectionTimeout: PROBE_TIMEOUT_MS,
    requestTimeout: PROBE_TIMEOUT_MS,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return succeeded(`reached Kafka cluster ${cluster.clusterId} at ${where} (${cluster.brokers.length} broker${cluster.brokers.length === 1 ? '' : 's'})`);
  } catch (err) {
    const name = (err as Error).name ?? '';
    const message = err instanceof Error ? err.message : String(err);
    if (name === 'KafkaJSSASLAuthenticationError' || /SASL|authentication/i.test(message)) {
      return failed('FF_CONN_AUTH', `Kafka at ${where} refused the SASL credentials for user "${c.sasl?.username ?? ''}"`);
    }
    return describeNetworkError(err, 'Kafka broker', where) ?? failed('FF_CONN_FAILED', `Kafka at ${where}: ${message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
