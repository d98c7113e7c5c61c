import { ReadinessRegistry } from './readiness.registry';

describe('ReadinessRegistry', () => {
  it('is up when every check passes', async () => {
    const r = new ReadinessRegistry();
    r.register('orchestrator.db', async () => undefined);
    r.register('bus', async () => true);
    await expect(r.run()).resolves.toEqual({ status: 'up', checks: { bus: 'up', 'orchestrator.db': 'up' } });
  });

  it('is down with the failing check named and credentials scrubbed', async () => {
    const r = new ReadinessRegistry();
    r.register('gateway.db', async () => {
      throw new Error('connect ECONNREFUSED postgres://u:hunter2@db/x');
    });
    r.register('bus', async () => false);
    const report = await r.run();
    expect(report.status).toBe('down');
    expect(report.checks).toEqual({ bus: 'down', 'gateway.db': 'down' });
    expect(report.errors?.['gateway.db']).toContain('ECONNREFUSED');
    expect(JSON.stringify(report)).not.toContain('hunter2');
  });

  it('refuses a duplicate name', () => {
    const r = new ReadinessRegistry();
    r.register('x', async () => undefined);
    expect(() => r.register('x', async () => undefined)).toThrow(/FF_HEALTH_DUPLICATE/);
  });
});
