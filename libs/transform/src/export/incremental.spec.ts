import { effectiveWriteMode, exportInput, exportSelectSql, planExport } from './incremental';

const s1 = { snapshotId: 's1', files: ['f1', 'f2'] };
const s2 = { snapshotId: 's2', files: ['f1', 'f2', 'f3'] };
const rewritten = { snapshotId: 's3', files: ['g1'] };

describe('incremental export plan', () => {
  it('full reads every file; the first incremental run too', () => {
    expect(planExport('full', s2, s1)).toMatchObject({ mode: 'full', files: ['f1', 'f2', 'f3'] });
    expect(planExport('incremental', s2)).toMatchObject({ mode: 'full', files: ['f1', 'f2', 'f3'], reason: 'first export to this destination' });
  });

  it('an append-only source: only the files added since the last exported snapshot', () => {
    expect(planExport('incremental', s2, s1)).toEqual({ mode: 'incremental', files: ['f3'], reason: '1 file(s) added since snapshot s1' });
    expect(planExport('incremental', s1, s1)).toMatchObject({ mode: 'unchanged', files: [] });
  });

  it('a rewritten source falls back to full, and an append then replaces so no row arrives twice', () => {
    const plan = planExport('incremental', rewritten, s2);
    expect(plan).toMatchObject({ mode: 'full', files: ['g1'] });
    expect(plan.reason).toContain('rewritten since snapshot s2');
    expect(effectiveWriteMode('append', plan, 'incremental')).toBe('replace');
    expect(effectiveWriteMode('merge', plan, 'incremental')).toBe('merge');
    expect(effectiveWriteMode('append', planExport('incremental', s2, s1), 'incremental')).toBe('append');
    expect(effectiveWriteMode('append', planExport('full', s2), 'full')).toBe('append');
  });

  it('restricts the source input to the plan and selects the configured columns', () => {
    const input = { ref: { layer: 'gold' as const, namespace: 'sales', table: 'daily' }, snapshotId: 's2', schema: [], files: ['f1', 'f2', 'f3'] };
    expect(exportInput(input, planExport('incremental', s2, s1)).files).toEqual(['f3']);
    expect(exportSelectSql('gold.sales.daily', ['id', 'a"b'])).toBe('SELECT "id", "a""b" FROM "gold"."sales"."daily"');
    expect(exportSelectSql('gold.sales.daily')).toBe('SELECT * FROM "gold"."sales"."daily"');
    expect(() => exportSelectSql('nope')).toThrow(/FF_TRANSFORM_CONFIG/);
  });
});
