import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocuments, toYamlDocuments } from './index';

// The workflows the README tells people to apply must stay valid as the model evolves.
const dir = path.resolve(__dirname, '../../../docs/examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('docs/examples', () => {
  it('has examples', () => {
    expect(files).toContain('hello-pipeline.yaml');
  });

  it.each(files)('%s parses, validates and survives an export round trip', (file) => {
    const parsed = parseDocuments(readFileSync(path.join(dir, file), 'utf8'));
    expect(parsed.workflows.length).toBeGreaterThan(0);
    const exported = toYamlDocuments(parsed);
    expect(toYamlDocuments(parseDocuments(exported))).toBe(exported);
  });
});
