import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates made at test time with Debian's openssl (P-256 keys: quick to generate). Nothing is
 * checked in: every run has its own CA, and its own private keys.
 */

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync('openssl', [...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (is Debian's openssl installed?): ${stderr || error}`);
  }
}

export interface CertificateAuthority {
  readonly dir: string;
  /** The CA's certificate (PEM file). */
  readonly ca: string;
  /** Issues a certificate and its key; returns their paths. */
  issue(
    name: string,
    options: {
      readonly commonName: string;
      /** subjectAltName entries, e.g. ['IP:127.0.0.1', 'DNS:localhost']; none for a client. */
      readonly altNames?: readonly string[];
      readonly usage: 'server' | 'client';
      /** Days of validity; -1 makes a certificate that expired a day before it was issued. */
      readonly days?: number;
    },
  ): { readonly cert: string; readonly key: string };
}

export function newCertificateAuthority(name: string, parent?: string): CertificateAuthority {
  const dir = mkdtempSync(join(parent ?? tmpdir(), `${name}-`));
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
      .concat(['-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${name} test CA`])
      .concat(['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']),
    dir,
  );
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    issue(certName, o) {
      openssl(
        ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
          '-keyout',
          `${certName}-key.pem`,
          '-out',
          `${certName}.csr`,
          '-subj',
          `/CN=${o.commonName}`,
        ]),
        dir,
      );
      const ext = [
        `extendedKeyUsage=${o.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
        'keyUsage=critical,digitalSignature',
        ...(o.altNames?.length ? [`subjectAltName=${o.altNames.join(',')}`] : []),
      ].join('\n');
      writeFileSync(join(dir, `${certName}.ext`), `${ext}\n`);
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${certName}.csr`,
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca-key.pem',
          '-CAcreateserial',
        ].concat([
          '-days',
          String(o.days ?? 2),
          '-extfile',
          `${certName}.ext`,
          '-out',
          `${certName}-cert.pem`,
        ]),
        dir,
      );
      return { cert: join(dir, `${certName}-cert.pem`), key: join(dir, `${certName}-key.pem`) };
    },
  };
}

/**
 * A directory laid out as a Docker engine's --tlsverify wants it (ca.pem, server-cert.pem,
 * server-key.pem), for scripts/docker-engine.sh's BATON_DOCKER_TLS_DIR.
 */
export function engineTlsDir(ca: CertificateAuthority, server: { cert: string; key: string }): string {
  const dir = join(ca.dir, `engine-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'ca.pem'), readFileSync(ca.ca));
  writeFileSync(join(dir, 'server-cert.pem'), readFileSync(server.cert));
  writeFileSync(join(dir, 'server-key.pem'), readFileSync(server.key));
  return dir;
}

/** A directory laid out as the Docker CLI's DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem). */
export function dockerCertPath(ca: CertificateAuthority, client: { cert: string; key: string }): string {
  const dir = join(ca.dir, `client-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'ca.pem'), readFileSync(ca.ca));
  writeFileSync(join(dir, 'cert.pem'), readFileSync(client.cert));
  writeFileSync(join(dir, 'key.pem'), readFileSync(client.key));
  return dir;
}
