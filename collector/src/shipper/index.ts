export { createShipper, type Shipper, type ShipperOptions, type ShipperCounters } from './shipper';
export { Spool, type SpoolOptions, type FsyncPolicy } from './spool';
export { peekSpool } from './peek';
export { LazyStore } from './lazy-store';
export { shipperConfigSchema, type ShipperConfig } from './config';
