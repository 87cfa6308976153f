/**
 * Test certificates made with the openssl command line: a test CA, a good leaf, an expired leaf
 * (2020–2021, signed with `openssl ca`), a leaf for another name, and a self-signed one.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pem {
  key: string;
  cert: string;
}

export interface TestCerts {
  caFile: string;
  ca: string;
  good: Pem;
  expired: Pem;
  wrongName: Pem;
  selfSigned: Pem;
}

const ssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

export function makeCerts(
  dir: string,
  names: { good: string; expired: string; wrong: string; self: string },
): TestCerts {
  mkdirSync(dir, { recursive: true });
  ssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    '/CN=EduSentry Test CA',
  ]);
  const leaf = (name: string, cn: string, extra: string[] = []) => {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=DNS:${cn}\n`);
    ssl(dir, [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    ]);
    ssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '30',
      '-extfile',
      `${name}.ext`,
      ...extra,
    ]);
  };
  leaf('good', names.good);
  leaf('wrong', 'somewhere-else.test');
  // Expired: `openssl ca` takes explicit start and end dates.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca=t\n[t]\ndatabase=index.txt\nserial=serial\nnew_certs_dir=.\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\nunique_subject=no\n[p]\ncommonName=supplied\n[ext]\nsubjectAltName=DNS:${names.expired}\n`,
  );
  ssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'expired.key',
    '-out',
    'expired.csr',
    '-subj',
    `/CN=${names.expired}`,
  ]);
  ssl(dir, [
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'ca.pem',
    '-keyfile',
    'ca.key',
    '-in',
    'expired.csr',
    '-out',
    'expired.pem',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20210101000000Z',
    '-extensions',
    'ext',
    '-notext',
  ]);
  writeFileSync(join(dir, 'self.ext'), `subjectAltName=DNS:${names.self}\n`);
  ssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-days',
    '30',
    '-subj',
    `/CN=${names.self}`,
    '-addext',
    `subjectAltName=DNS:${names.self}`,
  ]);
  const pem = (n: string): Pem => ({
    key: readFileSync(join(dir, `${n}.key`), 'utf8'),
    cert: readFileSync(join(dir, `${n}.pem`), 'utf8'),
  });
  return {
    caFile: join(dir, 'ca.pem'),
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    good: pem('good'),
    expired: pem('expired'),
    wrongName: pem('wrong'),
    selfSigned: pem('self'),
  };
}
