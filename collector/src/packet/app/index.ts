/** The application parsers, tried in this order on a flow's first payload. */
import type { AppParser } from './parser';
import { dnsParser } from './dns';
import { httpParser } from './http';
import { tlsParser } from './tls';
import { sshParser } from './ssh';

export const APP_PARSERS: AppParser[] = [dnsParser, tlsParser, httpParser, sshParser];

export * from './parser';
export { dnsParser, parseDnsMessage, readName } from './dns';
export { httpParser } from './http';
export { tlsParser, parseClientHello, parseServerHello, ja3, ja3String, ja3s, ja4 } from './tls';
export { sshParser, hassh, kexinitLists } from './ssh';
