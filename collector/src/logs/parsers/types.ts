/**
 * Device log parsers: one file per device family, each behind this interface. A
 * parser is chosen by the source address (configured), the syslog program name, or
 * the content itself; a line no parser recognises stays a generic syslog event.
 */

/** Bindings are read from the ECS fields of authentication events (core's bindingOf). */
export type { Binding } from '@edusentry/core';

export interface ParsedLog {
  /** ECS fields merged into the event (source, destination, network, url, http, user, event.action…). */
  fields: Record<string, unknown>;
}

export interface DeviceParser {
  /** Name used by --parser and in configuration (lower case). */
  readonly name: string;
  /** Vendor and product for observer.* */
  readonly vendor: string;
  readonly product: string;
  /** Syslog program names (APP-NAME / tag) this device uses, if any. */
  readonly programs?: string[];
  /** A cheap test on the message text: does it look like this device's format? */
  matches(message: string): boolean;
  /** Fields, or undefined when the line turns out not to be parseable after all. */
  parse(message: string): ParsedLog | undefined;
}
