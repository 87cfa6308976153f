import { baseOnlySchema, composeConfigSchema, parseConfig } from '../config/config';
import { EduError } from '../errors';
import { z } from 'zod';

describe('configuration', () => {
  it('fills every key with a default that works on one machine', () => {
    const cfg = parseConfig('', baseOnlySchema);
    expect(cfg.store).toMatchObject({ kind: 'embedded', retentionDays: 180, indexPrefix: 'edusentry' });
    expect(cfg.dataDir).toBe('./data');
    expect(cfg.organization.id).toBeTruthy();
  });

  it.each([
    [
      'store:\n  kind: mongo\n',
      "f.yaml:2: store.kind: Invalid enum value. Expected 'embedded' | 'elasticsearch', received 'mongo'",
    ],
    ['store:\n  retentionDays: 0\n', 'f.yaml:2: store.retentionDays: Number must be greater than or equal to 1'],
    ['log:\n  level: loud\n', 'f.yaml:2: log.level: Invalid enum value'],
    ['organization:\n  id: school-1\n  colour: red\n', 'f.yaml:3: organization.colour: unknown key'],
    ['extra: 1\n', 'f.yaml:1: extra: unknown key'],
    ['store: [\n', 'f.yaml: YAML error at line'],
  ])('rejects %j naming the key', (yaml, message) => {
    let err: unknown;
    try {
      parseConfig(yaml, baseOnlySchema, 'f.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EduError);
    expect((err as EduError).code).toBe('EDU_ERR_CONFIG');
    expect((err as EduError).message).toContain(message);
  });

  it('composes package sections, each strict', () => {
    const schema = composeConfigSchema({
      collector: z
        .object({ port: z.number().default(514) })
        .strict()
        .default({}),
    });
    expect(parseConfig('collector:\n  port: 1514\n', schema).collector.port).toBe(1514);
    expect(() => parseConfig('collector:\n  prot: 1\n', schema, 'c.yaml')).toThrow(
      'c.yaml:2: collector.prot: unknown key',
    );
  });
});
